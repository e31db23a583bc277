// Retrying a sync that could not reach the endpoint (down, overloaded, timed out): exponential backoff with full
// jitter, so a fleet that lost its endpoint does not come back in lockstep, and the agent does not wait for the next
// 90-minute check-in to pick up what it missed. Any later successful sync cancels the pending retry.
import { ERROR_CODES, isErrorCode } from '../../../common/errors.js';

export interface SyncRetryOptions {
  /** First retry delay before jitter (default 15 s); doubles per failure. */
  readonly baseMs?: number;
  /** Longest delay (default 15 min). */
  readonly maxMs?: number;
}

export interface SyncRetryDeps {
  readonly run: () => void;
  readonly random: () => number;
  readonly setTimer: (fn: () => void, ms: number) => { cancel(): void };
}

/** Delay before retry number `attempt` (0-based): between half and all of min(max, base · 2^attempt). */
export function retryDelayMs(attempt: number, random: number, baseMs = 15_000, maxMs = 15 * 60_000): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/** True when the sync's error means "try again later" (endpoint unreachable or erroring), not a refused policy. */
export function isRetryableSyncError(code: string | undefined): boolean {
  return code !== undefined && isErrorCode(code) && ERROR_CODES[code].retryable && code !== 'INTERNAL';
}

export class SyncRetry {
  private attempt = 0;
  private pending: { cancel(): void } | undefined;

  constructor(
    private readonly options: SyncRetryOptions,
    private readonly deps: SyncRetryDeps,
  ) {}

  /** Feeds the outcome of a sync that contacted (or tried to contact) the endpoint. */
  observe(errorCode: string | undefined): void {
    if (!isRetryableSyncError(errorCode)) {
      this.attempt = 0;
      this.cancel();
      return;
    }
    if (this.pending) return;
    const delay = retryDelayMs(this.attempt, this.deps.random(), this.options.baseMs, this.options.maxMs);
    this.attempt += 1;
    this.pending = this.deps.setTimer(() => {
      this.pending = undefined;
      this.deps.run();
    }, delay);
  }

  cancel(): void {
    this.pending?.cancel();
    this.pending = undefined;
  }
}
