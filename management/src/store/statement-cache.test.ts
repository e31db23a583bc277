// Tests of the prepared-statement cache: one prepare per SQL text, least recently used dropped beyond capacity, and a
// statement still being iterated never handed out twice.
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachingDatabase } from './statement-cache.js';

let raw: BetterSqlite3.Database;
let prepared: string[];

beforeEach(() => {
  raw = new BetterSqlite3(':memory:');
  raw.exec('create table t (n integer)');
  raw.exec('insert into t values (1), (2), (3)');
  prepared = [];
});

afterEach(() => {
  if (raw.open) raw.close();
});

// The real database, with every prepare recorded.
function counted() {
  return {
    prepare: (sql: string) => {
      prepared.push(sql);
      return raw.prepare(sql);
    },
    close: () => raw.close(),
  };
}

describe('cachingDatabase', () => {
  it('prepares each SQL text once and reuses the statement', () => {
    const db = cachingDatabase(counted());
    const a = db.prepare('select n from t where n > ?');
    expect(a.all([1])).toEqual([{ n: 2 }, { n: 3 }]);
    const again = db.prepare('select n from t where n > ?');
    expect(again).toBe(a);
    expect(again.all([2])).toEqual([{ n: 3 }]);
    expect(db.prepare('insert into t values (?)').run([4]).changes).toBe(1);
    expect(prepared).toEqual(['select n from t where n > ?', 'insert into t values (?)']);
  });

  it('drops the least recently used statement beyond its capacity', () => {
    const db = cachingDatabase(counted(), 2);
    db.prepare('select 1');
    db.prepare('select 2');
    db.prepare('select 1');
    db.prepare('select 3');
    expect(db.size).toBe(2);
    db.prepare('select 1');
    db.prepare('select 2');
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3', 'select 2']);
  });

  it('gives a fresh statement while the cached one is being iterated', () => {
    const db = cachingDatabase(counted());
    const iterating = db.prepare('select n from t order by n').iterate([]);
    expect(iterating.next().value).toEqual({ n: 1 });
    expect(db.prepare('select n from t order by n').all([])).toHaveLength(3);
    expect(iterating.next().value).toEqual({ n: 2 });
    iterating.return?.();
    expect(prepared).toHaveLength(2);
  });

  it('opens transactions with BEGIN IMMEDIATE, so a second process waits for the write lock instead of failing', () => {
    const db = cachingDatabase(counted());
    db.prepare('begin').run([]);
    expect(raw.inTransaction).toBe(true);
    db.prepare('commit').run([]);
    expect(prepared).toEqual(['begin immediate', 'commit']);
  });

  it('closes the database and refuses a capacity that is not a positive integer', () => {
    cachingDatabase(counted()).close();
    expect(raw.open).toBe(false);
    expect(() => cachingDatabase(counted(), 0)).toThrow('statement cache capacity must be a positive integer, got 0');
  });
});
