// The work one software upload may cause (review18 H2): at most MAX_VERSIONS_PER_NAME distinct versions of one matched
// name (ecosystem + the name advisories use) per upload. A real machine keeps a few kernels or side-by-side runtimes
// (Debian: 2–3 linux-image versions; Windows: a handful of VC++ redistributables); an upload with hundreds of versions
// of one heavily advised name is built to make the endpoint match each against every advisory of that name.
import type { PackageIdentity } from '../../store/vulnerability-store.js';

/** Distinct versions of one (ecosystem, matchedName) kept from one upload; the rest are not stored (truncated). */
export const MAX_VERSIONS_PER_NAME = 64;

/** A matched name whose versions were cut. */
export interface CutName {
  readonly ecosystem: string;
  readonly matchedName: string;
  /** Distinct versions in the upload (MAX_VERSIONS_PER_NAME of them kept). */
  readonly versions: number;
}

/**
 * The identities to store: every item of the first MAX_VERSIONS_PER_NAME distinct matched versions of each matched
 * name, in upload order; `cut` names the others (for the log and the stored software's `truncated`).
 */
export function boundVersions(identities: readonly PackageIdentity[], max = MAX_VERSIONS_PER_NAME): { kept: PackageIdentity[]; cut: CutName[] } {
  const versions = new Map<string, Set<string>>();
  const kept: PackageIdentity[] = [];
  const over = new Map<string, { ecosystem: string; matchedName: string; extra: Set<string> }>();
  for (const identity of identities) {
    const key = `${identity.ecosystem}\u0000${identity.matchedName}`;
    const seen = versions.get(key) ?? new Set<string>();
    versions.set(key, seen);
    if (seen.has(identity.matchedVersion) || seen.size < max) {
      seen.add(identity.matchedVersion);
      kept.push(identity);
      continue;
    }
    const cut = over.get(key) ?? { ecosystem: identity.ecosystem, matchedName: identity.matchedName, extra: new Set<string>() };
    cut.extra.add(identity.matchedVersion);
    over.set(key, cut);
  }
  const cut = [...over.values()].map((c) => ({ ecosystem: c.ecosystem, matchedName: c.matchedName, versions: max + c.extra.size }));
  return { kept, cut };
}
