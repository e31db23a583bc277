// The normalised advisory every import produces, whatever the source format (OSV or NVD CVE API 2.0), and what an
// import run reports. The store and the matching service (next) read only these types.
import type { NvdCpeMatch } from '../../../common/versions/cpe.js';
import type { OsvRange } from '../../../common/versions/osv-range.js';

/** Qualitative severity: NVD's CVSS v3 bands, or `unknown` when no score or rating says (never guessed). */
export type SeverityLevel = 'none' | 'low' | 'medium' | 'high' | 'critical' | 'unknown';

/** The severity an advisory states: the level, and the CVSS score and vector it comes from when there is one. */
export interface AdvisorySeverity {
  readonly level: SeverityLevel;
  readonly cvssScore?: number;
  readonly cvssVector?: string;
  /** CVSS version of the vector/score: `2.0`, `3.0`, `3.1` or `4.0`. */
  readonly version?: string;
}

/** One OSV `affected[]` entry as published (validated): what `common/versions/osv-range.ts` evaluates. */
export interface OsvAffectedEntry {
  readonly package: { readonly ecosystem: string; readonly name: string; readonly purl?: string };
  readonly ranges?: readonly OsvRange[];
  readonly versions?: readonly string[];
  readonly ecosystem_specific?: Readonly<Record<string, unknown>>;
  readonly database_specific?: Readonly<Record<string, unknown>>;
}

/** One node of an NVD configuration: its cpeMatch entries combined by `operator`, inverted when `negate`. */
export interface NvdNode {
  readonly operator: 'AND' | 'OR';
  readonly negate: boolean;
  readonly cpeMatch: readonly NvdCpeMatch[];
}

/** One NVD configuration: nodes combined by `operator` (OR when absent), inverted when `negate`. */
export interface NvdConfiguration {
  readonly operator: 'AND' | 'OR';
  readonly negate: boolean;
  readonly nodes: readonly NvdNode[];
}

interface AdvisoryBase {
  readonly id: string;
  readonly aliases: readonly string[];
  /** ISO 8601 UTC (`…Z`); the newer of two imports of one id wins. */
  readonly modified: string;
  readonly published?: string;
  /** At most MAX_SUMMARY code points; a longer text is cut and ends in `…`. */
  readonly summary: string;
  readonly severity: AdvisorySeverity;
}

/** An advisory ready to be stored and matched. */
export type NormalizedAdvisory =
  | (AdvisoryBase & { readonly source: 'osv'; readonly affected: readonly OsvAffectedEntry[] })
  | (AdvisoryBase & { readonly source: 'nvd'; readonly affected: readonly NvdConfiguration[] });

/** Something left out of an import and why: a whole record (`path` "") or one part of it (`affected[2]`). */
export interface AdvisorySkip {
  readonly id: string;
  readonly path: string;
  readonly reason: string;
}

/** What parsing one file gives: records read, the advisories to store, what was skipped, and withdrawn ids. */
export interface ParsedAdvisoryFile {
  readonly format: 'osv' | 'nvd';
  readonly read: number;
  readonly advisories: readonly NormalizedAdvisory[];
  readonly skipped: readonly AdvisorySkip[];
  /** Ids the file marks withdrawn (OSV `withdrawn`, NVD `Rejected`): the store removes them, nothing is matched. */
  readonly withdrawn: readonly string[];
}

/**
 * What an import run reports to the admin (the store fills `stored`): records read, advisories stored, what was
 * skipped and why, and the ids withdrawn (removed from the store).
 */
export interface AdvisoryImportReport {
  readonly read: number;
  readonly stored: number;
  readonly skipped: readonly AdvisorySkip[];
  readonly withdrawn: readonly string[];
}

/** The longest summary kept, in code points. */
export const MAX_SUMMARY = 1000;
/** The largest advisory file read (a zip's total uncompressed size too). */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;
/** The largest single record (an OSV JSON file in a zip, or one NVD CVE item's JSON text). */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;
/**
 * Largest inflate ratio of a zip entry above 64 KiB (uncompressed ÷ compressed). Advisory JSON compresses about 10–20:1
 * (osv.dev's Debian all.zip, NVD's feeds); a zip bomb compresses about 1,000:1 and is refused before it is inflated.
 */
export const MAX_INFLATE_RATIO = 100;
