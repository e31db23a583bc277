// Check-in timing: the delay until the next periodic sync, spread by jitter. Pure: randomness is an argument.

/** Milliseconds until the next check-in: interval ± jitterPercent, `random` in [0, 1). */
export function nextCheckinDelayMs(intervalMinutes: number, jitterPercent: number, random: number): number {
  const base = intervalMinutes * 60_000;
  const spread = (base * jitterPercent) / 100;
  return Math.round(base - spread + 2 * spread * random);
}
