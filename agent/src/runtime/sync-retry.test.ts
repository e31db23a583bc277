// Sync retry: backoff bounds, which errors are retried, one pending retry at a time, reset on success.
import { describe, expect, it } from 'vitest';
import { isRetryableSyncError, retryDelayMs, SyncRetry } from './sync-retry.js';

function harness(random = 1) {
  const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  let runs = 0;
  const retry = new SyncRetry(
    { baseMs: 1000, maxMs: 8000 },
    {
      run: () => {
        runs += 1;
      },
      random: () => random,
      setTimer: (fn, ms) => {
        const t = { fn, ms, cancelled: false };
        timers.push(t);
        return {
          cancel: () => {
            t.cancelled = true;
          },
        };
      },
    },
  );
  return { retry, timers, runs: () => runs };
}

describe('retryDelayMs', () => {
  it('doubles from the base, caps at the maximum, and jitters within the upper half', () => {
    expect([0, 1, 2, 3, 4].map((a) => retryDelayMs(a, 1, 1000, 8000))).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(retryDelayMs(2, 0, 1000, 8000)).toBe(2000);
    expect(retryDelayMs(100, 0.5)).toBeLessThanOrEqual(15 * 60_000);
  });
});

describe('isRetryableSyncError', () => {
  it('retries unreachable or failing endpoints, not refused policies', () => {
    expect(isRetryableSyncError('ENDPOINT_UNREACHABLE')).toBe(true);
    expect(isRetryableSyncError('ENDPOINT_ERROR')).toBe(true);
    expect(isRetryableSyncError('POLICY_SIGNATURE_INVALID')).toBe(false);
    expect(isRetryableSyncError('POLICY_DOWNGRADE')).toBe(false);
    expect(isRetryableSyncError(undefined)).toBe(false);
    expect(isRetryableSyncError('NOT_A_CODE')).toBe(false);
  });
});

describe('SyncRetry', () => {
  it('schedules one retry per failure with growing delays, and runs the sync when it fires', () => {
    const h = harness();
    h.retry.observe('ENDPOINT_UNREACHABLE');
    h.retry.observe('ENDPOINT_UNREACHABLE'); // still pending: no second timer
    expect(h.timers.map((t) => t.ms)).toEqual([1000]);
    h.timers[0]?.fn();
    expect(h.runs()).toBe(1);
    h.retry.observe('ENDPOINT_UNREACHABLE');
    expect(h.timers.map((t) => t.ms)).toEqual([1000, 2000]);
  });

  it('cancels the pending retry and resets the backoff after a successful sync', () => {
    const h = harness();
    h.retry.observe('ENDPOINT_ERROR');
    h.retry.observe(undefined);
    expect(h.timers[0]?.cancelled).toBe(true);
    h.retry.observe('ENDPOINT_ERROR');
    expect(h.timers[1]?.ms).toBe(1000);
  });

  it('does not retry a refused policy set', () => {
    const h = harness();
    h.retry.observe('POLICY_SIGNATURE_INVALID');
    expect(h.timers).toEqual([]);
  });
});
