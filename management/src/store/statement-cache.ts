// Prepared statements reused by SQL text: kysely's SQLite driver prepares every query it runs, and preparing (parse
// and plan) cost more than running most of our queries. The cache is bounded (IN lists make many distinct texts).
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** How many distinct statements stay prepared; the least recently used is dropped beyond that. */
export const STATEMENT_CACHE_SIZE = 512;

/** The database as kysely's SqliteDialect sees it, with `prepare` answered from a bounded LRU cache of statements. */
export function withStatementCache(db: SqliteDatabase, capacity = STATEMENT_CACHE_SIZE): SqliteDatabase & { readonly cached: number } {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`statement cache capacity must be a positive integer, got ${capacity}`);
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const statements = new Map<string, SqliteStatement>();
  return {
    get cached() {
      return statements.size;
    },
    close() {
      statements.clear();
      db.close();
    },
    prepare(sql) {
      const hit = statements.get(sql);
      if (hit) {
        statements.delete(sql);
        statements.set(sql, hit);
        return hit;
      }
      const statement = db.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > capacity) statements.delete(statements.keys().next().value as string);
      return statement;
    },
  };
}
