// Time as a dependency: the current time and one-shot timers. The daemon uses the system clock; tests drive a
// ManualClock (advance time, due timers fire in order) instead of sleeping or patching globals.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Calls `run` once after `ms`; the timer does not keep the process alive. */
  setTimer(run: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(run, ms) {
    const timer = setTimeout(run, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers: Pending[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(run: () => void, ms: number): TimerHandle {
    const pending: Pending = { at: this.time + Math.max(0, ms), seq: this.seq++, run, cancelled: false };
    this.timers.push(pending);
    return {
      cancel: () => {
        pending.cancelled = true;
      },
    };
  }

  /** Timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due (in time order), letting promises settle between. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const live = this.timers.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = live[0];
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.time = next.at;
      next.run();
      await settle();
    }
    this.time = end;
    await settle();
  }
}

/** Lets pending promise callbacks (and I/O they started with immediate completion) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
