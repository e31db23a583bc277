// Shared by the store benchmarks: run one benchmark on a fresh SQLite store and, when PostgreSQL is installed, on a
// database of a scratch cluster (or on one of them); and time an operation (one warm-up, then N runs → p50/p95/p99/min/max).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresStore } from '../management/src/store/postgres-store.js';
import { postgresBinDir, startScratchPostgres } from '../management/src/store/scratch-postgres.js';
import { openSqliteStore } from '../management/src/store/sqlite-store.js';
import type { ManagementStore } from '../management/src/store/store.js';
import { quantile, stats } from './stats.js';

/** `bench`'s result per engine (`sqlite`, `postgres`, or why PostgreSQL was skipped); each store is closed after it. */
export async function onStoreEngines(name: string, bench: (store: ManagementStore, engine: string) => Promise<unknown>): Promise<Record<string, unknown>> {
  return { sqlite: await onStoreEngine(name, 'sqlite', bench), postgres: await onStoreEngine(name, 'postgres', bench) };
}

/**
 * `bench`'s result on one engine: a fresh SQLite file, or a database of a scratch PostgreSQL cluster (a string saying
 * why it was skipped when PostgreSQL is not installed). The store, cluster and files are removed after it.
 */
export async function onStoreEngine(
  name: string,
  engine: 'sqlite' | 'postgres',
  bench: (store: ManagementStore, engine: string) => Promise<unknown>,
): Promise<unknown> {
  const run = async (open: () => Promise<ManagementStore>) => {
    const store = await open();
    try {
      return await bench(store, engine);
    } finally {
      await store.close();
    }
  };
  if (engine === 'postgres') {
    if (!postgresBinDir()) return 'skipped: PostgreSQL is not installed';
    const cluster = await startScratchPostgres();
    try {
      return await run(async () => openPostgresStore({ url: await cluster.createDatabase(), poolSize: 4 }));
    } finally {
      cluster.stop();
    }
  }
  const dir = await mkdtemp(join(tmpdir(), `attache-${name}-bench-`));
  try {
    return await run(() => openSqliteStore({ file: join(dir, 'db.sqlite') }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `run` once to warm up (statement preparation, caches), then `runs` times timed. */
export async function timed(runs: number, run: () => Promise<unknown>) {
  await run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  const { median, p95, min, max } = stats(samples);
  return { p50Ms: median, p99Ms: Math.round(quantile(samples, 0.99) * 10) / 10, p95Ms: p95, minMs: min, maxMs: max };
}
