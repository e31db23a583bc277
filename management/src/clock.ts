// The endpoint's source of time and timers, injected so tests can pin "now" and fire ticks instead of sleeping or patching globals.

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

/**
 * Runs a callback every `intervalMs` until the returned function is called; injected so tests fire ticks themselves.
 * The callback may return a promise (the work of that tick), which a manual ticker lets tests await.
 */
export interface Ticker {
  every(intervalMs: number, tick: () => unknown): () => void;
}

/** The real ticker: setInterval, unref'd so it never keeps the process alive. */
export const systemTicker: Ticker = {
  every(intervalMs, tick) {
    const handle = setInterval(tick, intervalMs);
    handle.unref();
    return () => clearInterval(handle);
  },
};
