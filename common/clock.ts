// The one source of time, timers and jitter for the agent, the endpoint and the simulator. Everything that waits,
// schedules or draws a random delay takes a Clock; production passes `systemClock`, tests a ManualClock
// (common/testing/manual-clock.ts), the simulator a skewed clock with a seeded random per host.
import { isoTime } from './iso-time.js';

/** A scheduled callback that can be cancelled. */
export interface TimerHandle {
  cancel(): void;
}

/** Time, timers and the jitter source. Timers never keep the process alive on their own. */
export interface Clock {
  /** Unix time in milliseconds (may be fractional). */
  now(): number;
  /** Calls `run` once after `ms`. */
  setTimer(run: () => unknown, ms: number): TimerHandle;
  /** Calls `run` every `ms` until cancelled; a tick may return a promise (its work), which a manual clock can await. */
  every(ms: number, run: () => unknown): TimerHandle;
  /** A number in [0, 1): the jitter source (seeded in the simulator so a scenario replays the same). */
  random(): number;
}

/** setTimeout's longest delay (2^31 − 1 ms, about 24.8 days); longer waits are chained. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** The machine's clock, Node's timers (unref'd) and Math.random. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(run, ms) {
    let timer: NodeJS.Timeout;
    const arm = (left: number) => {
      timer = setTimeout(() => (left > MAX_TIMEOUT_MS ? arm(left - MAX_TIMEOUT_MS) : void run()), Math.min(Math.max(0, left), MAX_TIMEOUT_MS));
      timer.unref();
    };
    arm(ms);
    return { cancel: () => clearTimeout(timer) };
  },
  every(ms, run) {
    const timer = setInterval(() => void run(), Math.min(Math.max(1, ms), MAX_TIMEOUT_MS));
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  },
  random: () => Math.random(),
};

/**
 * Resolves in the check phase of the current event-loop turn (setImmediate): after every I/O callback that was ready
 * in this turn has run. Not a delay, an ordering: batching (management/src/store/group-commit.ts) uses it to gather
 * the calls of requests that arrived together, which a microtask cannot do when the work beneath is synchronous; long
 * loops (management/src/service/set-delivery.ts) yield with it so sockets are served meanwhile.
 */
export function endOfTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `base` shifted by `offsetMs()` (read at every call): a device whose clock is wrong. Timers still run in real time. */
export function skewedClock(base: Clock, offsetMs: () => number): Clock {
  return {
    now: () => base.now() + offsetMs(),
    setTimer: (run, ms) => base.setTimer(run, ms),
    every: (ms, run) => base.every(ms, run),
    random: () => base.random(),
  };
}

/** `base` with another jitter source. */
export function withRandom(base: Clock, random: () => number): Clock {
  return { now: () => base.now(), setTimer: (run, ms) => base.setTimer(run, ms), every: (ms, run) => base.every(ms, run), random };
}

/** Resolves after `ms` on `clock`, or at once when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = clock.setTimer(done, ms);
    function done() {
      signal?.removeEventListener('abort', done);
      timer.cancel();
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** RFC 3339 UTC string of the clock's current time. */
export function isoNow(clock: Pick<Clock, 'now'>): string {
  return isoTime(clock.now());
}

/** A seeded pseudo-random generator in [0, 1) (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
