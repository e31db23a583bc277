// Summary statistics of latency samples: percentiles (nearest rank), histogram buckets.

/** p50/p95/p99/max and friends of a sample, in the sample's unit; undefined fields when it is empty. */
export interface Summary {
  readonly count: number;
  readonly min?: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly p99?: number;
  readonly max?: number;
  readonly mean?: number;
}

/** Nearest-rank percentile of an ascending array (p in 0–100). */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    min: sorted[0],
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
    mean: sum / sorted.length,
  };
}

/** Median of a list (the middle value, or the mean of the two middle values). */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** One histogram bar: values in [from, to). */
export interface Bucket {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** `bins` equal-width buckets from 0 to the max (the last one closed). */
export function histogram(values: readonly number[], bins = 30): Bucket[] {
  if (values.length === 0) return [];
  const max = Math.max(...values);
  const width = max > 0 ? niceStep(max / bins) : 1;
  const count = Math.max(1, Math.ceil((max + Number.EPSILON) / width));
  const buckets = Array.from({ length: count }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: 0 }));
  for (const v of values) {
    const bucket = buckets[Math.min(count - 1, Math.floor(v / width))];
    if (bucket) bucket.count++;
  }
  return buckets;
}

/** The smallest 1, 2 or 5 × 10^n not below x (readable axis steps). */
export function niceStep(x: number): number {
  if (x <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * power >= x) return m * power;
  return 10 * power;
}
