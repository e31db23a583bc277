// Retry-After parsing (delay-seconds, bounds, garbage) and the retry delay it implies.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseRetryAfterMs, retryDelayMs } from './retry-after.js';

describe('parseRetryAfterMs', () => {
  it('reads delay-seconds, bounded to one hour', () => {
    expect(parseRetryAfterMs('5')).toBe(5_000);
    expect(parseRetryAfterMs(' 0 ')).toBe(0);
    expect(parseRetryAfterMs('86400')).toBe(MAX_RETRY_AFTER_MS);
  });

  it('ignores an absent or unreadable header', () => {
    for (const header of [undefined, '', '-5', '1.5', 'soon', 'Sun, 22 Nov 2026 10:00:30 GMT', '9'.repeat(13)]) {
      expect(parseRetryAfterMs(header), String(header)).toBeUndefined();
    }
  });

  it('returns a whole wait within bounds or undefined for any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (header) => {
        const ms = parseRetryAfterMs(header);
        return ms === undefined || (Number.isInteger(ms) && ms >= 0 && ms <= MAX_RETRY_AFTER_MS);
      }),
    );
  });
});

describe('retryDelayMs', () => {
  it('keeps the backoff delay when no wait was asked for', () => {
    expect(retryDelayMs(1_000, undefined, () => 0.5)).toBe(1_000);
  });

  it('waits at least Retry-After, jittered up to half of it again, never less than the backoff', () => {
    expect(retryDelayMs(1_000, 10_000, () => 0)).toBe(10_000);
    expect(retryDelayMs(1_000, 10_000, () => 1)).toBe(15_000);
    expect(retryDelayMs(20_000, 10_000, () => 0)).toBe(20_000);
    expect(retryDelayMs(0, 10 * MAX_RETRY_AFTER_MS, () => 0)).toBe(MAX_RETRY_AFTER_MS);
    expect(() => retryDelayMs(0, 1_000, () => 2)).toThrow(RangeError);
  });
});
