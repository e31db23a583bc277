// Tests of prepared queries: built once per database dialect, executed with each call's values, in and out of
// transactions, with the camel-case plugin's result mapping kept.
import BetterSqlite3 from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { columnsOf, prepareQuery } from './prepared-queries.js';

interface Db {
  things: { thingId: string; colour: string | null; size: number };
}

const open: Kysely<Db>[] = [];
async function database(): Promise<Kysely<Db>> {
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }), plugins: [new CamelCasePlugin()] });
  await db.schema
    .createTable('things')
    .addColumn('thing_id', 'text', (c) => c.primaryKey())
    .addColumn('colour', 'text')
    .addColumn('size', 'integer')
    .execute();
  open.push(db);
  return db;
}

afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
});

describe('prepareQuery', () => {
  it('builds once per database and runs with each call’s values, in a transaction too', async () => {
    let builds = 0;
    const insert = prepareQuery((db: Kysely<Db>, p: Db['things']) => {
      builds++;
      return db.insertInto('things').values(columnsOf(p, ['thingId', 'colour', 'size']));
    });
    const bySize = prepareQuery((db: Kysely<Db>, p: { min: number }) =>
      db.selectFrom('things').select(['thingId', 'colour']).where('size', '>=', p.min).where('colour', 'is not', null).orderBy('thingId'),
    );
    const db = await database();
    await insert.run(db, { thingId: 'a', colour: 'red', size: 1 });
    await db.transaction().execute(async (trx) => {
      await insert.run(trx, { thingId: 'b', colour: null, size: 5 });
      await insert.run(trx, { thingId: 'c', colour: 'blue', size: 9 });
    });
    expect(builds).toBe(1);
    expect(await bySize.all(db, { min: 2 })).toEqual([{ thingId: 'c', colour: 'blue' }]);
    expect(await bySize.all(db, { min: 0 })).toEqual([
      { thingId: 'a', colour: 'red' },
      { thingId: 'c', colour: 'blue' },
    ]);
    expect(await bySize.first(db, { min: 10 })).toBeUndefined();

    // Another database (another dialect instance) gets its own compiled form.
    const other = await database();
    await insert.run(other, { thingId: 'z', colour: 'green', size: 3 });
    expect(builds).toBe(2);
    expect(await bySize.all(other, { min: 0 })).toEqual([{ thingId: 'z', colour: 'green' }]);
  });

  it('refuses a call without a value the query needs', async () => {
    const byId = prepareQuery((db: Kysely<Db>, p: { thingId: string }) => db.selectFrom('things').selectAll().where('thingId', '=', p.thingId));
    const db = await database();
    await expect(byId.first(db, {} as { thingId: string })).rejects.toThrow('prepared query parameter thingId is missing');
  });
});
