// Tests of the SQL ManagementStore on SQLite and PostgreSQL: the enrollment transaction, report idempotency and
// staleness, policy versions, replica races, presence and the signing-key chain.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import { describe, expect, it } from 'vitest';
import type { DeviceFacts, SignedPolicy, StatusReport } from '../../../policy-schemas/src/index.js';
import { inCodeMigrations, MIGRATIONS } from './migrations.js';
import type { Database } from './schema.js';
import { SqlManagementStore } from './sql-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { ManagementStore } from './store.js';
import { freshStorePerTest, STORE_ENGINES } from './testing/store-engines.js';
import { codeOf, oldSqliteWithDevice } from './testing/store-fixtures.js';

const FACTS: DeviceFacts = { hostname: 'ws-042', platform: 'windows', osVersion: '10.0.22631', arch: 'x64', agentVersion: '0.1.0' };
const NOW = '2025-01-10T12:00:00.000Z';
const KEY = Buffer.alloc(32, 7).toString('base64');

let store: ManagementStore;

async function addToken(tokenHash: string, opts: { maxUses?: number; expiresAt?: string } = {}): Promise<void> {
  await store.createEnrollmentToken({ tokenHash, createdAt: NOW, expiresAt: opts.expiresAt ?? '2025-01-11T12:00:00.000Z', maxUses: opts.maxUses ?? 1 });
}

function enroll(tokenHash: string, now = NOW, facts: DeviceFacts = FACTS) {
  return store.enrollDevice({ tokenHash, now, deviceId: randomUUID(), publicKey: KEY, facts });
}

function report(deviceId: string, generatedAt: string, state: 'succeeded' | 'error' = 'succeeded'): StatusReport {
  return {
    reportId: randomUUID(),
    deviceId,
    generatedAt,
    agentVersion: '0.1.1',
    trigger: 'push',
    durationMs: 41,
    policies: [],
    settings: [{ settingId: 'defender.AllowRealtimeMonitoring', kind: 'antivirus', state, policyIds: [], desired: 1, observed: 1 }],
  };
}

function policyVersion(policyId: string, version: number): SignedPolicy {
  return {
    payload: {
      policyId,
      version,
      tenantId: randomUUID(),
      name: `AV v${version}`,
      kind: 'antivirus',
      settings: { 'defender.AllowRealtimeMonitoring': 1 },
      createdAt: NOW,
    },
    keyId: '0'.repeat(32),
    signature: `${'A'.repeat(86)}==`,
  };
}

