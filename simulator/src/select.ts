// Deterministic choices from the scenario seed: which hosts a fault hits and the jitter each host draws, so the same
// scenario and seed pick the same hosts in every run, whichever fleet process a host lives in.

/** A number in [0, 1) from the seed, a salt (the step) and a host index (32-bit integer hash, murmur3 finaliser). */
export function unitHash(seed: number, salt: number, index: number): number {
  let h = (seed ^ Math.imul(salt + 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 0x7f4a7c15, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** True when host `index` is in the `share` chosen for step `salt`. */
export function picked(seed: number, salt: number, index: number, share: number): boolean {
  return share >= 1 || unitHash(seed, salt, index) < share;
}
