// Shared by the benchmarks: order statistics of a sample and the machine the numbers came from.
import { cpus, release, totalmem } from 'node:os';

export interface Stats {
  readonly median: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number[];
}

/** Median, p95 (nearest rank), min and max of the samples (kept for the record), rounded to 0.1. */
export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
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
