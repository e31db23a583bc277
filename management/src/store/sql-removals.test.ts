// Contract tests of the removals on both engines: group deletion (refused while assignments target it, forced),
// removing a static member, deleting a device with every row about it, and listing and revoking enrollment tokens.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DEVICE_TABLES } from './sql-removals.js';
import { openSqliteStore } from './sqlite-store.js';
import type { ManagementStore } from './store.js';
import { freshStorePerTest, STORE_ENGINES } from './testing/store-engines.js';
import { enrolledDevice, oneSettingReport, storedPolicy, TEST_FACTS } from './testing/store-fixtures.js';

const NOW = '2025-01-10T12:00:00.000Z';
const LATER = '2025-01-10T13:00:00.000Z';

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (err: { code?: string }) => err.code,
  );

const report = (deviceId: string) => oneSettingReport(deviceId, NOW);

describe.each(STORE_ENGINES)('%s store removals', (engineName) => {
  let store: ManagementStore;
  freshStorePerTest(engineName, (s) => {
    store = s;
  });

  it('refuses to delete a group assignments target, naming them; with force removes them, the members and the group', async () => {
    const deviceId = await enrolledDevice(store, NOW);
    const group = await store.createGroup({ groupId: randomUUID(), name: 'laptops', createdAt: NOW });
    await store.addGroupMember(group.groupId, deviceId, NOW);
    const policyId = randomUUID();
    await store.createPolicy(storedPolicy(policyId, 1, NOW));
    const assignmentId = randomUUID();
    await store.createAssignment({ assignmentId, policyId, groupId: group.groupId, mode: 'exclude', createdAt: NOW });

    const compliancePolicyId = randomUUID();
    await store.createCompliancePolicy({
      compliancePolicyId,
      name: 'c',
      settings: { maxRiskLevel: 'low' },
      gracePeriodHours: 0,
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
    });
    const complianceAssignmentId = randomUUID();
    await store.createComplianceAssignment({
      assignmentId: complianceAssignmentId,
      compliancePolicyId,
      groupId: group.groupId,
      mode: 'include',
      createdAt: NOW,
    });

    const refused = await store.deleteGroup(group.groupId, false).catch((err: unknown) => err);
    expect(refused).toMatchObject({
      code: 'CONFLICT',
      details: [
        { path: `assignment ${assignmentId}`, message: `excludes policy ${policyId}` },
        { path: `compliance assignment ${complianceAssignmentId}`, message: `includes compliance policy ${compliancePolicyId}` },
      ],
    });
    expect((refused as Error).message).toContain(`group "laptops" is still targeted by assignment ${assignmentId}`);
    expect(await store.getGroup(group.groupId)).toMatchObject({ memberCount: 1 });

    const deleted = await store.deleteGroup(group.groupId, true);
    expect(deleted).toMatchObject({ groupId: group.groupId, members: [deviceId], removedComplianceAssignments: [complianceAssignmentId] });
    expect(deleted?.removedAssignments.map((a) => a.assignmentId)).toEqual([assignmentId]);
    expect(await store.getGroup(group.groupId)).toBeUndefined();
    expect(await store.listAssignments()).toEqual([]);
    expect(await store.listComplianceAssignments()).toEqual([]);
    expect(await store.getDeviceGroups(deviceId)).toEqual([]);
    expect(await store.deleteGroup(group.groupId, true)).toBeUndefined();
  });

  it('deletes an untargeted group without force', async () => {
    const group = await store.createGroup({ groupId: randomUUID(), name: 'empty', createdAt: NOW });
    expect(await store.deleteGroup(group.groupId, false)).toEqual({
      groupId: group.groupId,
      members: [],
      removedAssignments: [],
      removedComplianceAssignments: [],
    });
    // The name is free again.
    await store.createGroup({ groupId: randomUUID(), name: 'empty', createdAt: NOW });
  });

  it('removes a static member (false when not a member); refuses a dynamic group and unknown ids', async () => {
    const deviceId = await enrolledDevice(store, NOW);
    const group = await store.createGroup({ groupId: randomUUID(), name: 'static', createdAt: NOW });
    await store.addGroupMember(group.groupId, deviceId, NOW);
    expect(await store.removeGroupMember(group.groupId, deviceId)).toBe(true);
    expect(await store.removeGroupMember(group.groupId, deviceId)).toBe(false);
    expect(await store.deviceIdsInGroup(group.groupId)).toEqual([]);
    const dynamic = await store.createGroup({
      groupId: randomUUID(),
      name: 'dyn',
      createdAt: NOW,
      rule: { match: 'all', conditions: [{ attribute: 'os', equals: 'windows' }] },
    });
    expect(await codeOf(store.removeGroupMember(dynamic.groupId, deviceId))).toBe('CONFLICT');
    expect(await codeOf(store.removeGroupMember(randomUUID(), deviceId))).toBe('NOT_FOUND');
    expect(await codeOf(store.removeGroupMember(group.groupId, randomUUID()))).toBe('NOT_FOUND');
  });

  it('deletes a device with its memberships, reports, events, compliance state and nonces; other devices keep theirs', async () => {
    const [gone, kept] = [await enrolledDevice(store, NOW), await enrolledDevice(store, NOW)];
    const group = await store.createGroup({ groupId: randomUUID(), name: 'g', createdAt: NOW });
    for (const id of [gone, kept]) {
      await store.addGroupMember(group.groupId, id, NOW);
      await store.recordReport(report(id), NOW);
      expect(await store.claimNonce(id, 'n1', Date.parse(LATER))).toBe(true);
      await store.saveComplianceState(
        { deviceId: id, state: 'compliant', riskLevel: 'none', reasons: [], policies: [], evaluatedAt: NOW, evidenceAt: null, nextEvaluationAt: null },
        { at: NOW, from: null, to: 'compliant', reasons: [] },
        null,
      );
      await store.policySetForDevice(id, NOW);
    }
    expect(await store.deleteDevice(gone)).toBe(true);
    expect(await store.getDevice(gone)).toBeUndefined();
    expect(await store.getComplianceState(gone)).toBeUndefined();
    expect((await store.getReportedStatus(gone)).settings).toEqual([]);
    // Its nonce row went with it: the same nonce is fresh again (the device could not sign it anyway).
    expect(await store.claimNonce(gone, 'n1', Date.parse(LATER))).toBe(true);
    expect(await store.deviceIdsInGroup(group.groupId)).toEqual([kept]);
    expect(await store.deleteDevice(gone)).toBe(false);

    expect(await store.getDevice(kept)).toBeDefined();
    expect(await store.getComplianceState(kept)).toBeDefined();
    expect((await store.getReportedStatus(kept)).settings).toHaveLength(1);
    expect(await store.claimNonce(kept, 'n1', Date.parse(LATER))).toBe(false);
  });

  it('lists enrollment tokens newest first with uses, and revokes one: enrollment then refuses it', async () => {
    await store.createEnrollmentToken({ tokenHash: 'a'.repeat(64), createdAt: NOW, expiresAt: LATER, maxUses: 2, description: 'first', tags: ['Lab'] });
    await store.createEnrollmentToken({ tokenHash: 'b'.repeat(64), createdAt: LATER, expiresAt: '2025-01-11T12:00:00.000Z', maxUses: 1 });
    await store.enrollDevice({ tokenHash: 'a'.repeat(64), now: NOW, deviceId: randomUUID(), publicKey: 'k', facts: TEST_FACTS });
    const listed = await store.listEnrollmentTokens();
    expect(listed).toEqual([
      { tokenHash: 'b'.repeat(64), description: null, tags: [], createdAt: LATER, expiresAt: '2025-01-11T12:00:00.000Z', uses: 0, maxUses: 1, revoked: false },
      { tokenHash: 'a'.repeat(64), description: 'first', tags: ['Lab'], createdAt: NOW, expiresAt: LATER, uses: 1, maxUses: 2, revoked: false },
    ]);
    expect(await store.revokeEnrollmentToken('a'.repeat(64))).toBe(true);
    expect(await store.revokeEnrollmentToken('c'.repeat(64))).toBe(false);
    expect((await store.listEnrollmentTokens()).map((t) => t.revoked)).toEqual([false, true]);
    const enroll = store.enrollDevice({ tokenHash: 'a'.repeat(64), now: NOW, deviceId: randomUUID(), publicKey: 'k', facts: TEST_FACTS });
    expect(await codeOf(enroll)).toBe('ENROLLMENT_TOKEN_INVALID');
  });
});

describe('device deletion covers every table', () => {
  it('DEVICE_TABLES names every table with a device_id column (SQLite schema)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attache-removals-'));
    try {
      const file = join(dir, 'db.sqlite');
      await (await openSqliteStore({ file })).close();
      const raw = new BetterSqlite3(file, { readonly: true });
      const tables = (raw.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((t) => t.name);
      const withDeviceId = tables.filter((t) => (raw.pragma(`table_info(${t})`) as { name: string }[]).some((c) => c.name === 'device_id'));
      raw.close();
      const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      expect(withDeviceId.filter((t) => t !== 'devices').sort()).toEqual(DEVICE_TABLES.map(snake).sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
