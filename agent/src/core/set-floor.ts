// Replay protection for the policy set as a whole, pure: a device holds the highest set version it applied and that
// set's list; a manifest with a lower version is a replayed list, and one with the same version but another list is
// a forgery (the endpoint signs exactly one list per version).
import { canonicalJson } from '../../../common/canonical-json.js';
import type { ManifestEntry, PolicySetManifest } from '../../../policy-schemas/src/index.js';

/** The applied set: its version and its list (sorted by policy id). */
export interface SetFloor {
  readonly setVersion: number;
  readonly policies: readonly ManifestEntry[];
  /** issuedAt of the newest suppression list taken, kept when the list becomes empty or the cache is lost. */
  readonly suppressionsIssuedAt?: string;
}

/** What is wrong with a manifest against the floor, or undefined when it may be applied. */
export type SetFloorProblem = { readonly kind: 'downgrade'; readonly applied: number } | { readonly kind: 'equivocation' };

/** Sorted copy of a manifest list, so the comparison does not depend on order. */
export function sortedEntries(entries: readonly ManifestEntry[]): ManifestEntry[] {
  return [...entries].sort((a, b) => (a.policyId < b.policyId ? -1 : a.policyId > b.policyId ? 1 : a.version - b.version));
}

export function checkSetFloor(manifest: PolicySetManifest, floor: SetFloor | undefined): SetFloorProblem | undefined {
  if (!floor) return undefined;
  if (manifest.setVersion < floor.setVersion) return { kind: 'downgrade', applied: floor.setVersion };
  if (manifest.setVersion === floor.setVersion && canonicalJson(sortedEntries(manifest.policies)) !== canonicalJson(sortedEntries(floor.policies))) {
    return { kind: 'equivocation' };
  }
  return undefined;
}

/**
 * Differences between the policies delivered and the manifest: what it lists that is missing (or of another version)
 * and what was delivered that it does not list.
 */
export function manifestMismatch(
  manifest: readonly ManifestEntry[],
  delivered: readonly ManifestEntry[],
): { readonly missing: ManifestEntry[]; readonly unexpected: ManifestEntry[] } {
  const key = (e: ManifestEntry) => `${e.policyId}:${e.version}`;
  const want = new Set(manifest.map(key));
  const got = new Set(delivered.map(key));
  return { missing: manifest.filter((e) => !got.has(key(e))), unexpected: delivered.filter((e) => !want.has(key(e))) };
}
