// Tests of the SQL store's alert triage (migration 0016) on SQLite and PostgreSQL: triage upserts with their comments
// in one transaction, nothing stored for an alert the device never reported, comments oldest first and bounded,
// suppression rules by device and organization, the organization fan-out's keyset pages, and removal with the device.
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Alert, AlertTriage, SuppressionRule } from '../../../policy-schemas/src/index.js';
import type { ManagementStore } from './store.js';
import { freshStorePerTest, STORE_ENGINES } from './testing/store-engines.js';
import { codeOf, enrolledDevice } from './testing/store-fixtures.js';
import { COMMENTS_SHOWN } from './triage-store.js';

const NOW = '2025-01-10T12:00:00.000Z';

let store: ManagementStore;

const enroll = () => enrolledDevice(store, NOW);

function alert(alertId: string): Alert {
  return { alertId, category: 'posture', severity: 'high', title: `alert ${alertId}`, evidence: {}, firstSeen: NOW, lastSeen: NOW, status: 'active' };
}

async function report(deviceId: string, ...alertIds: string[]): Promise<void> {
  await store.recordAlertReport({ reportId: randomUUID(), deviceId, generatedAt: NOW, riskLevel: 'high', alerts: alertIds.map(alert) }, NOW);
}

const TRIAGE: AlertTriage = {
  status: 'resolved',
  classification: 'falsePositive',
  determination: 'notMalicious',
  assignedTo: 'alice',
  resolvedAt: NOW,
  resolvedBy: 'alice',
  updatedAt: NOW,
  updatedBy: 'alice',
};

function rule(overrides: Partial<SuppressionRule>): SuppressionRule {
  return {
    ruleId: randomUUID(),
    scope: 'organization',
    deviceId: null,
    alertId: 'posture.rtpOff',
    comment: 'expected',
    createdAt: NOW,
    createdBy: 'alice',
    expiresAt: null,
    ...overrides,
  };
}

