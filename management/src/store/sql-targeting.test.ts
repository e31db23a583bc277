// Tests of targeting and events in the SQLite store: migrating a 0002 database, exclusion, dynamic memberships,
// policy deletion (versions kept) and the bounded per-device event log.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DynamicGroupRule, SettingEvent, SignedPolicy, StatusReport } from '../../../policy-schemas/src/index.js';
import { inCodeMigrations } from './migrations.js';
import { openSqliteStore } from './sqlite-store.js';
import { EVENTS_PER_DEVICE, type ManagementStore } from './store.js';
import { STORE_ENGINES, storeEngine } from './testing/store-engines.js';
import { enrolledDevice, TEST_FACTS as FACTS, TEST_PUBLIC_KEY as KEY, storedPolicy } from './testing/store-fixtures.js';

const NOW = '2025-01-10T12:00:00.000Z';

let dir: string;
let store: ManagementStore | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-store-'));
});
afterEach(async () => {
  await store?.close();
  store = undefined;
  await rm(dir, { recursive: true, force: true });
});

const policy = (policyId: string, version = 1): SignedPolicy => storedPolicy(policyId, version, NOW);
const enrolled = (s: ManagementStore, tags: string[] = []): Promise<string> => enrolledDevice(s, NOW, tags);

describe('migration 0003 on an existing database', () => {
  it('keeps devices and assignments, giving them no tags and include mode', async () => {
    const file = join(dir, 'db.sqlite');
    const raw = new BetterSqlite3(file);
    const db = new Kysely<Record<string, Record<string, unknown>>>({ dialect: new SqliteDialect({ database: raw }), plugins: [new CamelCasePlugin()] });
    const { error } = await new Migrator({ db, provider: inCodeMigrations }).migrateTo('0002-last-sync-error');
    expect(error).toBeUndefined();
    const deviceId = randomUUID();
    await db.insertInto('enrollmentTokens').values({ tokenHash: 'h', createdAt: NOW, expiresAt: NOW, maxUses: 1 }).execute();
    await db
      .insertInto('devices')
      .values({ deviceId, publicKey: KEY, ...FACTS, enrolledAt: NOW, enrollmentTokenHash: 'h' })
      .execute();
    const policyId = randomUUID();
    const groupId = randomUUID();
    await db.insertInto('policies').values({ policyId, name: 'p', kind: 'antivirus', createdAt: NOW, latestVersion: 1 }).execute();
    const p = policy(policyId);
    await db
      .insertInto('policyVersions')
      .values({ policyId, version: 1, payload: JSON.stringify(p.payload), keyId: p.keyId, signature: p.signature, createdAt: NOW })
      .execute();
    await db.insertInto('deviceGroups').values({ groupId, name: 'old', createdAt: NOW }).execute();
    await db.insertInto('groupMembers').values({ groupId, deviceId, addedAt: NOW }).execute();
    await db.insertInto('assignments').values({ assignmentId: randomUUID(), policyId, groupId, createdAt: NOW }).execute();
    await db.destroy();

    store = await openSqliteStore({ file });
    expect((await store.getDevice(deviceId))?.tags).toEqual([]);
    expect((await store.listAssignments()).map((a) => a.mode)).toEqual(['include']);
    expect((await store.getGroup(groupId))?.membership).toBe('static');
    expect((await store.policiesForDevice(deviceId)).map((x) => x.payload.policyId)).toEqual([policyId]);
    expect(await store.listDeviceEvents(deviceId, 10)).toEqual([]);
  });
});

