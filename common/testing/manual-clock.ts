// Test support: a Clock that moves only when told to. Due timers fire in time order; `tick()` awaits the work of
// repeating timers, so tests advance time and then assert, with no sleeps and no patched globals.
import type { Clock, TimerHandle } from '../clock.js';
import { seededRandom } from '../clock.js';

interface Pending {
  at: number;
  readonly seq: number;
  readonly run: () => unknown;
  /** Set for repeating timers. */
  readonly intervalMs: number | undefined;
  cancelled: boolean;
}

/** A clock that moves only when told to, with a seeded jitter source (seed 1 unless given). */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers: Pending[] = [];
  readonly random: () => number;

  constructor(start = 0, options: { readonly random?: () => number; readonly seed?: number } = {}) {
    this.time = start;
    this.random = options.random ?? seededRandom(options.seed ?? 1);
  }

  now(): number {
    return this.time;
  }

  /** Sets the time without firing timers (a clock jump). */
  set(ms: number): void {
    this.time = ms;
  }

  setTimer(run: () => unknown, ms: number): TimerHandle {
    return this.add(run, ms, undefined);
  }

  every(ms: number, run: () => unknown): TimerHandle {
    return this.add(run, ms, Math.max(1, ms));
  }

  /** Timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Intervals of the running repeating timers (to check configuration reached the timer). */
  intervals(): number[] {
    return this.timers.filter((t) => !t.cancelled && t.intervalMs !== undefined).map((t) => t.intervalMs as number);
  }

  /** Fires every repeating timer once now, without moving time, and waits for each tick's work. */
  async tick(): Promise<void> {
    await Promise.all(this.timers.filter((t) => !t.cancelled && t.intervalMs !== undefined).map((t) => t.run()));
    await settle();
  }

  /** Moves time forward by `ms`, firing every timer that falls due (in time order), letting promises settle between. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.time = Math.max(this.time, next.at);
      if (next.intervalMs === undefined) this.timers.splice(this.timers.indexOf(next), 1);
      else next.at += next.intervalMs;
      // Not awaited: a tick's work may itself wait on this clock; settle() lets what it can finish now finish.
      void next.run();
      await settle();
    }
    this.time = end;
    await settle();
  }

  private add(run: () => unknown, ms: number, intervalMs: number | undefined): TimerHandle {
    const pending: Pending = { at: this.time + Math.max(0, ms), seq: this.seq++, run, intervalMs, cancelled: false };
    this.timers.push(pending);
    return {
      cancel: () => {
        pending.cancelled = true;
        const i = this.timers.indexOf(pending);
        if (i >= 0) this.timers.splice(i, 1);
      },
    };
  }
}

/** Lets pending promise callbacks (and I/O they started with immediate completion) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
