// Debug-only memory report of the endpoint process, for benchmarks (`serve --debug-memory-file <path>`, hidden): on
// SIGUSR2 it runs a full GC when node was started with --expose-gc, then writes RSS and V8 heap figures to the file.
import { writeFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

/** What the report file holds (one JSON object, rewritten on each signal). */
export interface MemoryReport {
  /** Increases by one per report, so a reader can tell a fresh report from the previous one. */
  readonly seq: number;
  readonly gc: boolean;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  readonly externalBytes: number;
  readonly arrayBuffersBytes: number;
  /** V8's malloc'ed memory (not the JS heap): compiled code metadata, zone memory. */
  readonly mallocedBytes: number;
}

/** Installs the SIGUSR2 handler; returns a function that removes it. */
export function installMemoryReport(file: string): () => void {
  let seq = 0;
  const onSignal = () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const usage = process.memoryUsage();
    const report: MemoryReport = {
      seq: ++seq,
      gc: gc !== undefined,
      rssBytes: usage.rss,
      heapUsedBytes: usage.heapUsed,
      heapTotalBytes: usage.heapTotal,
      externalBytes: usage.external,
      arrayBuffersBytes: usage.arrayBuffers,
      mallocedBytes: getHeapStatistics().malloced_memory,
    };
    writeFileSync(file, `${JSON.stringify(report)}\n`);
  };
  process.on('SIGUSR2', onSignal);
  return () => process.off('SIGUSR2', onSignal);
}
