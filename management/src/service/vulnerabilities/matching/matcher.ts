// Matches one package against its candidate advisories (those sharing a lookup key): OSV entries whose ecosystem
// applies to the package's context, under the ecosystem's comparator; NVD configurations (AND/OR/negate, platform
// criteria satisfied by the device's platform) for Windows and macOS applications. Never a guess: what cannot be
// evaluated is returned with its reason, to be counted. Pure (docs/vulnerabilities.md "Matching").
import type { Cpe23, CpeAttribute } from '../../../../../common/versions/cpe.js';
import { compareVersions, type VersionScheme } from '../../../../../common/versions/index.js';
import { type AffectedInterval, schemeForEcosystem } from '../../../../../common/versions/osv-range.js';
import type { Platform } from '../../../../../policy-schemas/src/index.js';
import type { NormalizedAdvisory } from '../../../advisories/model.js';
import type { PackageFinding, StoredPackage } from '../../../store/vulnerability-store.js';
import type { CompiledAdvisory, CompiledAdvisoryCache, CompiledConfiguration, CompiledCriteria } from './compiled-advisory.js';
import { isApplicationEcosystem, UNSUPPORTED_PREFIX, vendorCandidates } from './package-identity.js';

/** What could not be evaluated for this package, and why (counted and shown, never matched). */
export interface NotEvaluated {
  readonly advisoryId: string;
  readonly reason: string;
}

export interface MatchOutcome {
  readonly findings: readonly PackageFinding[];
  readonly notEvaluated: readonly NotEvaluated[];
  /** The package's ecosystem context is not one we match (`unsupported:…`, the OS itself). */
  readonly unsupported: boolean;
}

const MAX_RANGE_TEXT = 1000;

/**
 * Does an advisory's OSV ecosystem apply to a package's context? Equal; or the advisory's has no release (`Debian`)
 * and names the context's base; or it extends the context (`Ubuntu:22.04:LTS`, `Red Hat:enterprise_linux:9::appstream`).
 * Ubuntu Pro (`Ubuntu:Pro:…`) never: its fixes need an ESM subscription.
 */
export function ecosystemApplies(advisoryEcosystem: string, context: string): boolean {
  if (advisoryEcosystem.startsWith('Ubuntu:Pro:')) return false;
  if (advisoryEcosystem === context || advisoryEcosystem.startsWith(`${context}:`)) return true;
  return !advisoryEcosystem.includes(':') && advisoryEcosystem === context.split(':', 1)[0];
}

/** The highest of these versions by the scheme's comparator (unparsable ones lose to parsable ones; text breaks ties). */
export function highestVersion(scheme: VersionScheme, versions: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const v of versions) {
    if (best === undefined) best = v;
    else {
      let cmp: number;
      try {
        cmp = compareVersions(scheme, v, best);
      } catch {
        cmp = v > best ? 1 : -1;
      }
      if (cmp > 0) best = v;
    }
  }
  return best;
}

function intervalText(i: AffectedInterval): string {
  const upper = i.fixed !== undefined ? `, < ${i.fixed}` : i.lastAffected !== undefined ? `, <= ${i.lastAffected}` : '';
  return `>= ${i.introduced}${upper}`;
}

const cut = (text: string) => (text.length > MAX_RANGE_TEXT ? `${text.slice(0, MAX_RANGE_TEXT - 1)}…` : text);

function matchOsv(pkg: StoredPackage, compiled: Extract<CompiledAdvisory, { source: 'osv' }>, notEvaluated: NotEvaluated[]): PackageFinding | undefined {
  const advisoryId = compiled.advisory.id;
  const ranges: string[] = [];
  const fixes: string[] = [];
  let unfixed = false;
  for (const entry of compiled.entries) {
    if (entry.name !== pkg.matchedName || !ecosystemApplies(entry.ecosystem, pkg.ecosystem)) continue;
    if (pkg.matchedVersion === '') {
      notEvaluated.push({ advisoryId, reason: 'the installed item states no version' });
      continue;
    }
    const verdict = entry.evaluate(pkg.matchedVersion);
    if (verdict.status === 'unsupportedEcosystem') notEvaluated.push({ advisoryId, reason: `unsupported ecosystem ${verdict.ecosystem}` });
    else if (verdict.status === 'notEvaluable') for (const n of verdict.notEvaluable) notEvaluated.push({ advisoryId, reason: `${n.path}: ${n.reason}` });
    else if (verdict.status === 'affected') {
      ranges.push(...verdict.intervals.map(intervalText));
      if (verdict.listedInVersions && verdict.intervals.length === 0) ranges.push(`listed: ${pkg.matchedVersion}`);
      if (verdict.fixed === undefined) unfixed = true;
      else fixes.push(verdict.fixed);
    }
  }
  if (ranges.length === 0) return undefined;
  const scheme = schemeForEcosystem(pkg.ecosystem) ?? pkg.scheme;
  const fixedVersion = unfixed ? null : (highestVersion(scheme, fixes) ?? null);
  return { packageId: pkg.packageId, advisoryId, fixedVersion, affectedRange: cut([...new Set(ranges)].join('; ')) };
}

type Tri = true | false | 'unknown';

function combine(operator: 'AND' | 'OR', values: readonly Tri[], negate: boolean): Tri {
  let out: Tri;
  if (operator === 'AND') out = values.includes(false) ? false : values.includes('unknown') ? 'unknown' : true;
  else out = values.includes(true) ? true : values.includes('unknown') ? 'unknown' : false;
  return negate && out !== 'unknown' ? !out : out;
}

const concrete = (value: string): CpeAttribute => ({ kind: 'value', bound: value, value, pattern: false });
const ANY: CpeAttribute = { kind: 'any' };

