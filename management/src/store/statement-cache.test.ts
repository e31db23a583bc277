// The statement cache: one prepared statement per SQL text, least recently used dropped beyond the capacity, and a
// store over it answering queries as before (repeated and interleaved statements, transactions).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.js';

let db: BetterSqlite3.Database | undefined;
afterEach(() => {
  if (db?.open) db.close();
});

function counted(capacity?: number) {
  db = new BetterSqlite3(':memory:');
  const real = db;
  const prepared: string[] = [];
  const cache = withStatementCache(
    {
      close: () => real.close(),
      prepare: (sql) => {
        prepared.push(sql);
        return real.prepare(sql);
      },
    },
    capacity,
  );
  return { cache, prepared };
}

describe('withStatementCache', () => {
  it('prepares each SQL text once and returns the same statement again', () => {
    const { cache, prepared } = counted();
    const a = cache.prepare('select 1 as one');
    const b = cache.prepare('select 1 as one');
    expect(b).toBe(a);
    expect(b.all([])).toEqual([{ one: 1 }]);
    cache.prepare('select ? as two');
    expect(prepared).toEqual(['select 1 as one', 'select ? as two']);
    expect(cache.cached).toBe(2);
  });

  it('drops the least recently used statement beyond its capacity', () => {
    const { cache, prepared } = counted(2);
    cache.prepare('select 1');
    cache.prepare('select 2');
    cache.prepare('select 1'); // 1 is now the most recent
    cache.prepare('select 3'); // drops 2
    expect(cache.cached).toBe(2);
    cache.prepare('select 1');
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3']);
    cache.prepare('select 2');
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3', 'select 2']);
  });

  it('refuses a capacity that is not a positive integer', () => {
    db = new BetterSqlite3(':memory:');
    expect(() => withStatementCache(db as BetterSqlite3.Database, 0)).toThrow(/positive integer, got 0/);
  });

  it('keeps answering correctly across writes, parameters and a closed database', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attache-stmt-cache-'));
    try {
      db = new BetterSqlite3(join(dir, 'db.sqlite'));
      const cache = withStatementCache(db);
      cache.prepare('create table t (k text primary key, v integer)').run([]);
      for (let i = 0; i < 5; i++) cache.prepare('insert into t (k, v) values (?, ?)').run([`k${i}`, i]);
      expect(cache.prepare('select v from t where k = ?').all(['k3'])).toEqual([{ v: 3 }]);
      expect(cache.prepare('select v from t where k = ?').all(['k4'])).toEqual([{ v: 4 }]);
      expect(cache.prepare('select count(*) as n from t').all([])).toEqual([{ n: 5 }]);
      cache.close();
      expect(cache.cached).toBe(0);
      expect(db.open).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