describe.each(STORE_ENGINES)('%s store', (engineName) => {
  const engine = freshStorePerTest(engineName, (s) => {
    store = s;
  });

  describe('enrollment transaction', () => {
    it('creates the device and counts the use', async () => {
      await addToken('t1', { maxUses: 2 });
      const device = await enroll('t1');
      expect(device).toMatchObject({ ...FACTS, revoked: false, lastSeenAt: null, enrolledAt: NOW });
      expect(await store.getDevice(device.deviceId)).toEqual(device);
    });

    it('keeps the OS type a device states, and none when it states none', async () => {
      await addToken('t1', { maxUses: 3 });
      const server = await enroll('t1', NOW, { ...FACTS, hostname: 'srv-01', osVersion: '10.0.20348', osType: 'server' });
      const client = await enroll('t1', NOW, { ...FACTS, osType: 'workstation' });
      const old = await enroll('t1');
      expect(server.osType).toBe('server');
      expect((await store.getDevice(server.deviceId))?.osType).toBe('server');
      expect((await store.getDevice(client.deviceId))?.osType).toBe('workstation');
      expect(await store.getDevice(old.deviceId)).not.toHaveProperty('osType');
      const listed = new Map((await store.listDevices()).devices.map((d) => [d.deviceId, d.osType]));
      expect([listed.get(server.deviceId), listed.get(client.deviceId), listed.get(old.deviceId)]).toEqual(['server', 'workstation', undefined]);
    });

    it.runIf(engineName === 'sqlite')('migrates devices enrolled before OS types existed to none (read as workstation by rules)', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'attache-old-'));
      const file = join(dir, 'old.sqlite');
      await oldSqliteWithDevice(file, '0003-targeting-events', { platform: 'windows', osVersion: '10.0.20348' }, NOW);
      const migrated = await openSqliteStore({ file });
      try {
        expect(await migrated.getDevice('d0')).toMatchObject({ deviceId: 'd0', platform: 'windows', osVersion: '10.0.20348' });
        expect(await migrated.getDevice('d0')).not.toHaveProperty('osType');
      } finally {
        await migrated.close();
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('refuses a second use of a single-use token and creates no second device', async () => {
      await addToken('t1');
      await enroll('t1');
      expect(await codeOf(enroll('t1'))).toBe('ENROLLMENT_TOKEN_EXHAUSTED');
      expect((await store.listDevices()).devices).toHaveLength(1);
    });

    it('never lets concurrent enrollments exceed maxUses', async () => {
      await addToken('t1', { maxUses: 3 });
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => enroll('t1')));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      expect((await store.listDevices()).devices).toHaveLength(3);
    });

    it('refuses an expired token', async () => {
      await addToken('t1', { expiresAt: '2025-01-10T11:59:59.000Z' });
      expect(await codeOf(enroll('t1'))).toBe('ENROLLMENT_TOKEN_EXPIRED');
      expect((await store.listDevices()).devices).toHaveLength(0);
    });

    it('refuses an unknown token', async () => {
      expect(await codeOf(enroll('nope'))).toBe('ENROLLMENT_TOKEN_INVALID');
    });
  });

  describe('reports', () => {
    it('applies a report, acknowledges a retry as duplicate and changes nothing', async () => {
      await addToken('t1');
      const { deviceId } = await enroll('t1');
      const first = report(deviceId, '2025-01-10T12:01:00.000Z');
      expect(await store.recordReport(first, NOW)).toEqual({ duplicate: false, stale: false });
      const before = await store.getReportedStatus(deviceId);
      expect(before.settings).toHaveLength(1);
      expect(before.lastReportAt).toBe('2025-01-10T12:01:00.000Z');
      expect((await store.getDevice(deviceId))?.agentVersion).toBe('0.1.1');

      const retry = { ...first, settings: [{ ...first.settings[0], state: 'error' as const, settingId: 'defender.AllowRealtimeMonitoring' }] };
      expect(await store.recordReport(retry as StatusReport, NOW)).toEqual({ duplicate: true, stale: false });
      expect(await store.getReportedStatus(deviceId)).toEqual(before);
    });

    it('replaces the status with each report: changed rows rewritten, new ones added, missing ones gone, all confirmed by the last report', async () => {
      await addToken('t1');
      const { deviceId } = await enroll('t1');
      const setting = (settingId: string, desired: number, state: 'succeeded' | 'error' = 'succeeded'): StatusReport['settings'][number] => ({
        settingId,
        kind: 'antivirus',
        state,
        policyIds: ['p-av'],
        desired,
        observed: desired,
      });
      const policy = (policyId: string, version: number): StatusReport['policies'][number] => ({
        policyId,
        version,
        name: policyId,
        kind: 'antivirus',
        state: 'succeeded',
      });
      await store.recordReport(
        {
          ...report(deviceId, '2025-01-10T12:01:00.000Z'),
          policies: [policy('p-av', 1), policy('p-old', 4)],
          settings: [setting('defender.A', 1), setting('defender.B', 2), setting('defender.Gone', 3)],
        },
        NOW,
      );
      await store.recordReport(
        {
          ...report(deviceId, '2025-01-10T12:02:00.000Z'),
          policies: [policy('p-av', 2)],
          // A repeated key keeps its first row, as before the diff.
          settings: [setting('defender.A', 1), setting('defender.B', 5, 'error'), setting('defender.New', 7), setting('defender.New', 8)],
        },
        NOW,
      );
      const status = await store.getReportedStatus(deviceId);
      expect(status.policies.map((p) => [p.policyId, p.version])).toEqual([['p-av', 2]]);
      expect(status.settings.map((s) => [s.settingId, s.desired, s.state, s.reportedAt])).toEqual([
        ['defender.A', 1, 'succeeded', '2025-01-10T12:02:00.000Z'],
        ['defender.B', 5, 'error', '2025-01-10T12:02:00.000Z'],
        ['defender.New', 7, 'succeeded', '2025-01-10T12:02:00.000Z'],
      ]);
      await store.recordReport({ ...report(deviceId, '2025-01-10T12:03:00.000Z'), policies: [], settings: [] }, NOW);
      expect(await store.getReportedStatus(deviceId)).toMatchObject({ policies: [], settings: [], lastReportAt: '2025-01-10T12:03:00.000Z' });
    });

    it('keeps an older report as history without overwriting newer status', async () => {
      await addToken('t1');
      const { deviceId } = await enroll('t1');
      await store.recordReport(report(deviceId, '2025-01-10T12:05:00.000Z', 'succeeded'), NOW);
      const older = report(deviceId, '2025-01-10T12:01:00.000Z', 'error');
      expect(await store.recordReport(older, NOW)).toEqual({ duplicate: false, stale: true });
      const status = await store.getReportedStatus(deviceId);
      expect(status.settings[0]?.state).toBe('succeeded');
      expect(status.lastReportAt).toBe('2025-01-10T12:05:00.000Z');
      // The stale report is still known: a retry of it is a duplicate.
      expect(await store.recordReport(older, NOW)).toEqual({ duplicate: true, stale: false });
    });
  });

  // Replicas share a PostgreSQL database. (Two SQLite connections in one process would block each other's event loop:
  // better-sqlite3 waits for a lock synchronously; SQLite mode is one endpoint process per data dir.)
  describe.runIf(engineName === 'postgres')('two processes on one database (replicas)', () => {
    it('lets one of two concurrent updates to a policy win; the other gets CONFLICT and no version is duplicated', async () => {
      const [a, b] = await engine.openPair();
      try {
        const policyId = randomUUID();
        await a.createPolicy(policyVersion(policyId, 1));
        for (let version = 2; version <= 6; version++) {
          const outcomes = await Promise.allSettled([
            a.addPolicyVersion(policyVersion(policyId, version)),
            b.addPolicyVersion(policyVersion(policyId, version)),
          ]);
          expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
          const lost = outcomes.find((o) => o.status === 'rejected');
          expect((lost as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
        }
        expect((await b.getPolicy(policyId))?.latest.payload.version).toBe(6);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('counts every use of one token exactly when 200 enrollments arrive at once through both, and refuses those past maxUses', async () => {
      const [a, b] = await engine.openPair();
      try {
        await a.createEnrollmentToken({ tokenHash: 'tf', createdAt: NOW, expiresAt: '2025-01-11T12:00:00.000Z', maxUses: 210 });
        const enrollOn = (s: ManagementStore) => s.enrollDevice({ tokenHash: 'tf', now: NOW, deviceId: randomUUID(), publicKey: KEY, facts: FACTS });
        const outcomes = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => enrollOn(i % 2 === 0 ? a : b)));
        expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))).toEqual([]);
        expect((await a.listDevices()).devices).toHaveLength(200);
        const rest = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => enrollOn(i % 2 === 0 ? a : b)));
        expect(rest.filter((o) => o.status === 'fulfilled')).toHaveLength(10);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('stores a report delivered to both at once once: the other answer is a duplicate', async () => {
      const [a, b] = await engine.openPair();
      try {
        await a.createEnrollmentToken({ tokenHash: 'tp', createdAt: NOW, expiresAt: '2025-01-11T12:00:00.000Z', maxUses: 1 });
        const { deviceId } = await a.enrollDevice({ tokenHash: 'tp', now: NOW, deviceId: randomUUID(), publicKey: KEY, facts: FACTS });
        for (let i = 0; i < 5; i++) {
          const sent = report(deviceId, `2025-01-10T12:0${i}:00.000Z`);
          const outcomes = await Promise.all([a.recordReport(sent, NOW), b.recordReport(sent, NOW)]);
          expect(outcomes.map((o) => o.duplicate).sort()).toEqual([false, true]);
        }
        expect((await b.getReportedStatus(deviceId)).lastReportAt).toBe('2025-01-10T12:04:00.000Z');
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('orders two reports of one device that reach both at once: the newer one is the status, whatever commits first', async () => {
      const [a, b] = await engine.openPair();
      try {
        await a.createEnrollmentToken({ tokenHash: 'to', createdAt: NOW, expiresAt: '2025-01-11T12:00:00.000Z', maxUses: 1 });
        const { deviceId } = await a.enrollDevice({ tokenHash: 'to', now: NOW, deviceId: randomUUID(), publicKey: KEY, facts: FACTS });
        for (let i = 0; i < 5; i++) {
          const older = report(deviceId, `2025-01-10T12:0${i}:00.000Z`, i % 2 === 0 ? 'error' : 'succeeded');
          const newer = report(deviceId, `2025-01-10T12:0${i}:30.000Z`, i % 2 === 0 ? 'succeeded' : 'error');
          // Alternate which replica gets which, so either may take the device's row first.
          const [first, second] = i % 2 === 0 ? [a, b] : [b, a];
          const outcomes = await Promise.all([first.recordReport(older, NOW), second.recordReport(newer, NOW)]);
          expect(outcomes.every((o) => !o.duplicate)).toBe(true);
          const status = await a.getReportedStatus(deviceId);
          expect(status.lastReportAt).toBe(newer.generatedAt);
          expect(status.settings.map((x) => x.state)).toEqual([newer.settings[0]?.state]);
        }
      } finally {
        await a.close();
        await b.close();
      }
    });
  });

  describe('readiness and stats', () => {
    it('is ready on a migrated database, and DATABASE_UNAVAILABLE once the database is gone', async () => {
      expect(await store.checkReadiness()).toEqual({ pendingMigrations: [] });
      const other = await engine.open();
      await other.close();
      expect(await codeOf(other.checkReadiness())).toBe('DATABASE_UNAVAILABLE');
    });

    it('counts the batches and items of the device-path queues; a pool only on PostgreSQL', async () => {
      await addToken('t1', { maxUses: 3 });
      const devices = await Promise.all([enroll('t1'), enroll('t1'), enroll('t1')]);
      await Promise.all(devices.map((d) => store.touchDevice(d.deviceId, NOW)));
      const stats = store.stats();
      const touches = stats.writeQueues.find((q) => q.queue === 'deviceTouches');
      expect(touches).toEqual({ queue: 'deviceTouches', depth: 0, batches: 1, items: 3 });
      expect(stats.writeQueues.map((q) => q.queue).sort()).toEqual(['deviceTouches', 'groupCommit', 'nonceClaims', 'serializableCommit']);
      if (engineName === 'postgres') expect(stats.pool).toMatchObject({ total: expect.any(Number), idle: expect.any(Number), waiting: 0 });
      else expect(stats.pool).toBeUndefined();
    });

    it.runIf(engineName === 'sqlite')('names the migrations a database has not run', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'attache-pending-'));
      const db = new Kysely<Database>({
        dialect: new SqliteDialect({ database: new BetterSqlite3(join(dir, 'db.sqlite')) }),
        plugins: [new CamelCasePlugin()],
      });
      try {
        const names = Object.keys(MIGRATIONS).sort();
        expect((await new Migrator({ db: db as unknown as Kysely<unknown>, provider: inCodeMigrations }).migrateTo(names[0] as string)).error).toBeUndefined();
        expect(await new SqlManagementStore(db).checkReadiness()).toEqual({ pendingMigrations: names.slice(1) });
      } finally {
        await db.destroy();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('policy-signing key chain', () => {
    const announcement = (newKeyId: string, previousKeyId: string, at: string) => ({
      payload: {
        tenantId: randomUUID(),
        previousKeyId,
        newKeyId,
        newPublicKey: KEY,
        validFrom: at,
        overlapUntil: at,
        announcedAt: at,
      },
      keyId: previousKeyId,
      signature: `${'A'.repeat(86)}==`,
    });
    const [genesis, k1, k2, k3] = ['0'.repeat(32), '1'.repeat(32), '2'.repeat(32), '3'.repeat(32)];

    it('stays one line: one pending announcement at a time, each following the active key', async () => {
      await store.addSigningKeyAnnouncement(announcement(k1, genesis, '2025-01-10T12:00:00.000Z'));
      // A second replica announcing from the same key while k1 is pending: refused.
      await expect(store.addSigningKeyAnnouncement(announcement(k2, genesis, '2025-01-10T12:00:01.000Z'))).rejects.toMatchObject({ code: 'CONFLICT' });
      await store.activateSigningKey(k1, '2025-01-10T12:00:02.000Z', () => undefined);
      // From a key that is no longer the active one: refused; from the active one: stored.
      await expect(store.addSigningKeyAnnouncement(announcement(k2, genesis, '2025-01-10T12:00:03.000Z'))).rejects.toMatchObject({ code: 'CONFLICT' });
      await store.addSigningKeyAnnouncement(announcement(k3, k1, '2025-01-10T12:00:04.000Z'));
      await expect(store.addSigningKeyAnnouncement(announcement(k1, k3, '2025-01-10T12:00:05.000Z'))).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await store.listSigningKeyAnnouncements()).map((a) => a.announcement.payload.newKeyId)).toEqual([k1, k3]);
    });
  });

  describe('push presence (replicas)', () => {
    it('keeps which replica holds each device, takes a device over, and ignores replicas not seen lately (database time)', async () => {
      const [d1, d2, d3] = [randomUUID(), randomUUID(), randomUUID()];
      expect(await store.syncPresence('r1', [d1, d2], [])).toBe(false);
      expect(await store.syncPresence('r1', [], [])).toBe(true);
      await store.syncPresence('r2', [d3], []);
      expect(await store.connectedElsewhere([d1, d2, d3], 'r2', 60_000)).toEqual(new Set([d1, d2]));
      // d2 reconnected to r2: r2 takes it over; r1 dropping it later removes nothing of r2's.
      await store.syncPresence('r2', [d2], []);
      await store.syncPresence('r1', [], [d2]);
      expect(await store.connectedElsewhere([d1, d2, d3], 'r3', 60_000)).toEqual(new Set([d1, d2, d3]));
      // Seen within the last 60 s, not within the next instant: a replica that stopped writing ages out.
      await new Promise((r) => setTimeout(r, 20));
      expect(await store.connectedElsewhere([d1, d2, d3], 'r3', 1)).toEqual(new Set());
      expect(await store.dropReplicas({ notSeenForMs: 1 })).toBe(2);
      expect(await store.connectedElsewhere([d1, d2, d3], 'r3', 60_000)).toEqual(new Set());
      expect(await store.syncPresence('r1', [d1], [])).toBe(false);
      expect(await store.dropReplicas(['r1'])).toBe(1);
    });
  });

  describe('policies, groups, assignments', () => {
    it('versions policies immutably and serves the latest assigned version to members', async () => {
      await addToken('t1');
      const { deviceId } = await enroll('t1');
      const policyId = randomUUID();
      await store.createPolicy(policyVersion(policyId, 1));
      const group = await store.createGroup({ groupId: randomUUID(), name: 'Servers', createdAt: NOW });
      expect(await codeOf(store.createGroup({ groupId: randomUUID(), name: 'Servers', createdAt: NOW }))).toBe('CONFLICT');
      await store.addGroupMember(group.groupId, deviceId, NOW);
      await store.addGroupMember(group.groupId, deviceId, NOW);
      await store.createAssignment({ assignmentId: randomUUID(), policyId, groupId: group.groupId, mode: 'include', createdAt: NOW });
      expect(await codeOf(store.createAssignment({ assignmentId: randomUUID(), policyId, groupId: group.groupId, mode: 'include', createdAt: NOW }))).toBe(
        'CONFLICT',
      );

      expect(await codeOf(store.addPolicyVersion(policyVersion(policyId, 3)))).toBe('CONFLICT');
      await store.addPolicyVersion(policyVersion(policyId, 2));
      const served = await store.policiesForDevice(deviceId);
      expect(served.map((p) => p.payload.version)).toEqual([2]);
      expect(await store.deviceIdsAssignedPolicy(policyId)).toEqual([deviceId]);
      expect((await store.getGroup(group.groupId))?.memberCount).toBe(1);
      expect((await store.listDevices()).devices[0]?.groups).toEqual(['Servers']);
    });

    it('keeps the tenant id once set', async () => {
      expect(await store.initMeta('tenantId', 'a')).toBe('a');
      expect(await store.initMeta('tenantId', 'b')).toBe('a');
    });
  });
});
