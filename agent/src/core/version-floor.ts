// Downgrade and replay protection, pure: the highest policy version applied per policy id, and the policies of a
// fetched set that would take the device back to an older version (a replayed or rolled-back, validly signed one).
import type { PolicyPayload } from '../../../policy-schemas/src/index.js';

/** Highest applied version by policy id. */
export type VersionFloor = Readonly<Record<string, number>>;

/** A policy older than the version this device already applied. */
export interface Downgrade {
  readonly policyId: string;
  readonly name: string;
  readonly version: number;
  readonly applied: number;
}

/** Every policy of the set whose version is below the one already applied, in set order. */
export function findDowngrades(policies: readonly PolicyPayload[], floor: VersionFloor): Downgrade[] {
  return policies.flatMap((p) => {
    const applied = floor[p.policyId];
    return applied !== undefined && p.version < applied ? [{ policyId: p.policyId, name: p.name, version: p.version, applied }] : [];
  });
}

/** The floor raised to the versions just applied. Policies no longer assigned keep their entry: a re-assignment of an old version is still a downgrade. */
export function raiseFloor(floor: VersionFloor, applied: readonly PolicyPayload[]): VersionFloor {
  const next: Record<string, number> = { ...floor };
  for (const p of applied) next[p.policyId] = Math.max(next[p.policyId] ?? 0, p.version);
  return next;
}
