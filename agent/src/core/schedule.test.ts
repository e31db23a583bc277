import { describe, expect, it } from 'vitest';
import { nextCheckinDelayMs } from './schedule.js';

describe('nextCheckinDelayMs', () => {
  it('spreads the 90-minute check-in by ±jitter', () => {
    expect(nextCheckinDelayMs(90, 10, 0)).toBe(81 * 60_000);
    expect(nextCheckinDelayMs(90, 10, 0.5)).toBe(90 * 60_000);
    expect(nextCheckinDelayMs(90, 10, 0.999999)).toBeLessThanOrEqual(99 * 60_000);
    expect(nextCheckinDelayMs(90, 0, 0.7)).toBe(90 * 60_000);
  });
});
