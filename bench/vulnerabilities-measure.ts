// Measuring the vulnerability benchmark's phases: wall time, this process's CPU, peak RSS and V8 heap (sampled every
// 50 ms, and at each phase's end), the load average, and the time spent inside each VulnerabilityStore method.
import { loadavg } from 'node:os';
import type { VulnerabilityStore } from '../management/src/store/vulnerability-store.js';
import { quantile } from './stats.js';

const MiB = 2 ** 20;
const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Per-upload style latency summary of samples in ms. */
export function latency(samples: readonly number[]) {
  return {
    count: samples.length,
    p50Ms: round(quantile(samples, 0.5), 2),
    p99Ms: round(quantile(samples, 0.99), 2),
    maxMs: round(Math.max(...samples), 2),
    totalS: round(samples.reduce((a, b) => a + b, 0) / 1000, 2),
  };
}

/** Time and calls per store method (a Proxy the service is given instead of the store). */
export class StoreTimer {
  private readonly spent = new Map<string, { calls: number; ms: number }>();

  wrap<S extends VulnerabilityStore>(store: S): S {
    const spent = this.spent;
    return new Proxy(store, {
      get(target, key) {
        const value = Reflect.get(target, key, target);
        if (typeof value !== 'function') return value;
        const name = String(key);
        if (name === 'deviceSoftwarePages') return value.bind(target);
        return async (...args: unknown[]) => {
          const started = performance.now();
          try {
            return await value.apply(target, args);
          } finally {
            const entry = spent.get(name) ?? { calls: 0, ms: 0 };
            entry.calls++;
            entry.ms += performance.now() - started;
            spent.set(name, entry);
          }
        };
      },
    });
  }

  /** The methods' totals since the last take (seconds, most first), then reset. */
  take(): Record<string, { calls: number; seconds: number }> {
    const out = [...this.spent.entries()].sort((a, b) => b[1].ms - a[1].ms).map(([k, v]) => [k, { calls: v.calls, seconds: round(v.ms / 1000, 2) }]);
    this.spent.clear();
    return Object.fromEntries(out);
  }
}

/** One phase's figures. */
export interface PhaseFigures {
  readonly wallS: number;
  readonly cpuS: number;
  readonly peakRssMiB: number;
  readonly peakHeapUsedMiB: number;
  readonly load1: readonly [number, number];
  readonly storeSeconds: number;
  readonly store: Record<string, { calls: number; seconds: number }>;
}

/** Samples memory all along; `phase` measures one async step. */
export class Meter {
  private peakRss = 0;
  private peakHeap = 0;
  private readonly timer = setInterval(() => this.sample(), 50);

  constructor(readonly store: StoreTimer) {
    this.timer.unref();
  }

  private sample(): void {
    const m = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, m.rss);
    this.peakHeap = Math.max(this.peakHeap, m.heapUsed);
  }

  async phase<T>(name: string, work: () => Promise<T>): Promise<{ value: T; figures: PhaseFigures }> {
    this.sample();
    this.peakRss = 0;
    this.peakHeap = 0;
    this.sample();
    this.store.take();
    const load = loadavg()[0] as number;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const value = await work();
    const wall = performance.now() - started;
    const used = process.cpuUsage(cpu);
    this.sample();
    const store = this.store.take();
    const figures: PhaseFigures = {
      wallS: round(wall / 1000, 2),
      cpuS: round((used.user + used.system) / 1e6, 2),
      peakRssMiB: Math.round(this.peakRss / MiB),
      peakHeapUsedMiB: Math.round(this.peakHeap / MiB),
      load1: [round(load, 2), round(loadavg()[0] as number, 2)],
      storeSeconds: round(
        Object.values(store).reduce((a, b) => a + b.seconds, 0),
        2,
      ),
      store,
    };
    process.stdout.write(`${name}: ${figures.wallS} s wall, ${figures.cpuS} s CPU, peak RSS ${figures.peakRssMiB} MiB, heap ${figures.peakHeapUsedMiB} MiB\n`);
    return { value, figures };
  }

  stop(): { maxRssMiB: number } {
    clearInterval(this.timer);
    return { maxRssMiB: Math.round((process.resourceUsage().maxRSS * 1024) / MiB) };
  }
}
