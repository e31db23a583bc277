import { describe, expect, it } from 'vitest';
import { histogram, median, niceStep, percentile, summarize } from './stats.js';

describe('stats', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('summarizes unsorted samples', () => {
    expect(summarize([3, 1, 2])).toMatchObject({ count: 3, min: 1, p50: 2, max: 3, mean: 2 });
    expect(summarize([])).toEqual({ count: 0 });
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('puts every value in exactly one bucket of a readable width', () => {
    const values = [0, 1, 9, 10, 99, 250];
    const buckets = histogram(values, 10);
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(values.length);
    expect([1, 2, 5].some((m) => (buckets[0]?.to ?? 0) / m === 10 ** Math.round(Math.log10((buckets[0]?.to ?? 1) / m)))).toBe(true);
    expect(buckets.at(-1)?.to).toBeGreaterThanOrEqual(250);
    expect(niceStep(0.3)).toBe(0.5);
    expect(niceStep(7)).toBe(10);
  });
});
