// Backoff: growth, cap, equal-jitter bounds, determinism with a fixed random source, and refused input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, equalJitterDelayMs } from './backoff.js';

const policy = { baseMs: 1000, maxMs: 8000 };

describe('equalJitterDelayMs', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 50].map((a) => backoffCeilingMs(a, policy))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect([0, 1, 2, 3, 4].map((a) => equalJitterDelayMs(a, policy, () => 0))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(equalJitterDelayMs(1_000_000, { baseMs: 1, maxMs: 15 * 60_000 }, () => 0.999)).toBeLessThanOrEqual(15 * 60_000);
  });

  it('stays within [ceiling/2, ceiling] for every random draw, and is deterministic for a fixed one', () => {
    fc.assert(
      fc.property(fc.nat(64), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const ceiling = backoffCeilingMs(attempt, policy);
        const delay = equalJitterDelayMs(attempt, policy, () => r);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(equalJitterDelayMs(attempt, policy, () => r)).toBe(delay);
      }),
    );
  });

  it('spreads a fleet: different draws give different delays over the upper half', () => {
    const delays = [0, 0.25, 0.5, 0.75, 0.999].map((r) => equalJitterDelayMs(3, policy, () => r));
    expect(delays).toEqual([4000, 5000, 6000, 7000, 7996]);
  });

  it('refuses a negative or fractional attempt, a bad policy and a random source out of range', () => {
    expect(() => equalJitterDelayMs(-1, policy, () => 0)).toThrow(/attempt must be a whole number/);
    expect(() => equalJitterDelayMs(1.5, policy, () => 0)).toThrow(/attempt/);
    expect(() => equalJitterDelayMs(0, { baseMs: 0, maxMs: 10 }, () => 0)).toThrow(/0 < baseMs ≤ maxMs/);
    expect(() => equalJitterDelayMs(0, { baseMs: 10, maxMs: 5 }, () => 0)).toThrow(/baseMs 10, maxMs 5/);
    expect(() => equalJitterDelayMs(0, policy, () => Number.NaN)).toThrow(/random source/);
    expect(() => equalJitterDelayMs(0, policy, () => 2)).toThrow(/random source/);
  });
});
