// Periodic check-in: one timer at a time on the injected clock, each run scheduled at a jittered delay after the last
// one finished (MDE's 90 min ± 10 %), so a fleet started together spreads out and never stacks runs.
import type { Clock, TimerHandle } from '../../../common/clock.js';
import { nextCheckinDelayMs } from '../core/schedule.js';

export interface CheckinSchedulerOptions {
  readonly intervalMinutes: number;
  readonly jitterPercent: number;
}

export class CheckinScheduler {
  private timer: TimerHandle | undefined;
  private due: number | undefined;
  private stopped = true;

  constructor(
    private readonly options: CheckinSchedulerOptions,
    private readonly deps: { readonly run: () => Promise<unknown>; readonly clock: Clock },
  ) {}

  start(): void {
    this.stopped = false;
    this.scheduleNext();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.due = undefined;
  }

  /** When the next check-in is due (Unix ms, for `agent status`); undefined while one runs or when stopped. */
  get nextAt(): number | undefined {
    return this.due;
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const { clock } = this.deps;
    const delay = nextCheckinDelayMs(this.options.intervalMinutes, this.options.jitterPercent, clock.random());
    this.due = clock.now() + delay;
    this.timer = clock.setTimer(() => {
      this.due = undefined;
      this.deps
        .run()
        .catch(() => undefined)
        .finally(() => this.scheduleNext());
    }, delay);
  }
}
