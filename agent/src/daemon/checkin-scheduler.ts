// Periodic check-in with node-schedule: one job at a time, each scheduled at a jittered delay after the last run.
import schedule from 'node-schedule';
import { nextCheckinDelayMs } from '../core/schedule.js';

export interface CheckinSchedulerOptions {
  readonly intervalMinutes: number;
  readonly jitterPercent: number;
}

export class CheckinScheduler {
  private job: schedule.Job | undefined;
  private stopped = true;

  constructor(
    private readonly options: CheckinSchedulerOptions,
    private readonly deps: { readonly run: () => Promise<unknown>; readonly now: () => number; readonly random: () => number },
  ) {}

  start(): void {
    this.stopped = false;
    this.scheduleNext();
  }

  stop(): void {
    this.stopped = true;
    this.job?.cancel();
    this.job = undefined;
  }

  /** When the next check-in is due (for `agent status`). */
  get nextAt(): Date | undefined {
    return this.job?.nextInvocation() ?? undefined;
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const at = new Date(this.deps.now() + nextCheckinDelayMs(this.options.intervalMinutes, this.options.jitterPercent, this.deps.random()));
    this.job = schedule.scheduleJob(at, () => {
      this.deps
        .run()
        .catch(() => undefined)
        .finally(() => this.scheduleNext());
    });
  }
}
