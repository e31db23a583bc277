// Prepared-statement cache for the SQLite store: kysely's SqliteDialect calls `prepare(sql)` on every execution, and
// preparing (parsing + planning) costs more than running the small indexed queries of the device path. This wraps the
// better-sqlite3 database handed to the dialect so each SQL text is prepared once and reused (bounded LRU).
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Statements kept per connection: the store issues a few hundred distinct SQL texts at most (batch sizes included). */
export const STATEMENT_CACHE_SIZE = 500;

/** What the cache needs of a better-sqlite3 statement: `busy` is true while an iterator over it is open. */
interface CacheableStatement extends SqliteStatement {
  readonly busy?: boolean;
}

interface PreparingDatabase {
  prepare(sql: string): CacheableStatement;
  close(): unknown;
}

/** The database as SqliteDialect sees it, preparing each SQL text once; `size` is for tests. */
export interface CachingDatabase extends SqliteDatabase {
  readonly size: number;
}

/**
 * Wraps `db` so `prepare` returns the cached statement for a SQL text seen before (least recently used ones are dropped
 * beyond `capacity`). A statement still being iterated (a streamed query) is not handed out twice: that call gets a
 * fresh one. SQLite re-prepares a cached statement by itself when a migration changes the schema.
 */
export function cachingDatabase(db: PreparingDatabase, capacity = STATEMENT_CACHE_SIZE): CachingDatabase {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`statement cache capacity must be a positive integer, got ${capacity}`);
  const cache = new Map<string, CacheableStatement>();
  return {
    prepare(text: string): SqliteStatement {
      // kysely opens transactions with a deferred BEGIN: a transaction that reads, then writes while another process
      // wrote meanwhile fails with SQLITE_BUSY at once. BEGIN IMMEDIATE takes the write lock first, so the busy timeout
      // applies and transactions of two processes on one file run one after the other (transactions.ts).
      const sql = text === 'begin' ? 'begin immediate' : text;
      const hit = cache.get(sql);
      if (hit !== undefined) {
        if (hit.busy === true) return db.prepare(sql);
        // Map keeps insertion order: re-inserting marks it most recently used.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = db.prepare(sql);
      cache.set(sql, stmt);
      if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
      return stmt;
    },
    close(): void {
      cache.clear();
      db.close();
    },
    get size() {
      return cache.size;
    },
  };
}
