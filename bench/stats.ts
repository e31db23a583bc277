// Shared by the benchmarks: order statistics of a sample and the machine the numbers came from.
import { cpus, release, totalmem } from 'node:os';

export interface Stats {
  readonly median: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number[];
}

/** Median, p95 (nearest rank), min and max of the samples, which are kept for the record. */
export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
  return { median: at(0.5), p95: at(0.95), min: sorted[0] as number, max: sorted[sorted.length - 1] as number, samples };
}

export function machine() {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), node: process.version };
}
