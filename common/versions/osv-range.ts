// Is an installed version affected by one OSV `affected[]` entry? The OSV schema's evaluation (IsVulnerable,
// https://ossf.github.io/osv-schema/#evaluation) under the ecosystem's own comparator, and the fixed version to offer.
// What cannot be evaluated (GIT ranges, unknown range types or ecosystems, unparsable versions) is reported, never guessed.
import { AttacheError } from '../errors.js';
import { compareParsed, type ParsedVersion, parseVersion, type VersionScheme } from './index.js';

/** One event of an OSV range: exactly one of the four keys. */
export interface OsvEvent {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly last_affected?: string;
  readonly limit?: string;
}

/** One OSV range (`affected[].ranges[]`). */
export interface OsvRange {
  readonly type: string;
  readonly repo?: string;
  readonly events: readonly OsvEvent[];
}

/** The part of one OSV `affected[]` entry that decides which versions are affected. */
export interface OsvAffected {
  readonly package: { readonly ecosystem: string; readonly name: string; readonly purl?: string };
  readonly ranges?: readonly OsvRange[];
  readonly versions?: readonly string[];
}

/** Something in the entry that could not be evaluated: where (a path inside the entry) and why. */
export interface NotEvaluable {
  readonly path: string;
  readonly reason: string;
}

/** The interval of one range that holds the installed version (`introduced` "0" means from the first version). */
export interface AffectedInterval {
  readonly introduced: string;
  readonly fixed?: string;
  readonly lastAffected?: string;
}

/** The verdict for one installed version; `notEvaluable` lists what was skipped, to be counted and shown. */
export type OsvVerdict =
  | {
      readonly status: 'affected';
      /** The version to update to (the smallest fix above the installed version in every range holding it), if any. */
      readonly fixed: string | undefined;
      readonly intervals: readonly AffectedInterval[];
      readonly listedInVersions: boolean;
      readonly notEvaluable: readonly NotEvaluable[];
    }
  | { readonly status: 'notAffected'; readonly notEvaluable: readonly NotEvaluable[] }
  | { readonly status: 'notEvaluable'; readonly notEvaluable: readonly NotEvaluable[] }
  | { readonly status: 'unsupportedEcosystem'; readonly ecosystem: string };

/** OSV ecosystem (before any `:release` suffix) → the comparator of its ECOSYSTEM ranges. */
export const ECOSYSTEM_SCHEMES: Readonly<Record<string, VersionScheme>> = {
  Debian: 'dpkg',
  Ubuntu: 'dpkg',
  'Red Hat': 'rpm',
  AlmaLinux: 'rpm',
  'Rocky Linux': 'rpm',
  openSUSE: 'rpm',
  SUSE: 'rpm',
  Alpine: 'apk',
  npm: 'semver',
  'crates.io': 'semver',
  Go: 'semver',
};

/** The comparator for an OSV ecosystem string such as `Debian:12` or `Ubuntu:22.04:LTS`; undefined when unsupported. */
export function schemeForEcosystem(ecosystem: string): VersionScheme | undefined {
  const base = ecosystem.split(':', 1)[0] as string;
  return Object.hasOwn(ECOSYSTEM_SCHEMES, base) ? ECOSYSTEM_SCHEMES[base] : undefined;
}

const KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
type EventKind = (typeof KEYS)[number];

/** An event with its version parsed; `bottom` is introduced "0", `top` a limit holding "*". */
interface Bound {
  readonly kind: EventKind;
  readonly text: string;
  readonly at: ParsedVersion | 'bottom' | 'top';
}

function compareBound(a: Bound['at'], b: Bound['at']): number {
  if (a === b && typeof a === 'string') return 0;
  if (a === 'bottom' || b === 'top') return -1;
  if (a === 'top' || b === 'bottom') return 1;
  return compareParsed(a, b);
}