describe.each(STORE_ENGINES)('%s store', (engineName) => {
  const engine = storeEngine(engineName);
  afterAll(() => engine.dispose());

  describe('targeting', () => {
    it('gives enrolled devices the token tags, applies exclusion, keeps dynamic members separate, deletes policies softly', async () => {
      store = await engine.open();
      const deviceId = await enrolled(store, ['MDE-Management']);
      expect((await store.getDevice(deviceId))?.tags).toEqual(['MDE-Management']);
      const [p1, p2] = [randomUUID(), randomUUID()];
      await store.createPolicy(policy(p1));
      await store.createPolicy(policy(p2));
      const all = await store.createGroup({ groupId: randomUUID(), name: 'all', createdAt: NOW });
      const dyn = await store.createGroup({
        groupId: randomUUID(),
        name: 'dyn',
        createdAt: NOW,
        rule: { match: 'all', conditions: [{ attribute: 'platform', equals: 'windows' }] },
      });
      expect(dyn.membership).toBe('dynamic');
      await expect(store.addGroupMember(dyn.groupId, deviceId, NOW)).rejects.toMatchObject({ code: 'CONFLICT' });
      await store.addGroupMember(all.groupId, deviceId, NOW);
      await store.replaceDynamicMemberships(deviceId, [dyn.groupId], NOW);
      expect(await store.groupIdsOfDevice(deviceId)).toEqual([all.groupId, dyn.groupId].sort());
      await store.createAssignment({ assignmentId: randomUUID(), policyId: p1, groupId: all.groupId, mode: 'include', createdAt: NOW });
      await store.createAssignment({ assignmentId: randomUUID(), policyId: p2, groupId: all.groupId, mode: 'include', createdAt: NOW });
      const exclusion = randomUUID();
      await store.createAssignment({ assignmentId: exclusion, policyId: p2, groupId: dyn.groupId, mode: 'exclude', createdAt: NOW });
      expect((await store.policiesForDevice(deviceId)).map((x) => x.payload.policyId)).toEqual([p1]);
      expect(await store.deviceIdsAssignedPolicy(p2)).toEqual([]);
      expect((await store.removeAssignment(exclusion))?.mode).toBe('exclude');
      expect(await store.deviceIdsAssignedPolicy(p2)).toEqual([deviceId]);

      await store.replaceDynamicMemberships(deviceId, [], NOW);
      expect(await store.groupIdsOfDevice(deviceId)).toEqual([all.groupId]);

      expect((await store.deletePolicy(p1, NOW))?.length).toBe(1);
      expect(await store.deletePolicy(p1, NOW)).toBeUndefined();
      expect(await store.getPolicy(p1)).toBeUndefined();
      expect((await store.policiesForDevice(deviceId)).map((x) => x.payload.policyId)).toEqual([p2]);
      await expect(store.addPolicyVersion(policy(p1, 2))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('writes the dynamic groups chosen from the new device record in the enrollment transaction', async () => {
      store = await engine.open();
      const s = store;
      const rule: DynamicGroupRule = { match: 'all', conditions: [{ attribute: 'platform', equals: 'windows' }] };
      const [a, b] = await Promise.all(['a', 'b'].map((name) => s.createGroup({ groupId: randomUUID(), name, createdAt: NOW, rule })));
      const tokenHash = randomUUID();
      await s.createEnrollmentToken({ tokenHash, createdAt: NOW, expiresAt: '2025-01-11T12:00:00.000Z', maxUses: 1, tags: ['Lab'] });
      const seen: string[][] = [];
      const gone = randomUUID(); // a group deleted since the caller listed them: skipped, not a foreign-key failure
      const device = await s.enrollDevice({
        tokenHash,
        now: NOW,
        deviceId: randomUUID(),
        publicKey: KEY,
        facts: FACTS,
        dynamicGroups: (d) => {
          seen.push([...d.tags]);
          return [a?.groupId ?? '', b?.groupId ?? '', gone];
        },
      });
      expect(seen).toEqual([['Lab']]);
      expect(await s.groupIdsOfDevice(device.deviceId)).toEqual([a?.groupId, b?.groupId].sort());
      // A used-up token enrolls nothing and joins nothing.
      const again = s.enrollDevice({ tokenHash, now: NOW, deviceId: randomUUID(), publicKey: KEY, facts: FACTS, dynamicGroups: () => [a?.groupId ?? ''] });
      await expect(again).rejects.toMatchObject({ code: 'ENROLLMENT_TOKEN_EXHAUSTED' });
      expect(await s.deviceIdsInGroup(a?.groupId ?? '')).toEqual([device.deviceId]);
    });
  });

  describe('device events', () => {
    it('round-trips report events newest first and keeps only the last EVENTS_PER_DEVICE', async () => {
      store = await engine.open();
      const deviceId = await enrolled(store);
      const event = (n: number): SettingEvent => ({
        type: 'remediated',
        at: NOW,
        settingId: 'defender.AllowRealtimeMonitoring',
        before: 0,
        after: 1,
        message: `#${n}`,
      });
      const report = (events: SettingEvent[], generatedAt: string): StatusReport => ({
        reportId: randomUUID(),
        deviceId,
        generatedAt,
        agentVersion: '0.1.0',
        trigger: 'schedule',
        durationMs: 1,
        policies: [],
        settings: [],
        events,
      });
      const first = report([{ type: 'restored', at: NOW, settingId: 'asr.x', before: 'block' }], '2025-01-10T12:00:00.000Z');
      await store.recordReport(first, NOW);
      await store.recordReport(first, NOW); // duplicate: not stored twice
      expect(await store.listDeviceEvents(deviceId, 10)).toEqual([
        { type: 'restored', at: NOW, settingId: 'asr.x', before: 'block', reportId: first.reportId, receivedAt: NOW },
      ]);
      const many = Array.from({ length: EVENTS_PER_DEVICE }, (_, i) => event(i));
      await store.recordReport(report(many, '2025-01-10T12:01:00.000Z'), NOW);
      const kept = await store.listDeviceEvents(deviceId, 5000);
      expect(kept).toHaveLength(EVENTS_PER_DEVICE);
      expect(kept[0]?.message).toBe(`#${EVENTS_PER_DEVICE - 1}`);
      expect(kept.some((e) => e.type === 'restored')).toBe(false);
    });
  });
});
