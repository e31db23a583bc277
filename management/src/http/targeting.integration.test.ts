// Integration test of targeting over the real admin API: dynamic groups (platform, device OS incl. Windows Server, tags
// from the onboarding package, tag changes), include/exclude, delete policy and remove assignment with their nudges,
// per-policy status, events; removals (member, group, device) with their nudges.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import {
  type Assignment,
  Device,
  DeviceEvents,
  type Group,
  PolicyStatusReport,
  type PolicySummary,
  ServerPushMessage,
  type StatusReport,
} from '../../../policy-schemas/src/index.js';
import { errorCode, httpsRequest, type TestDevice } from '../testing/https-client.js';
import { TestPushClient } from '../testing/push-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t.close();
});

async function connect(device: TestDevice): Promise<TestPushClient> {
  const client = await TestPushClient.open(t.endpoint.url, t.ca, device);
  expect(await client.next()).toMatchObject({ type: 'hello' });
  return client;
}

/** The next message, which must be a sync nudge with `reason`. */
async function expectNudge(client: TestPushClient, reason: string): Promise<void> {
  expect(validate(ServerPushMessage, await client.next(), 'push')).toMatchObject({ type: 'sync', reason });
}

/** Proves no nudge is queued: an admin sync request is the very next message. */
async function expectNoNudge(client: TestPushClient, device: TestDevice): Promise<void> {
  await t.admin.ok('POST', `/devices/${device.deviceId}/sync`);
  await expectNudge(client, 'admin-request');
}

const assignedIds = async (device: TestDevice) =>
  ((await device.get('/v1/device/policies')).body as { policies: { payload: { policyId: string } }[] }).policies.map((p) => p.payload.policyId).sort();

const newPolicy = (settings: Record<string, unknown> = { 'defender.AllowRealtimeMonitoring': 1 }) =>
  t.admin.ok<PolicySummary>('POST', '/policies', { name: `p-${randomUUID().slice(0, 8)}`, kind: 'antivirus', settings });

