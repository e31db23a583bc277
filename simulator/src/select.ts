// Deterministic choices from the scenario seed: which hosts a fault hits and the jitter each host draws, so the same
// scenario and seed pick the same hosts in every run, whichever fleet process a host lives in.
import { seededRandom } from '../../common/clock.js';

/** A share or an exact count of hosts (the scenario's `share` / `count`). */
export interface Selection {
  readonly share?: number | undefined;
  readonly count?: number | undefined;
}

/** How many of `eligible` hosts a selection takes: `count` (at most all of them), else round(share × eligible). */
export function selectionSize(selection: Selection, eligible: number): number {
  if (selection.count !== undefined) return Math.min(selection.count, eligible);
  return Math.min(eligible, Math.round((selection.share ?? 0) * eligible));
}

/**
 * Exactly selectionSize() of the eligible host indices, sorted: a partial Fisher–Yates shuffle driven by the seed and
 * the step (`salt`), so a seed replays the same hosts and two steps pick independently.
 */
export function chooseHosts(seed: number, salt: number, eligible: readonly number[], selection: Selection): number[] {
  const pool = [...eligible].sort((a, b) => a - b);
  const size = selectionSize(selection, pool.length);
  const random = seededRandom((seed ^ Math.imul(salt + 0x632be5ab, 0x9e3779b1)) >>> 0);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as number, pool[i] as number];
  }
  return pool.slice(0, size).sort((a, b) => a - b);
}
