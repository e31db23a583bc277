// The endpoint's source of time, injected so tests can pin "now" instead of sleeping or patching globals.

/** Wall-clock time in Unix milliseconds. */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** RFC 3339 UTC string of the clock's current time. */
export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
