// Tests of the batching mechanism: BatchQueue gathers one turn's arrivals and queues the rest behind a running batch;
// GroupCommit writes them in one transaction (counted from kysely's query log), isolates a failing write with its
// savepoint and never acknowledges a write whose COMMIT failed.
import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../../policy-schemas/src/index.js';
import { BatchQueue, GroupCommit, type Settled } from './group-commit.js';
import { inCodeMigrations } from './migrations.js';
import type { Database } from './schema.js';
import { touchDevices } from './sql-device-writes.js';
import { claimNonces } from './sql-nonces.js';
import { recordReport } from './sql-reports.js';
import { oneSettingReport } from './testing/store-fixtures.js';

const NOW = '2026-01-10T12:00:00.000Z';

describe('BatchQueue', () => {
  const echo = (batches: string[][]) => async (items: readonly string[]) => {
    batches.push([...items]);
    return items.map((value): Settled<string> => ({ ok: true, value }));
  };

  it('runs the arrivals of one turn as one batch and queues later ones behind it', async () => {
    const batches: string[][] = [];
    const queue = new BatchQueue<string, string>({ maxBatch: 10 }, echo(batches));
    const first = ['a', 'b', 'c'].map((x) => queue.submit(x));
    expect(await Promise.all(first)).toEqual(['a', 'b', 'c']);
    expect(await queue.submit('d')).toBe('d');
    expect(batches).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('takes at most maxBatch items per batch, in arrival order', async () => {
    const batches: string[][] = [];
    const queue = new BatchQueue<string, string>({ maxBatch: 2 }, echo(batches));
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((x) => queue.submit(x)));
    expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('settles each item with its own outcome and fails a whole batch when the runner throws', async () => {
    let calls = 0;
    const queue = new BatchQueue<number, number>({ maxBatch: 10 }, async (items) => {
      if (calls++ === 1) throw new Error('disk gone');
      return items.map((n) => (n < 0 ? { ok: false, error: new RangeError(`negative ${n}`) } : { ok: true, value: n * 2 }));
    });
    const outcomes = await Promise.allSettled([queue.submit(1), queue.submit(-1), queue.submit(3)]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([2, 'negative -1', 6]);
    await expect(Promise.all([queue.submit(4), queue.submit(5)])).rejects.toThrow('disk gone');
    expect(await queue.submit(6)).toBe(12);
  });

  it('close waits for queued items and refuses new ones', async () => {
    const batches: string[][] = [];
    const queue = new BatchQueue<string, string>({ maxBatch: 10 }, echo(batches));
    const pending = queue.submit('a');
    await queue.close();
    expect(batches).toEqual([['a']]);
    expect(await pending).toBe('a');
    await expect(queue.submit('b')).rejects.toThrow('store is closed');
  });

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => new BatchQueue({ maxBatch: 0 }, echo([]))).toThrow('maxBatch must be a positive integer, got 0');
  });
});

describe('GroupCommit on SQLite', () => {
  let db: Kysely<Database>;
  let statements: string[];

  beforeEach(async () => {
    statements = [];
    db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }),
      plugins: [new CamelCasePlugin()],
      log: (event) => {
        statements.push(event.query.sql.toLowerCase());
      },
    });
    await sql`pragma foreign_keys = on`.execute(db);
    expect((await new Migrator({ db, provider: inCodeMigrations }).migrateToLatest()).error).toBeUndefined();
    await db
      .insertInto('enrollmentTokens')
      .values({ tokenHash: 't', description: null, createdAt: NOW, expiresAt: NOW, maxUses: 9, uses: 0, revoked: 0, tags: '[]' })
      .execute();
    statements = [];
  });

  afterEach(async () => {
    await db.destroy();
  });

  async function addDevice(): Promise<string> {
    const deviceId = randomUUID();
    await db
      .insertInto('devices')
      .values({
        deviceId,
        publicKey: 'k',
        hostname: 'h',
        platform: 'linux',
        osVersion: '6',
        osType: null,
        arch: 'x64',
        agentVersion: '0.1.0',
        enrolledAt: NOW,
        lastSeenAt: null,
        revoked: 0,
        lastReportAt: null,
        lastSyncError: null,
        enrollmentTokenHash: 't',
        tags: '[]',
        keyRotationRequestedAt: null,
      })
      .execute();
    return deviceId;
  }

  const report = (deviceId: string, reportId?: string): StatusReport => oneSettingReport(deviceId, NOW, reportId);

  const count = (verb: string) => statements.filter((s) => s === verb).length;
  const storedReports = async () => (await db.selectFrom('reports').select('reportId').execute()).length;

  it('writes concurrent reports of many devices in one transaction and acks each after the commit', async () => {
    const commits = new GroupCommit(db);
    const devices = await Promise.all(Array.from({ length: 20 }, addDevice));
    statements = [];
    const acks = await Promise.all(devices.map((d) => commits.submit((trx) => recordReport(trx, report(d), NOW))));
    expect(acks).toEqual(devices.map(() => ({ duplicate: false, stale: false })));
    expect([count('begin'), count('commit')]).toEqual([1, 1]);
    expect(statements.indexOf('commit')).toBe(statements.length - 1);
    expect(await storedReports()).toBe(20);
  });

  it('rolls back only the failing write; the others of the batch commit', async () => {
    const commits = new GroupCommit(db);
    const [a, b] = [await addDevice(), await addDevice()];
    const outcomes = await Promise.allSettled([
      commits.submit((trx) => recordReport(trx, report(a), NOW)),
      commits.submit((trx) => recordReport(trx, report(randomUUID()), NOW)),
      commits.submit(async (trx) => {
        await recordReport(trx, report(b), NOW);
        throw new Error('fails after writing');
      }),
      commits.submit((trx) => recordReport(trx, report(b), NOW)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(((outcomes[1] as PromiseRejectedResult).reason as { code?: string }).code).toBe('DEVICE_UNKNOWN');
    expect(count('commit')).toBe(1);
    // The third write's report row was rolled back to its savepoint: a and b's good reports only.
    expect(await storedReports()).toBe(2);
  });

  it('rejects every caller when the COMMIT fails, and stores nothing', async () => {
    const commits = new GroupCommit(db);
    const devices = [await addDevice(), await addDevice()];
    // A deferred foreign-key violation is only checked at COMMIT: the writes all succeed, the commit does not.
    const orphan = commits.submit(async (trx) => {
      await sql`pragma defer_foreign_keys = on`.execute(trx);
      return recordReport(trx, report(devices[0] as string), NOW).then(() =>
        trx
          .updateTable('reports')
          .set({ deviceId: randomUUID() })
          .where('deviceId', '=', devices[0] as string)
          .execute(),
      );
    });
    const others = devices.map((d) => commits.submit((trx) => recordReport(trx, report(d), NOW)));
    const outcomes = await Promise.allSettled([orphan, ...others]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/i);
    expect([count('commit'), count('rollback')]).toEqual([1, 1]);
    expect(await storedReports()).toBe(0);
  });

  it('gives a duplicate reportId in the same batch the duplicate outcome, as one after the other', async () => {
    const commits = new GroupCommit(db);
    const d = await addDevice();
    const same = report(d);
    const acks = await Promise.all([same, same, report(d, same.reportId)].map((r) => commits.submit((trx) => recordReport(trx, r, NOW))));
    expect(acks).toEqual([
      { duplicate: false, stale: false },
      { duplicate: true, stale: false },
      { duplicate: true, stale: false },
    ]);
    expect(await storedReports()).toBe(1);
  });

  it('claims a batch of nonces with one INSERT … RETURNING and touches a batch of devices with one UPDATE', async () => {
    const claims = [
      { deviceId: 'd1', nonce: 'n1', expiresAtMs: 9 },
      { deviceId: 'd1', nonce: 'n2', expiresAtMs: 9 },
      { deviceId: 'd1', nonce: 'n1', expiresAtMs: 9 },
    ];
    statements = [];
    expect((await claimNonces(db, claims)).map((o) => o.ok && o.value)).toEqual([true, true, false]);
    expect(
      (
        await claimNonces(db, [
          { deviceId: 'd1', nonce: 'n2', expiresAtMs: 9 },
          { deviceId: 'd2', nonce: 'n2', expiresAtMs: 9 },
        ])
      ).map((o) => o.ok && o.value),
    ).toEqual([false, true]);
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/^insert into "request_nonces" .* on conflict .* do nothing returning/);
    const [a, b] = [await addDevice(), await addDevice()];
    statements = [];
    await touchDevices(db, [
      { deviceId: a, lastSeenAt: '2026-01-10T12:01:00.000Z' },
      { deviceId: b, lastSeenAt: '2026-01-10T12:02:00.000Z' },
    ]);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^update devices set last_seen_at = case device_id when/);
    const seen = await db.selectFrom('devices').select(['deviceId', 'lastSeenAt']).orderBy('lastSeenAt').execute();
    expect(seen).toEqual([
      { deviceId: a, lastSeenAt: '2026-01-10T12:01:00.000Z' },
      { deviceId: b, lastSeenAt: '2026-01-10T12:02:00.000Z' },
    ]);
  });
});