describe('dynamic groups and tags', () => {
  it('puts devices into dynamic groups from platform and onboarding tags, and re-evaluates on tag change', async () => {
    const group = await t.admin.ok<Group>('POST', '/groups', {
      name: 'mde-managed-windows',
      rule: {
        match: 'all',
        conditions: [
          { attribute: 'platform', equals: 'windows' },
          { attribute: 'tags', contains: 'MDE-Management' },
        ],
      },
    });
    expect(group).toMatchObject({ membership: 'dynamic', memberCount: 0 });
    const tagged = await t.enrolledDevice({ tags: ['MDE-Management'] });
    const linux = await t.enrolledDevice({ facts: { platform: 'linux', osVersion: '6.8' }, tags: ['MDE-Management'] });
    const plain = await t.enrolledDevice();
    const policy = await newPolicy();
    await t.admin.ok('POST', '/assignments', { policyId: policy.policyId, groupId: group.groupId });
    expect(await assignedIds(tagged)).toEqual([policy.policyId]);
    expect(await assignedIds(linux)).toEqual([]);
    expect(await assignedIds(plain)).toEqual([]);
    expect(validate(Device, await t.admin.ok('GET', `/devices/${tagged.deviceId}`), 'device').tags).toEqual(['MDE-Management']);

    const client = await connect(plain);
    const changed = validate(Device, await t.admin.ok('POST', `/devices/${plain.deviceId}/tags`, { add: ['MDE-Management'] }), 'device');
    expect(changed.tags).toEqual(['MDE-Management']);
    expect(changed.groups).toContain('mde-managed-windows');
    await expectNudge(client, 'assignment-changed');
    expect(await assignedIds(plain)).toEqual([policy.policyId]);

    // Removing the tag takes the device out again; a no-op tag change does not nudge.
    await t.admin.ok('POST', `/devices/${plain.deviceId}/tags`, { remove: ['mde-management'] });
    await expectNudge(client, 'assignment-changed');
    await t.admin.ok('POST', `/devices/${plain.deviceId}/tags`, { add: ['unrelated'] });
    await expectNoNudge(client, plain);
    expect(await assignedIds(plain)).toEqual([]);
    client.close();

    const res = await t.admin.call('POST', `/groups/${group.groupId}/members`, { deviceId: plain.deviceId });
    expect([res.status, errorCode(res)]).toEqual([409, 'CONFLICT']);
    const bad = await t.admin.call('POST', '/groups', { name: 'bad-rule', rule: { match: 'all', conditions: [{ attribute: 'ram', equals: 4 }] } });
    expect([bad.status, errorCode(bad)]).toEqual([400, 'SCHEMA_INVALID']);
  });

  it('tells Windows Server from Windows client with the os condition, as Intune device OS does', async () => {
    // Created before the devices enroll: membership is evaluated at enrollment.
    const servers = await t.admin.ok<Group>('POST', '/groups', {
      name: 'windows-servers',
      rule: { match: 'all', conditions: [{ attribute: 'os', equals: 'windowsServer' }] },
    });
    const tags = ['OsTargeting'];
    const server = await t.enrolledDevice({ facts: { hostname: 'srv-01', osVersion: '10.0.20348', osType: 'server' }, tags });
    const client = await t.enrolledDevice({ facts: { hostname: 'ws-01', osVersion: '10.0.22631', osType: 'workstation' }, tags });
    const unstated = await t.enrolledDevice({ facts: { hostname: 'ws-old', osVersion: '10.0.19045' }, tags });
    const linuxServer = await t.enrolledDevice({ facts: { platform: 'linux', osVersion: '6.8', osType: 'server' }, tags });
    // Created after: membership is evaluated against every enrolled device (the tag keeps other tests' clients out).
    const clients = await t.admin.ok<Group>('POST', '/groups', {
      name: 'windows-clients',
      rule: {
        match: 'all',
        conditions: [
          { attribute: 'os', equals: 'windows' },
          { attribute: 'tags', contains: 'OsTargeting' },
        ],
      },
    });
    const serverPolicy = await newPolicy();
    const clientPolicy = await newPolicy({ 'defender.AllowCloudProtection': 1 });
    await t.admin.ok('POST', '/assignments', { policyId: serverPolicy.policyId, groupId: servers.groupId });
    await t.admin.ok('POST', '/assignments', { policyId: clientPolicy.policyId, groupId: clients.groupId });

    expect(await assignedIds(server)).toEqual([serverPolicy.policyId]);
    expect(await assignedIds(client)).toEqual([clientPolicy.policyId]);
    expect(await assignedIds(unstated)).toEqual([clientPolicy.policyId]);
    expect(await assignedIds(linuxServer)).toEqual([]);
    expect((await t.admin.ok<{ groups: Group[] }>('GET', '/groups')).groups.find((g) => g.groupId === servers.groupId)?.memberCount).toBe(1);

    const shown = validate(Device, await t.admin.ok('GET', `/devices/${server.deviceId}`), 'device');
    expect([shown.osType, shown.groups]).toEqual(['server', ['windows-servers']]);
    expect(validate(Device, await t.admin.ok('GET', `/devices/${unstated.deviceId}`), 'device')).not.toHaveProperty('osType');

    const bad = await t.admin.call('POST', '/groups', { name: 'bad-os', rule: { match: 'all', conditions: [{ attribute: 'os', equals: 'server' }] } });
    expect([bad.status, errorCode(bad)]).toEqual([400, 'SCHEMA_INVALID']);
    const badFacts = await t.enrolledDevice({ facts: { osType: 'datacenter' as 'server' } }).catch((err: Error) => err.message);
    expect(badFacts).toMatch(/enroll failed: .*SCHEMA_INVALID/);
  });

  it('recomputes members when the rule changes and when a report carries a new agent version', async () => {
    const device = await t.enrolledDevice({ facts: { agentVersion: '1.0.0' } });
    const group = await t.admin.ok<Group>('POST', '/groups', {
      name: 'old-agents',
      rule: { match: 'all', conditions: [{ attribute: 'agentVersion', op: '<', value: '2.0.0' }] },
    });
    expect(group.memberCount).toBeGreaterThanOrEqual(1);
    const policy = await newPolicy();
    await t.admin.ok('POST', '/assignments', { policyId: policy.policyId, groupId: group.groupId });
    expect(await assignedIds(device)).toEqual([policy.policyId]);

    const report: StatusReport = {
      reportId: randomUUID(),
      deviceId: device.deviceId,
      generatedAt: new Date().toISOString(),
      agentVersion: '2.1.0',
      trigger: 'schedule',
      durationMs: 5,
      policies: [],
      settings: [],
    };
    expect((await device.post('/v1/device/reports', report)).status).toBe(200);
    expect(await assignedIds(device)).toEqual([]);

    await t.admin.ok('PUT', `/groups/${group.groupId}/rule`, { rule: { match: 'any', conditions: [{ attribute: 'agentVersion', op: '>=', value: '2.1.0' }] } });
    expect(await assignedIds(device)).toEqual([policy.policyId]);
  });
});