/** The installed application as a CPE: the criteria's vendor and product (they agreed), its version, the rest unknown. */
function installedCpe(vendor: string, product: string, version: string): Cpe23 {
  return {
    part: concrete('a'),
    vendor: concrete(vendor),
    product: concrete(product),
    version: concrete(version),
    update: ANY,
    edition: ANY,
    language: ANY,
    swEdition: ANY,
    targetSw: ANY,
    targetHw: ANY,
    other: ANY,
  };
}

interface NvdContext {
  readonly pkg: StoredPackage;
  readonly platform: Platform;
  readonly products: ReadonlySet<string>;
  readonly vendors: ReadonlySet<string>;
  readonly reasons: string[];
}

function criteriaValue(c: CompiledCriteria, ctx: NvdContext): Tri {
  if (!c.vulnerable) {
    if (c.platform !== undefined) return c.platform === ctx.platform;
    ctx.reasons.push(`${c.criteria}: a non-platform criteria the device's inventory cannot satisfy`);
    return 'unknown';
  }
  const app = c.app;
  if (!app || !ctx.products.has(app.product)) return false;
  if (!(ctx.vendors.has(app.vendor) || app.vendor === app.product)) return false;
  if ('invalid' in c.evaluate) {
    ctx.reasons.push(c.evaluate.invalid);
    return 'unknown';
  }
  if (ctx.pkg.matchedVersion === '') {
    ctx.reasons.push('the installed item states no version');
    return 'unknown';
  }
  const result = c.evaluate(installedCpe(app.vendor, app.product, ctx.pkg.matchedVersion));
  if (result.status === 'notEvaluable') {
    ctx.reasons.push(`${c.criteria}: ${result.reason}`);
    return 'unknown';
  }
  return result.status === 'match';
}

/** The configuration's value, and the vulnerable criteria of this package that made it true. */
function configurationHits(config: CompiledConfiguration, ctx: NvdContext): CompiledCriteria[] {
  const hits: CompiledCriteria[] = [];
  const nodeValues = config.nodes.map((node) => {
    const values = node.criteria.map((c) => {
      const v = criteriaValue(c, ctx);
      if (v === true && c.vulnerable && !node.negate) hits.push(c);
      return v;
    });
    return combine(node.operator, values, node.negate);
  });
  return combine(config.operator, nodeValues, config.negate) === true && !config.negate ? hits : [];
}

function boundsText(c: CompiledCriteria): string {
  const b = c.bounds;
  const parts = [
    b.versionStartIncluding !== undefined ? `>= ${b.versionStartIncluding}` : '',
    b.versionStartExcluding !== undefined ? `> ${b.versionStartExcluding}` : '',
    b.versionEndIncluding !== undefined ? `<= ${b.versionEndIncluding}` : '',
    b.versionEndExcluding !== undefined ? `< ${b.versionEndExcluding}` : '',
  ].filter((p) => p !== '');
  return parts.length === 0 ? c.criteria : `${c.criteria} ${parts.join(', ')}`;
}

function matchNvd(pkg: StoredPackage, compiled: Extract<CompiledAdvisory, { source: 'nvd' }>, notEvaluated: NotEvaluated[]): PackageFinding | undefined {
  const ctx: NvdContext = {
    pkg,
    platform: pkg.ecosystem === 'windows' ? 'windows' : 'macos',
    products: new Set(pkg.keys.filter((k) => k.startsWith('cpe:')).map((k) => k.slice(4))),
    vendors: vendorCandidates(pkg.vendor, pkg.name),
    reasons: [],
  };
  const hits = compiled.configurations.flatMap((config) => configurationHits(config, ctx));
  if (hits.length === 0) {
    // Reasons only matter when this package's own criteria were involved (another product's AND node is not ours).
    const relevant = compiled.configurations.some((c) => c.nodes.some((n) => n.criteria.some((k) => k.app && ctx.products.has(k.app.product))));
    if (relevant) for (const reason of new Set(ctx.reasons)) notEvaluated.push({ advisoryId: compiled.advisory.id, reason });
    return undefined;
  }
  const ends = hits.map((c) => c.bounds.versionEndExcluding);
  const fixedVersion = ends.every((e) => e !== undefined) ? (highestVersion(pkg.scheme === 'semver' ? 'semver' : 'dotted', ends as string[]) ?? null) : null;
  const affectedRange = cut([...new Set(hits.map(boundsText))].join('; '));
  return { packageId: pkg.packageId, advisoryId: compiled.advisory.id, fixedVersion, affectedRange };
}

/**
 * Matches one package against candidate advisories (any order; each advisory gives at most one finding). Packages of
 * an unsupported context (`unsupported:…`, `windows-os`, `macos-os`) are never matched.
 */
export function matchPackage(pkg: StoredPackage, advisories: readonly NormalizedAdvisory[], cache: CompiledAdvisoryCache): MatchOutcome {
  if (pkg.ecosystem.startsWith(UNSUPPORTED_PREFIX) || pkg.ecosystem.endsWith('-os')) return { findings: [], notEvaluated: [], unsupported: true };
  const findings: PackageFinding[] = [];
  const notEvaluated: NotEvaluated[] = [];
  const application = isApplicationEcosystem(pkg.ecosystem);
  for (const advisory of advisories) {
    const compiled = cache.get(advisory);
    const finding =
      compiled.source === 'osv'
        ? application
          ? undefined
          : matchOsv(pkg, compiled, notEvaluated)
        : application
          ? matchNvd(pkg, compiled, notEvaluated)
          : undefined;
    if (finding) findings.push(finding);
  }
  return { findings, notEvaluated, unsupported: false };
}
