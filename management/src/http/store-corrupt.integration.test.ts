// Row isolation through the real HTTP API: a corrupt stored policy version (written straight into the database, as a
// careless operator or a disk fault would) is reported as STORE_CORRUPT for that policy only, and can be repaired or deleted.

import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import {
  AccessDecision,
  type CompliancePolicy,
  DeviceStatus,
  GroupList,
  PoliciesResponse,
  PolicyList,
  type PolicySummary,
} from '../../../policy-schemas/src/index.js';
import { dataPath } from '../pki/files.js';
import { errorCode, httpsRequest, type TestDevice } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

let t: TestEndpoint;
let db: BetterSqlite3.Database;

beforeAll(async () => {
  t = await startTestEndpoint();
  db = new BetterSqlite3(dataPath(t.dir, 'db'));
});

afterAll(async () => {
  db.close();
  await t.close();
});

const CORRUPT_PAYLOADS: Record<string, (good: string) => string> = {
  NaN: () => '{"policyId":NaN}',
  truncated: (good) => good.slice(0, Math.floor(good.length / 2)),
  '10k-deep nesting': () => `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
  'another policy': (good) => good.replace(/"version":\d+/, '"version":999'),
};

function corrupt(policyId: string, make: (good: string) => string): number {
  const row = db
    .prepare(
      'SELECT v.version, v.payload FROM policy_versions v JOIN policies p ON p.policy_id = v.policy_id AND p.latest_version = v.version WHERE p.policy_id = ?',
    )
    .get(policyId) as { version: number; payload: string };
  db.prepare('UPDATE policy_versions SET payload = ? WHERE policy_id = ? AND version = ?').run(make(row.payload), policyId, row.version);
  return row.version;
}

const listPolicies = async () => validate(PolicyList, await t.admin.ok('GET', '/policies'), 'policy list');
const fetchPolicies = async (device: TestDevice) => {
  const res = await device.get('/v1/device/policies');
  expect(res.status).toBe(200);
  return validate(PoliciesResponse, res.body, 'policies response').policies.map((p) => p.payload.policyId);
};
const statusOf = async (device: TestDevice) => validate(DeviceStatus, await t.admin.ok('GET', `/devices/${device.deviceId}/status`), 'device status');

describe('a corrupt stored policy version', () => {
  for (const [kind, make] of Object.entries(CORRUPT_PAYLOADS)) {
    it(`(${kind}) is reported for that policy only and repaired by a new version`, async () => {
      const device = await t.enrolledDevice();
      const { policy: good } = await t.assignedPolicy([device]);
      const { policy: bad } = await t.assignedPolicy([device], { 'defender.PUAProtection': 1 });
      const version = corrupt(bad.policyId, make);

      const list = await listPolicies();
      expect(list.policies.map((p) => p.policyId)).toContain(good.policyId);
      expect(list.policies.map((p) => p.policyId)).not.toContain(bad.policyId);
      expect(list.problems).toContainEqual(expect.objectContaining({ table: 'policy_versions', id: `${bad.policyId}@${version}`, code: 'STORE_CORRUPT' }));

      const get = await t.admin.call('GET', `/policies/${bad.policyId}`);
      expect(get.status).toBe(500);
      expect(errorCode(get)).toBe('STORE_CORRUPT');
      expect((get.body as { error: { message: string } }).error.message).toContain(bad.policyId);
      expect((await t.admin.call('GET', `/policies/${good.policyId}`)).status).toBe(200);

      // The device keeps being served its other policies; the corrupt one is left out and its status says why.
      expect(await fetchPolicies(device)).toEqual([good.policyId]);
      const status = await statusOf(device);
      expect(status.policies.find((p) => p.policyId === bad.policyId)).toMatchObject({ state: 'error', code: 'STORE_CORRUPT', assignedVersion: version });
      expect(status.policies.find((p) => p.policyId === good.policyId)?.state).toBe('pending');

      // Repair: PUT issues version + 1 from the policy row alone.
      const repaired = await t.admin.ok<PolicySummary>('PUT', `/policies/${bad.policyId}`, {
        name: 'PUA',
        kind: 'antivirus',
        settings: { 'defender.PUAProtection': 2 },
      });
      expect(repaired.latestVersion).toBe(version + 1);
      expect((await listPolicies()).problems).toEqual([]);
      expect((await fetchPolicies(device)).sort()).toEqual([good.policyId, bad.policyId].sort());
      expect((await statusOf(device)).policies.every((p) => p.state === 'pending')).toBe(true);
    });
  }

  it('can be deleted through the API', async () => {
    const device = await t.enrolledDevice();
    const { policy: good } = await t.assignedPolicy([device]);
    const { policy: bad } = await t.assignedPolicy([device], { 'defender.PUAProtection': 1 });
    corrupt(bad.policyId, CORRUPT_PAYLOADS.NaN as (good: string) => string);
    expect((await t.admin.call('DELETE', `/policies/${bad.policyId}`)).status).toBe(204);
    const list = await listPolicies();
    expect(list.problems).toEqual([]);
    expect(list.policies.map((p) => p.policyId)).not.toContain(bad.policyId);
    expect(await fetchPolicies(device)).toEqual([good.policyId]);
    expect((await statusOf(device)).policies.map((p) => p.policyId)).toEqual([good.policyId]);
  });
});

describe('a corrupt stored group rule', () => {
  it('is flagged in the group list, which still lists the other groups, and repaired by a new rule', async () => {
    const ok = await t.admin.ok<{ groupId: string }>('POST', '/groups', { name: 'static-ok' });
    const rule = { rule: { match: 'all', conditions: [{ attribute: 'platform', equals: 'linux' }] } };
    const dynamic = await t.admin.ok<{ groupId: string }>('POST', '/groups', { name: 'dyn-bad', ...rule });
    db.prepare('UPDATE device_groups SET rule = ? WHERE group_id = ?').run('{"platform":', dynamic.groupId);
    const list = validate(GroupList, await t.admin.ok('GET', '/groups'), 'group list');
    expect(list.groups.map((g) => g.groupId)).toContain(ok.groupId);
    expect(list.problems).toEqual([expect.objectContaining({ table: 'device_groups', id: dynamic.groupId, code: 'STORE_CORRUPT' })]);
    // A device enrolling meanwhile is not refused because of the unreadable rule.
    await t.enrolledDevice();
    await t.admin.ok('PUT', `/groups/${dynamic.groupId}/rule`, rule);
    expect(validate(GroupList, await t.admin.ok('GET', '/groups'), 'group list').problems).toEqual([]);
  });
});

describe('a corrupt stored compliance policy', () => {
  const decision = async (device: TestDevice) => {
    const res = await httpsRequest(t.endpoint.url, t.ca, 'GET', `/v1/access/devices/${device.deviceId}`, {
      headers: { authorization: `Bearer ${t.admin.token}` },
    });
    return validate(AccessDecision, res.body, 'access decision').decision;
  };

  it('is flagged, keeps the devices it covers at their last decision instead of dropping it, and is repaired by PUT', async () => {
    const device = await t.enrolledDevice();
    const group = await t.admin.ok<{ groupId: string }>('POST', '/groups', { name: `c-${randomUUID().slice(0, 8)}` });
    await t.admin.ok('POST', `/groups/${group.groupId}/members`, { deviceId: device.deviceId });
    const settings = { requireRealTimeProtection: true };
    const policy = await t.admin.ok<CompliancePolicy>('POST', '/compliance-policies', { name: 'rtp', settings, gracePeriodHours: 0 });
    await t.admin.ok('POST', `/compliance-policies/${policy.compliancePolicyId}/assignments`, { groupId: group.groupId });
    expect(await decision(device)).toBe('block');

    db.prepare('UPDATE compliance_policies SET settings = ? WHERE compliance_policy_id = ?').run(
      '{"requireRealTimeProtection":NaN}',
      policy.compliancePolicyId,
    );
    const list = await t.admin.ok<{ compliancePolicies: CompliancePolicy[]; problems: unknown[] }>('GET', '/compliance-policies');
    expect(list.problems).toEqual([expect.objectContaining({ table: 'compliance_policies', id: policy.compliancePolicyId, code: 'STORE_CORRUPT' })]);
    expect(errorCode(await t.admin.call('GET', `/compliance-policies/${policy.compliancePolicyId}`))).toBe('STORE_CORRUPT');

    // A status report re-evaluates the device: it is accepted, and the device is not turned compliant by omission.
    const report = {
      reportId: randomUUID(),
      deviceId: device.deviceId,
      generatedAt: new Date().toISOString(),
      agentVersion: '0.1.0',
      trigger: 'push',
      durationMs: 5,
      policies: [],
      settings: [],
    };
    expect((await device.post('/v1/device/reports', report)).status).toBe(200);
    expect(await decision(device)).toBe('block');

    await t.admin.ok('PUT', `/compliance-policies/${policy.compliancePolicyId}`, { name: 'rtp', settings: {}, gracePeriodHours: 0 });
    expect((await t.admin.ok<{ problems: unknown[] }>('GET', '/compliance-policies')).problems).toEqual([]);
    expect(await decision(device)).toBe('allow');
  });
});

describe('a corrupt stored device row', () => {
  it('is left out of the device list and named, fails only that device, and can be revoked', async () => {
    const fine = await t.enrolledDevice();
    const broken = await t.enrolledDevice();
    db.prepare('UPDATE devices SET tags = ? WHERE device_id = ?').run('["a",', broken.deviceId);
    const list = await t.admin.ok<{ devices: { deviceId: string }[]; problems: unknown[] }>('GET', '/devices');
    expect(list.devices.map((d) => d.deviceId)).toContain(fine.deviceId);
    expect(list.devices.map((d) => d.deviceId)).not.toContain(broken.deviceId);
    expect(list.problems).toEqual([expect.objectContaining({ table: 'devices', id: broken.deviceId, code: 'STORE_CORRUPT' })]);
    expect(errorCode(await t.admin.call('GET', `/devices/${broken.deviceId}`))).toBe('STORE_CORRUPT');
    expect(errorCode(await broken.get('/v1/device/policies'))).toBe('STORE_CORRUPT');
    expect((await fine.get('/v1/device/policies')).status).toBe(200);
    expect((await t.admin.call('POST', `/devices/${broken.deviceId}/revoke`)).status).toBe(204);
  });
});
