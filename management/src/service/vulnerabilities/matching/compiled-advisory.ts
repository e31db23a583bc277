// An advisory prepared once for matching (every OSV range and CPE criteria parsed) and the bounded cache that keeps
// it across recomputes, keyed by id + modified so a re-imported newer record is compiled again. Pure.

import { AttacheError } from '../../../../../common/errors.js';
import { type Cpe23, type CpeMatchResult, compileCpeMatch, type NvdCpeMatch, parseCpe23 } from '../../../../../common/versions/cpe.js';
import { compileOsvAffected, type OsvVerdict } from '../../../../../common/versions/osv-range.js';
import type { Platform } from '../../../../../policy-schemas/src/index.js';
import type { NormalizedAdvisory } from '../../../advisories/model.js';
import { applicationProduct } from './advisory-keys.js';

/** One OSV `affected[]` entry, ready to evaluate installed versions. */
export interface CompiledOsvEntry {
  readonly ecosystem: string;
  readonly name: string;
  readonly evaluate: (installed: string) => OsvVerdict;
}

/** One NVD cpeMatch: an application criteria (with its matcher), a platform, or something else. */
export interface CompiledCriteria {
  readonly criteria: string;
  readonly vulnerable: boolean;
  readonly app: { readonly vendor: string; readonly product: string } | undefined;
  /** The platform a non-application criteria names (`o:microsoft:windows*` → windows), or undefined. */
  readonly platform: Platform | undefined;
  readonly evaluate: ((installed: Cpe23) => CpeMatchResult) | { readonly invalid: string };
  readonly bounds: Readonly<Record<'versionStartIncluding' | 'versionStartExcluding' | 'versionEndIncluding' | 'versionEndExcluding', string | undefined>>;
}

export interface CompiledNode {
  readonly operator: 'AND' | 'OR';
  readonly negate: boolean;
  readonly criteria: readonly CompiledCriteria[];
}

export interface CompiledConfiguration {
  readonly operator: 'AND' | 'OR';
  readonly negate: boolean;
  readonly nodes: readonly CompiledNode[];
}

export type CompiledAdvisory =
  | { readonly source: 'osv'; readonly advisory: NormalizedAdvisory; readonly entries: readonly CompiledOsvEntry[] }
  | { readonly source: 'nvd'; readonly advisory: NormalizedAdvisory; readonly configurations: readonly CompiledConfiguration[] };

/** The platform an `o:` criteria names, as NVD writes them for "running on" nodes. */
export function platformOfCriteria(criteria: string): Platform | undefined {
  let cpe: Cpe23;
  try {
    cpe = parseCpe23(criteria);
  } catch (err) {
    if (err instanceof AttacheError) return undefined;
    throw err;
  }
  const value = (a: Cpe23['part']) => (a.kind === 'value' ? a.value.toLowerCase() : '');
  if (value(cpe.part) !== 'o') return undefined;
  const vendor = value(cpe.vendor);
  const product = value(cpe.product);
  if (vendor === 'microsoft' && product.startsWith('windows')) return 'windows';
  if (vendor === 'apple' && (product === 'mac_os_x' || product === 'macos' || product === 'mac_os')) return 'macos';
  if (vendor === 'linux' && product === 'linux_kernel') return 'linux';
  return undefined;
}

function compileCriteria(match: NvdCpeMatch): CompiledCriteria {
  let evaluate: CompiledCriteria['evaluate'];
  try {
    evaluate = compileCpeMatch(match);
  } catch (err) {
    if (!(err instanceof AttacheError)) throw err;
    evaluate = { invalid: err.message };
  }
  return {
    criteria: match.criteria,
    vulnerable: match.vulnerable,
    app: applicationProduct(match.criteria),
    platform: platformOfCriteria(match.criteria),
    evaluate,
    bounds: {
      versionStartIncluding: match.versionStartIncluding,
      versionStartExcluding: match.versionStartExcluding,
      versionEndIncluding: match.versionEndIncluding,
      versionEndExcluding: match.versionEndExcluding,
    },
  };
}

/** Prepares an advisory for matching (what the cache holds). */
export function compileAdvisory(advisory: NormalizedAdvisory): CompiledAdvisory {
  if (advisory.source === 'osv') {
    return {
      source: 'osv',
      advisory,
      entries: advisory.affected.map((entry) => ({ ecosystem: entry.package.ecosystem, name: entry.package.name, evaluate: compileOsvAffected(entry) })),
    };
  }
  return {
    source: 'nvd',
    advisory,
    configurations: advisory.affected.map((c) => ({
      operator: c.operator,
      negate: c.negate,
      nodes: c.nodes.map((n) => ({ operator: n.operator, negate: n.negate, criteria: n.cpeMatch.map(compileCriteria) })),
    })),
  };
}

/**
 * A bounded least-recently-used cache of compiled advisories keyed by id + modified: a recompute after an upload or
 * an import compiles only what it has not seen (or what changed), and memory stays bounded at `maxEntries`.
 */
export class CompiledAdvisoryCache {
  private readonly entries = new Map<string, CompiledAdvisory>();
  private compiledCount = 0;

  constructor(private readonly maxEntries = 50_000) {}

  get(advisory: NormalizedAdvisory): CompiledAdvisory {
    const key = `${advisory.id}\u0000${advisory.modified}`;
    const held = this.entries.get(key);
    if (held) {
      this.entries.delete(key);
      this.entries.set(key, held);
      return held;
    }
    const compiled = compileAdvisory(advisory);
    this.compiledCount++;
    this.entries.set(key, compiled);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return compiled;
  }

  /** How many advisories were compiled since the cache was made (tests: a recompute does not compile again). */
  get compiled(): number {
    return this.compiledCount;
  }

  get size(): number {
    return this.entries.size;
  }
}