/** The range's events parsed under `scheme`, or the reason it cannot be evaluated (schema rules of the events). */
function parseEvents(range: OsvRange, scheme: VersionScheme, path: string): Bound[] | NotEvaluable {
  if (!Array.isArray(range.events)) return { path: `${path}.events`, reason: 'events is not a list' };
  const bounds: Bound[] = [];
  for (const [k, event] of range.events.entries()) {
    const where = `${path}.events[${k}]`;
    const kinds = KEYS.filter((key) => typeof event?.[key] === 'string');
    const kind = kinds[0];
    if (kinds.length !== 1 || kind === undefined) return { path: where, reason: 'an event must hold exactly one of introduced, fixed, last_affected, limit' };
    const text = event[kind] as string;
    if (kind === 'introduced' && text === '0') bounds.push({ kind, text, at: 'bottom' });
    else if (kind === 'limit' && text.includes('*')) bounds.push({ kind, text, at: 'top' });
    else {
      try {
        bounds.push({ kind, text, at: parseVersion(scheme, text) });
      } catch (err) {
        if (!(err instanceof AttacheError)) throw err;
        return { path: `${where}.${kind}`, reason: err.message };
      }
    }
  }
  if (!bounds.some((b) => b.kind === 'introduced')) return { path: `${path}.events`, reason: 'a range needs at least one introduced event' };
  if (bounds.some((b) => b.kind === 'fixed') && bounds.some((b) => b.kind === 'last_affected')) {
    return { path: `${path}.events`, reason: 'a range may hold fixed or last_affected events, not both' };
  }
  return bounds;
}

/** A range prepared once per advisory: limits and the other events sorted by version (ties keep their order). */
interface PreparedRange {
  readonly path: string;
  readonly scheme: VersionScheme;
  readonly limits: readonly Bound[];
  readonly sorted: readonly Bound[];
}

/** A range, parsed under its comparator, or why it cannot be evaluated (`git` for GIT ranges, counted apart). */
function prepareRange(range: OsvRange, k: number, scheme: VersionScheme): PreparedRange | { readonly skip: NotEvaluable; readonly git: boolean } {
  const path = `ranges[${k}]`;
  if (range.type === 'GIT') return { skip: { path, reason: 'a GIT range needs the commit graph, not a package version' }, git: true };
  if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') {
    return { skip: { path: `${path}.type`, reason: `unknown range type ${JSON.stringify(String(range.type))}` }, git: false };
  }
  const rangeScheme = range.type === 'SEMVER' ? 'semver' : scheme;
  const bounds = parseEvents(range, rangeScheme, path);
  if (!Array.isArray(bounds)) return { skip: bounds, git: false };
  const limits = bounds.filter((b) => b.kind === 'limit');
  const sorted = bounds.filter((b) => b.kind !== 'limit').sort((a, b) => compareBound(a.at, b.at));
  return { path, scheme: rangeScheme, limits, sorted };
}

/** IncludedInRanges for one range: BeforeLimits, then the events in version order. */
function evaluateRange(v: ParsedVersion, range: PreparedRange): { interval: AffectedInterval; fixed: Bound | undefined } | undefined {
  if (range.limits.length > 0 && !range.limits.some((b) => compareBound(v, b.at) < 0)) return undefined;
  const sorted = range.sorted;
  let vulnerable = false;
  let from: Bound | undefined;
  let index = -1;
  for (const [k, b] of sorted.entries()) {
    const cmp = compareBound(v, b.at);
    if (b.kind === 'introduced' && cmp >= 0) {
      vulnerable = true;
      from = b;
    } else if (b.kind === 'fixed' && cmp >= 0) vulnerable = false;
    else if (b.kind === 'last_affected' && cmp > 0) vulnerable = false;
    if (b.kind === 'last_affected' ? cmp > 0 : cmp >= 0) index = k; // the events the installed version has passed
  }
  if (!vulnerable || from === undefined) return undefined;
  const upper = sorted.slice(index + 1).find((b) => b.kind === 'fixed' || b.kind === 'last_affected');
  const fixed = upper?.kind === 'fixed' ? upper : undefined;
  const interval: AffectedInterval = {
    introduced: from.text,
    ...(fixed ? { fixed: fixed.text } : {}),
    ...(upper?.kind === 'last_affected' ? { lastAffected: upper.text } : {}),
  };
  return { interval, fixed };
}

/** The installed version parsed once per scheme; a refusal is noted once in `skipped` and gives undefined. */
function installedParser(installed: string, skipped: NotEvaluable[]): (scheme: VersionScheme) => ParsedVersion | undefined {
  const parsedAs = new Map<VersionScheme, ParsedVersion | undefined>();
  return (scheme) => {
    if (!parsedAs.has(scheme)) {
      try {
        parsedAs.set(scheme, parseVersion(scheme, installed));
      } catch (err) {
        if (!(err instanceof AttacheError)) throw err;
        parsedAs.set(scheme, undefined);
        skipped.push({ path: 'installed', reason: err.message });
      }
    }
    return parsedAs.get(scheme);
  };
}