describe.each(STORE_ENGINES)('%s store: alert triage', (engineName) => {
  freshStorePerTest(engineName, (s) => {
    store = s;
  });
  let deviceId: string;
  beforeEach(async () => {
    deviceId = await enroll();
  });

  it('upserts the triage with its comments and lists comments oldest first, the newest `limit`', async () => {
    await report(deviceId, 'posture.rtpOff');
    await store.saveAlertTriage(deviceId, 'posture.rtpOff', TRIAGE, [{ at: NOW, author: 'alice', text: 'first' }]);
    await store.saveAlertTriage(deviceId, 'posture.rtpOff', { ...TRIAGE, status: 'inProgress', resolvedAt: null, resolvedBy: null }, [
      { at: NOW, author: 'bob', text: 'second' },
      { at: NOW, author: 'bob', text: 'third' },
    ]);
    await store.saveAlertTriage(deviceId, 'posture.rtpOff', null, [{ at: NOW, author: 'carol', text: 'fourth' }]);
    expect(await store.getAlertTriage(deviceId, 'posture.rtpOff')).toEqual({ ...TRIAGE, status: 'inProgress', resolvedAt: null, resolvedBy: null });
    expect([...(await store.listAlertTriage(deviceId)).keys()]).toEqual(['posture.rtpOff']);
    expect((await store.listAlertComments(deviceId, 'posture.rtpOff', 3)).map((c) => c.text)).toEqual(['second', 'third', 'fourth']);
  });

  it('keeps only the newest COMMENTS_SHOWN comments of an alert (older ones could never be read)', async () => {
    await report(deviceId, 'posture.rtpOff');
    const comments = Array.from({ length: COMMENTS_SHOWN + 5 }, (_, i) => ({ at: NOW, author: 'a', text: `c${i}` }));
    await store.saveAlertTriage(deviceId, 'posture.rtpOff', null, comments.slice(0, 100));
    await store.saveAlertTriage(deviceId, 'posture.rtpOff', null, comments.slice(100));
    const kept = await store.listAlertComments(deviceId, 'posture.rtpOff', 10 * COMMENTS_SHOWN);
    expect(kept.map((c) => c.text)).toEqual(comments.slice(5).map((c) => c.text));
  });

  it('stores nothing for an alert the device never reported (NOT_FOUND)', async () => {
    expect(await codeOf(store.saveAlertTriage(deviceId, 'posture.other', TRIAGE, [{ at: NOW, author: 'a', text: 'x' }]))).toBe('NOT_FOUND');
    expect(await store.getAlertTriage(deviceId, 'posture.other')).toBeUndefined();
    expect(await store.listAlertComments(deviceId, 'posture.other', 10)).toEqual([]);
  });

  it('keeps device and organization rules, refuses a rule for an unknown device, and deletes by id', async () => {
    const other = await enroll();
    const mine = rule({ scope: 'device', deviceId });
    const theirs = rule({ scope: 'device', deviceId: other });
    const org = rule({ alertId: 'threat.x.y', expiresAt: '2025-02-01T00:00:00.000Z' });
    for (const r of [mine, theirs, org]) await store.createSuppressionRule(r);
    expect(await codeOf(store.createSuppressionRule(rule({ scope: 'device', deviceId: randomUUID() })))).toBe('NOT_FOUND');
    expect(await codeOf(store.createSuppressionRule(mine))).toBe('CONFLICT');
    expect((await store.suppressionRulesForDevice(deviceId)).map((r) => r.ruleId).sort()).toEqual([mine.ruleId, org.ruleId].sort());
    expect(await store.getSuppressionRule(org.ruleId)).toEqual(org);
    const both = await store.suppressionRulesForDevices([deviceId, other, 'no-such-device']);
    expect(
      both
        .get(deviceId)
        ?.map((r) => r.ruleId)
        .sort(),
    ).toEqual([mine.ruleId, org.ruleId].sort());
    expect(
      both
        .get(other)
        ?.map((r) => r.ruleId)
        .sort(),
    ).toEqual([theirs.ruleId, org.ruleId].sort());
    expect(both.get('no-such-device')).toEqual([org]);
    expect(await store.listSuppressionRules()).toHaveLength(3);
    const changed = { ...org, comment: 'still expected', expiresAt: null, alertId: 'ignored.on.update' };
    expect(await store.updateSuppressionRule(changed)).toBe(true);
    expect(await store.getSuppressionRule(org.ruleId)).toEqual({ ...org, comment: 'still expected', expiresAt: null });
    expect(await store.updateSuppressionRule(rule({}))).toBe(false);
    expect(await store.deleteSuppressionRule(mine.ruleId)).toEqual(mine);
    expect(await store.deleteSuppressionRule(mine.ruleId)).toBeUndefined();
    expect((await store.suppressionRulesForDevice(deviceId)).map((r) => r.ruleId)).toEqual([org.ruleId]);
  });

  it('caps rules in force per scope inside the write: of two concurrent creates at the cap one is CONFLICT; a PATCH reviving an expired rule counts', async () => {
    const limit = { max: 3, now: NOW };
    const expired = rule({ expiresAt: '2025-01-10T11:00:00.000Z' });
    for (const r of [rule({}), rule({ expiresAt: '2025-01-11T00:00:00.000Z' }), expired]) await store.createSuppressionRule(r, limit);
    // The device's own scope has its own cap.
    for (let i = 0; i < 3; i++) await store.createSuppressionRule(rule({ scope: 'device', deviceId }), limit);
    expect(await codeOf(store.createSuppressionRule(rule({ scope: 'device', deviceId }), limit))).toBe('CONFLICT');
    const outcomes = await Promise.allSettled([store.createSuppressionRule(rule({}), limit), store.createSuppressionRule(rule({}), limit)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      code: 'CONFLICT',
      message: 'the organization already has 3 suppression rules in force (at most 3); delete one first',
    });
    const inForce = (await store.listSuppressionRules()).filter((r) => r.scope === 'organization' && (r.expiresAt === null || r.expiresAt > NOW));
    expect(inForce).toHaveLength(3);
    // Reviving the expired rule would make a fourth: refused, nothing changed. A change to a rule in force adds none.
    expect(await codeOf(store.updateSuppressionRule({ ...expired, expiresAt: null }, limit))).toBe('CONFLICT');
    expect(await store.getSuppressionRule(expired.ruleId)).toEqual(expired);
    const kept = inForce[0] as SuppressionRule;
    expect(await store.updateSuppressionRule({ ...kept, comment: 'reviewed', expiresAt: null }, limit)).toBe(true);
  });

  it('pages the devices holding an alert in device-id order', async () => {
    const ids = [deviceId, await enroll(), await enroll(), await enroll()];
    for (const id of ids) await report(id, 'posture.rtpOff');
    await report(await enroll(), 'posture.unrelated');
    const sorted = [...ids].sort();
    const first = await store.deviceIdsWithAlert('posture.rtpOff', null, 3);
    expect(first).toEqual(sorted.slice(0, 3));
    expect(await store.deviceIdsWithAlert('posture.rtpOff', first[2] as string, 3)).toEqual(sorted.slice(3));
  });

  it("removes a deleted device's triage, comments and device rules, keeping organization rules", async () => {
    await report(deviceId, 'posture.rtpOff');
    await store.saveAlertTriage(deviceId, 'posture.rtpOff', TRIAGE, [{ at: NOW, author: 'a', text: 'x' }]);
    const org = rule({});
    await store.createSuppressionRule(rule({ scope: 'device', deviceId }));
    await store.createSuppressionRule(org);
    expect(await store.deleteDevice(deviceId)).toBe(true);
    expect(await store.listSuppressionRules()).toEqual([org]);
    expect(await store.listAlertComments(deviceId, 'posture.rtpOff', 10)).toEqual([]);
  });
});
