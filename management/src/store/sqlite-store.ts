// ManagementStore on SQLite (better-sqlite3 through kysely): one file `db.sqlite` in the data dir, WAL, in-code
// migrations. kysely serialises all queries of the one connection, so a transaction here is never interleaved with
// another request. Statements are prepared once per SQL text (statement-cache.ts). The queries are sql-store.ts's.
import { closeSync, openSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { migratedStore } from './sql-store.js';
import { cachingDatabase } from './statement-cache.js';
import type { ManagementStore } from './store.js';

/** Where the SQLite file lives and how long a writer waits for a lock held by another process. */
export interface SqliteStoreOptions {
  readonly file: string;
  readonly busyTimeoutMs?: number;
}

/** Opens (creating if needed) the SQLite database and migrates it to the latest schema. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<ManagementStore> {
  // Create the file 0600 first: SQLite gives its -wal and -shm files the same mode as the database.
  closeSync(openSync(options.file, 'a', 0o600));
  const raw = new BetterSqlite3(options.file);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  raw.pragma('foreign_keys = ON');
  raw.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingDatabase(raw) }), plugins: [new CamelCasePlugin()] });
  return migratedStore(db);
}
