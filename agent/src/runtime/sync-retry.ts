// Retrying a sync that could not reach the endpoint (down, overloaded, timed out): exponential backoff with equal
// jitter (core/backoff.ts), so a fleet that lost its endpoint does not come back in lockstep, and the agent does not
// wait for the next 90-minute check-in to pick up what it missed; a saturated endpoint's Retry-After is a floor on the
// wait. Any later successful sync cancels the pending retry. The runtime runs a second one for the report outbox.
import { ERROR_CODES, isErrorCode } from '../../../common/errors.js';
import { equalJitterDelayMs } from '../core/backoff.js';
import { retryDelayMs } from '../core/retry-after.js';

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

const DEFAULT_BASE_MS = 15_000;
const DEFAULT_MAX_MS = 15 * 60_000;

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

  /**
   * Feeds the outcome of a sync that contacted (or tried to contact) the endpoint: its error code, and the wait the
   * endpoint asked for (Retry-After), which the retry honours (plus jitter) even where the backoff is shorter.
   */
  observe(errorCode: string | undefined, retryAfterMs?: number): void {
    if (!isRetryableSyncError(errorCode)) {
      this.attempt = 0;
      this.cancel();
      return;
    }
    if (this.pending) return;
    const policy = { baseMs: this.options.baseMs ?? DEFAULT_BASE_MS, maxMs: this.options.maxMs ?? DEFAULT_MAX_MS };
    const delay = retryDelayMs(equalJitterDelayMs(this.attempt, policy, this.deps.random), retryAfterMs, this.deps.random);
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