/**
 * Prepares one OSV `affected[]` entry once (every event version parsed, ranges sorted) and returns the function that
 * evaluates it for an installed version: IsVulnerable of the OSV schema. ECOSYSTEM ranges use the ecosystem's
 * comparator, SEMVER ranges SemVer 2.0.0; GIT ranges need the commit graph and are listed as not evaluable (the
 * `versions` list, which the schema requires beside them, still counts). Matching many devices against one advisory
 * calls the returned function many times.
 */
export function compileOsvAffected(entry: OsvAffected): (installed: string) => OsvVerdict {
  const ecosystem = entry.package.ecosystem;
  const scheme = schemeForEcosystem(ecosystem);
  if (scheme === undefined) return () => ({ status: 'unsupportedEcosystem', ecosystem });
  const versions = entry.versions ?? [];
  const listed = versions.map((text) => ({ text, parsed: tryParse(scheme, text) }));
  const ranges = (entry.ranges ?? []).map((range, k) => prepareRange(range, k, scheme));
  const gitRanges = ranges.filter((r) => 'git' in r && r.git).length;
  return (installed) => {
    const skipped: NotEvaluable[] = [];
    const installedAs = installedParser(installed, skipped);
    const listedInVersions = listed.some((l) => l.text === installed || sameVersion(l.parsed, installedAs(scheme)));
    const intervals: AffectedInterval[] = [];
    const fixes: Bound[] = [];
    let unfixed = false;
    for (const range of ranges) {
      if ('skip' in range) {
        skipped.push(range.skip);
        continue;
      }
      const v = installedAs(range.scheme);
      const hit = v === undefined ? undefined : evaluateRange(v, range);
      if (!hit) continue;
      intervals.push(hit.interval);
      if (hit.fixed) fixes.push(hit.fixed);
      else unfixed = true;
    }
    if (listedInVersions || intervals.length > 0) {
      // The fix must leave every range that holds the installed version: the greatest of their next fixes.
      const fixed = unfixed || fixes.length === 0 ? undefined : fixes.reduce((a, b) => (compareBound(a.at, b.at) >= 0 ? a : b)).text;
      return { status: 'affected', fixed, intervals, listedInVersions, notEvaluable: skipped };
    }
    // Only a GIT range answered by a versions list beside it (as the schema requires) leaves a clean verdict.
    const gitCovered = gitRanges > 0 && versions.length > 0 && skipped.length === gitRanges;
    if (skipped.length === 0 || gitCovered) return { status: 'notAffected', notEvaluable: skipped };
    return { status: 'notEvaluable', notEvaluable: skipped };
  };
}

/**
 * What in an entry can never be evaluated, whatever the installed version: an unsupported ecosystem, or the ranges
 * that `compileOsvAffected` would skip (with their paths; GIT ranges flagged). The advisory import counts these.
 */
export function osvAffectedProblems(
  entry: OsvAffected,
): { readonly unsupportedEcosystem: string } | { readonly ranges: readonly (NotEvaluable & { readonly git: boolean })[] } {
  const scheme = schemeForEcosystem(entry.package.ecosystem);
  if (scheme === undefined) return { unsupportedEcosystem: entry.package.ecosystem };
  const ranges = (entry.ranges ?? []).map((range, k) => prepareRange(range, k, scheme));
  return { ranges: ranges.flatMap((r) => ('skip' in r ? [{ ...r.skip, git: r.git }] : [])) };
}

/** Evaluates one OSV `affected[]` entry for one installed version (`compileOsvAffected` once, then called). */
export function evaluateOsvAffected(entry: OsvAffected, installed: string): OsvVerdict {
  return compileOsvAffected(entry)(installed);
}

/** The version parsed, or undefined when it does not parse (a listed version of another syntax matches by text only). */
function tryParse(scheme: VersionScheme, text: string): ParsedVersion | undefined {
  try {
    return parseVersion(scheme, text);
  } catch (err) {
    if (err instanceof AttacheError) return undefined;
    throw err;
  }
}

/** A listed version equal in the scheme's order to the installed one (1.0 and 1.00 are one dpkg version). */
function sameVersion(listed: ParsedVersion | undefined, installed: ParsedVersion | undefined): boolean {
  return listed !== undefined && installed !== undefined && compareParsed(listed, installed) === 0;
}
