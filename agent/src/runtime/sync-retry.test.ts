// Sync retry: backoff bounds, which errors are retried, one pending retry at a time, reset on success.
import { describe, expect, it } from 'vitest';
import { isRetryableSyncError, SyncRetry } from './sync-retry.js';

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

  it('jitters each delay with equal jitter: half the ceiling at random 0', () => {
    const h = harness(0);
    for (let i = 0; i < 5; i++) {
      h.retry.observe('ENDPOINT_UNREACHABLE');
      h.timers.at(-1)?.fn();
    }
    expect(h.timers.map((t) => t.ms)).toEqual([500, 1000, 2000, 4000, 4000]);
  });

  it('cancels the pending retry and resets the backoff after a successful sync', () => {
    const h = harness();
    h.retry.observe('ENDPOINT_ERROR');
    h.retry.observe(undefined);
    expect(h.timers[0]?.cancelled).toBe(true);
    h.retry.observe('ENDPOINT_ERROR');
    expect(h.timers[1]?.ms).toBe(1000);
  });

  it('waits at least the Retry-After of a saturated endpoint, jittered, when it is longer than the backoff', () => {
    const h = harness(0);
    h.retry.observe('ENDPOINT_BUSY', 30_000);
    expect(h.timers.map((t) => t.ms)).toEqual([30_000]);
    h.timers[0]?.fn();
    h.retry.observe('ENDPOINT_BUSY', 100);
    expect(h.timers.map((t) => t.ms)).toEqual([30_000, 1000]);
    const jittered = harness(1);
    jittered.retry.observe('RATE_LIMITED', 30_000);
    expect(jittered.timers.map((t) => t.ms)).toEqual([45_000]);
  });

  it('does not retry a refused policy set', () => {
    const h = harness();
    h.retry.observe('POLICY_SIGNATURE_INVALID');
    expect(h.timers).toEqual([]);
  });
});
