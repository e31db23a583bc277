// Shared by the benchmarks: order statistics of a sample and the machine the numbers came from.
import { cpus, release, totalmem } from 'node:os';

export interface Stats {
  readonly median: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number[];
}

/** The q-quantile of the samples (nearest rank), e.g. 0.99 for p99. */
export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1))] as number;
}

/** Median, p95 (nearest rank), min and max of the samples (kept for the record), rounded to 0.1. */
export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((x, y) => x - y);
  const at = (q: number) => quantile(sorted, q);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    median: round(at(0.5)),
    p95: round(at(0.95)),
    min: round(sorted[0] as number),
    max: round(sorted[sorted.length - 1] as number),
    samples: samples.map(round),
  };
}

export function machine() {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), node: process.version };
}