describe('include, exclude, unassign, delete', () => {
  it('exclusion wins; removing the exclusion and deleting the policy nudge the device', async () => {
    const device = await t.enrolledDevice();
    const { policy, groupId } = await t.assignedPolicy([device]);
    const excluded = await t.admin.ok<Group>('POST', '/groups', { name: `excluded-${randomUUID().slice(0, 8)}` });
    await t.admin.ok('POST', `/groups/${excluded.groupId}/members`, { deviceId: device.deviceId });
    const client = await connect(device);

    const exclusion = await t.admin.ok<Assignment>('POST', '/assignments', { policyId: policy.policyId, groupId: excluded.groupId, mode: 'exclude' });
    expect(exclusion.mode).toBe('exclude');
    await expectNudge(client, 'assignment-changed');
    expect(await assignedIds(device)).toEqual([]);

    expect((await t.admin.call('DELETE', `/assignments/${exclusion.assignmentId}`)).status).toBe(204);
    await expectNudge(client, 'assignment-changed');
    expect(await assignedIds(device)).toEqual([policy.policyId]);
    expect(errorCode(await t.admin.call('DELETE', `/assignments/${exclusion.assignmentId}`))).toBe('NOT_FOUND');

    expect((await t.admin.call('DELETE', `/policies/${policy.policyId}`)).status).toBe(204);
    await expectNudge(client, 'assignment-changed');
    expect(await assignedIds(device)).toEqual([]);
    expect(errorCode(await t.admin.call('GET', `/policies/${policy.policyId}`))).toBe('NOT_FOUND');
    expect(errorCode(await t.admin.call('POST', '/assignments', { policyId: policy.policyId, groupId }))).toBe('NOT_FOUND');
    const assignments = await t.admin.ok<{ assignments: Assignment[] }>('GET', '/assignments');
    expect(assignments.assignments.some((a) => a.policyId === policy.policyId)).toBe(false);
    client.close();
  });
});

describe('policy status and device events', () => {
  it('counts per-setting states and serves the events a report carried', async () => {
    const [a, b] = [await t.enrolledDevice(), await t.enrolledDevice()];
    const { policy } = await t.assignedPolicy([a, b], { 'defender.AllowRealtimeMonitoring': 1, 'defender.AllowCloudProtection': 1 });
    const at = new Date().toISOString();
    const report: StatusReport = {
      reportId: randomUUID(),
      deviceId: a.deviceId,
      generatedAt: at,
      agentVersion: '0.1.0',
      trigger: 'push',
      durationMs: 9,
      policies: [{ policyId: policy.policyId, version: 1, name: policy.name, kind: 'antivirus', state: 'error' }],
      settings: [
        { settingId: 'defender.AllowRealtimeMonitoring', kind: 'antivirus', state: 'succeeded', policyIds: [policy.policyId], desired: 1, observed: 1 },
        {
          settingId: 'defender.AllowCloudProtection',
          kind: 'antivirus',
          state: 'error',
          policyIds: [policy.policyId],
          desired: 1,
          observed: 0,
          code: 'PROVIDER_FAILED',
        },
      ],
      events: [{ type: 'remediated', at, settingId: 'defender.AllowRealtimeMonitoring', before: 0, after: 1 }],
    };
    expect((await a.post('/v1/device/reports', report)).status).toBe(200);

    const status = validate(PolicyStatusReport, await t.admin.ok('GET', `/policies/${policy.policyId}/status`), 'policy status');
    expect(status.counts).toMatchObject({ error: 1, pending: 1 });
    expect(status.settings).toEqual([
      { settingId: 'defender.AllowCloudProtection', succeeded: 0, error: 1, conflict: 0, notApplicable: 0, pending: 1 },
      { settingId: 'defender.AllowRealtimeMonitoring', succeeded: 1, error: 0, conflict: 0, notApplicable: 0, pending: 1 },
    ]);

    const events = validate(DeviceEvents, await t.admin.ok('GET', `/devices/${a.deviceId}/events`), 'events');
    expect(events.events).toEqual([{ ...report.events?.[0], reportId: report.reportId, receivedAt: expect.any(String) }]);
    expect(errorCode(await t.admin.call('GET', `/devices/${randomUUID()}/events`))).toBe('NOT_FOUND');
  });
});

