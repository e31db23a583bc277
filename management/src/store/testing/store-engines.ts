// The store contract suite's engines: every store test that is not about one engine runs once on SQLite and once on
// PostgreSQL (a scratch cluster per test file, a fresh database per store), through `describe.each(STORE_ENGINES)`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { openPostgresStore } from '../postgres-store.js';
import { type ScratchPostgres, startScratchPostgres } from '../scratch-postgres.js';
import { openSqliteStore } from '../sqlite-store.js';
import type { ManagementStore } from '../store.js';

export const STORE_ENGINES = ['sqlite', 'postgres'] as const;
export type StoreEngineName = (typeof STORE_ENGINES)[number];

/** Opens empty stores of one engine; `dispose` (in afterAll) removes every database and file it made. */
export interface StoreEngine {
  readonly name: StoreEngineName;
  open(): Promise<ManagementStore>;
  /** Two stores on one new database, as two endpoint processes (replicas) would open it. */
  openPair(): Promise<[ManagementStore, ManagementStore]>;
  /** PostgreSQL: the URL of the database opened last (a test's own connection to it: a lock held from outside). */
  lastUrl(): string | undefined;
  dispose(): Promise<void>;
}

export function storeEngine(name: StoreEngineName): StoreEngine {
  const dirs: string[] = [];
  let cluster: Promise<ScratchPostgres> | undefined;
  let lastUrl: string | undefined;
  const newDatabase = async (): Promise<() => Promise<ManagementStore>> => {
    if (name === 'sqlite') {
      const dir = await mkdtemp(join(tmpdir(), 'attache-store-'));
      dirs.push(dir);
      return () => openSqliteStore({ file: join(dir, 'db.sqlite') });
    }
    cluster ??= startScratchPostgres();
    const url = await (await cluster).createDatabase();
    lastUrl = url;
    return () => openPostgresStore({ url, poolSize: 4 });
  };
  return {
    name,
    async open() {
      return (await newDatabase())();
    },
    async openPair() {
      const open = await newDatabase();
      const first = await open();
      return [first, await open()];
    },
    lastUrl: () => lastUrl,
    async dispose() {
      for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
      if (cluster) (await cluster).stop();
      cluster = undefined;
    },
  };
}

/**
 * In the current describe: a fresh store of `name` before each test (handed to `use`), closed after it, and the
 * engine's databases removed after all. Returns the engine for tests that open more (openPair).
 */
export function freshStorePerTest(name: StoreEngineName, use: (store: ManagementStore) => void): StoreEngine {
  const engine = storeEngine(name);
  let current: ManagementStore | undefined;
  beforeEach(async () => {
    current = await engine.open();
    use(current);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  afterAll(() => engine.dispose());
  return engine;
}