describe('removals', () => {
  it('removing a member and deleting a targeted group nudge the device; a refused delete changes nothing and nudges nobody', async () => {
    const device = await t.enrolledDevice();
    const push = await connect(device);
    const policy = await newPolicy();
    const group = await t.admin.ok<Group>('POST', '/groups', { name: `g-${randomUUID().slice(0, 8)}` });
    await t.admin.ok('POST', `/groups/${group.groupId}/members`, { deviceId: device.deviceId });
    await expectNudge(push, 'assignment-changed');
    const assignment = await t.admin.ok<Assignment>('POST', '/assignments', { policyId: policy.policyId, groupId: group.groupId });
    await expectNudge(push, 'assignment-changed');
    expect(await assignedIds(device)).toEqual([policy.policyId]);

    expect((await t.admin.call('DELETE', `/groups/${group.groupId}/members/${device.deviceId}`)).status).toBe(204);
    await expectNudge(push, 'assignment-changed');
    expect(await assignedIds(device)).toEqual([]);
    // Not a member any more: no error, no nudge.
    expect((await t.admin.call('DELETE', `/groups/${group.groupId}/members/${device.deviceId}`)).status).toBe(204);
    await expectNoNudge(push, device);

    await t.admin.ok('POST', `/groups/${group.groupId}/members`, { deviceId: device.deviceId });
    await expectNudge(push, 'assignment-changed');
    const refused = await t.admin.call('DELETE', `/groups/${group.groupId}`);
    expect([refused.status, errorCode(refused)]).toEqual([409, 'CONFLICT']);
    expect(JSON.stringify(refused.body)).toContain(assignment.assignmentId);
    const maybe = await t.admin.call('DELETE', `/groups/${group.groupId}?force=maybe`);
    expect([maybe.status, errorCode(maybe)]).toEqual([400, 'QUERY_INVALID']);
    await expectNoNudge(push, device);
    expect(await assignedIds(device)).toEqual([policy.policyId]);

    const deleted = await t.admin.ok<{ removedAssignments: string[] }>('DELETE', `/groups/${group.groupId}?force=true`);
    expect(deleted.removedAssignments).toEqual([assignment.assignmentId]);
    await expectNudge(push, 'assignment-changed');
    expect(await assignedIds(device)).toEqual([]);
    expect(errorCode(await t.admin.call('DELETE', `/groups/${group.groupId}`))).toBe('NOT_FOUND');
    push.close();
  });

  it('deleting a device closes its push channel and forgets it: its requests and the access API no longer know it', async () => {
    const device = await t.enrolledDevice();
    const push = await connect(device);
    const access = () =>
      httpsRequest(t.endpoint.url, t.ca, 'GET', `/v1/access/devices/${device.deviceId}`, { headers: { authorization: `Bearer ${t.admin.token}` } });
    expect((await access()).status).toBe(200);
    expect((await t.admin.call('DELETE', `/devices/${device.deviceId}`)).status).toBe(204);
    expect((await push.closed).reason).toBe('device deleted');
    expect(errorCode(await device.get('/v1/device/policies'))).toBe('DEVICE_UNKNOWN');
    expect(errorCode(await access())).toBe('NOT_FOUND');
    expect(errorCode(await t.admin.call('GET', `/devices/${device.deviceId}`))).toBe('NOT_FOUND');
    expect(errorCode(await t.admin.call('DELETE', `/devices/${device.deviceId}`))).toBe('NOT_FOUND');
  });
});
