// Integration test of POST /v1/admin/what-if against a real endpoint: a proposed assignment shows a new conflict and a
// from → to change (from the device's last observed value), and nothing is stored or pushed.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import { type Assignment, type Group, type PolicySummary, type StatusReport, WhatIfResponse } from '../../../policy-schemas/src/index.js';
import { errorCode } from '../testing/https-client.js';
import { TestPushClient } from '../testing/push-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t.close();
});

describe('what-if', () => {
  it('reports new conflicts and from → to changes without storing or pushing anything', async () => {
    const device = await t.enrolledDevice();
    const { policy, groupId } = await t.assignedPolicy([device], { 'defender.AllowRealtimeMonitoring': 1 });
    const report: StatusReport = {
      reportId: randomUUID(),
      deviceId: device.deviceId,
      generatedAt: new Date().toISOString(),
      agentVersion: '0.1.0',
      trigger: 'push',
      durationMs: 3,
      policies: [{ policyId: policy.policyId, version: 1, name: policy.name, kind: 'antivirus', state: 'succeeded' }],
      settings: [
        { settingId: 'defender.AllowRealtimeMonitoring', kind: 'antivirus', state: 'succeeded', policyIds: [policy.policyId], desired: 1, observed: 1 },
        // Not managed by any policy yet, but the device reported what it observes.
        { settingId: 'defender.AllowCloudProtection', kind: 'antivirus', state: 'succeeded', policyIds: [], observed: 0 },
      ],
    };
    expect((await device.post('/v1/device/reports', report)).status).toBe(200);
    const other = await t.admin.ok<PolicySummary>('POST', '/policies', {
      name: 'Strict AV',
      kind: 'antivirus',
      settings: { 'defender.AllowRealtimeMonitoring': 0, 'defender.AllowCloudProtection': 1 },
    });
    const client = await TestPushClient.open(t.endpoint.url, t.ca, device);
    expect(await client.next()).toMatchObject({ type: 'hello' });
    const before = {
      policies: await t.admin.ok('GET', '/policies'),
      assignments: await t.admin.ok<{ assignments: Assignment[] }>('GET', '/assignments'),
      served: (await device.get('/v1/device/policies')).body,
    };

    const answer = validate(
      WhatIfResponse,
      await t.admin.ok('POST', '/what-if', { change: 'addAssignment', policyId: other.policyId, groupId }),
      'what-if response',
    );
    expect(answer.affectedDevices).toBe(1);
    expect(answer.devices[0]).toEqual({
      deviceId: device.deviceId,
      hostname: 'ws-042',
      platform: 'windows',
      changes: [{ settingId: 'defender.AllowCloudProtection', from: 0, to: 1 }],
      newConflicts: [{ settingId: 'defender.AllowRealtimeMonitoring', policyIds: [policy.policyId, other.policyId].sort(), reason: expect.any(String) }],
      restored: [],
      notApplicable: [],
    });

    // An update of the assigned policy: a from → to change using the observed value; a deletion: restored settings.
    const update = validate(
      WhatIfResponse,
      await t.admin.ok('POST', '/what-if', {
        change: 'updatePolicy',
        policyId: policy.policyId,
        document: { name: 'AV', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 0 } },
      }),
      'what-if response',
    );
    expect(update.devices[0]?.changes).toEqual([{ settingId: 'defender.AllowRealtimeMonitoring', from: 1, to: 0 }]);
    const deletion = validate(WhatIfResponse, await t.admin.ok('POST', '/what-if', { change: 'deletePolicy', policyId: policy.policyId }), 'what-if response');
    expect(deletion.devices[0]?.restored).toEqual([{ settingId: 'defender.AllowRealtimeMonitoring', from: 1 }]);
    const created = validate(
      WhatIfResponse,
      await t.admin.ok('POST', '/what-if', {
        change: 'createPolicy',
        document: { name: 'Mac only', kind: 'antivirus', settings: { 'mdatp.antivirusEngine.enforcementLevel': 'real_time' } },
        assignments: [{ groupId }],
      }),
      'what-if response',
    );
    expect(created.devices[0]?.notApplicable.map((n) => n.settingId)).toEqual(['mdatp.antivirusEngine.enforcementLevel']);

    // Nothing stored, nothing pushed: the same policies, assignments and served set; the next message is our own sync.
    expect(await t.admin.ok('GET', '/policies')).toEqual(before.policies);
    expect(await t.admin.ok('GET', '/assignments')).toEqual(before.assignments);
    expect((await device.get('/v1/device/policies')).body).toEqual(before.served);
    await t.admin.ok('POST', `/devices/${device.deviceId}/sync`);
    expect(await client.next()).toMatchObject({ type: 'sync', reason: 'admin-request' });
    client.close();
  });

  it('rejects bad proposals with the codes the real change would get', async () => {
    const group = await t.admin.ok<Group>('POST', '/groups', { name: 'wi-empty' });
    const bad = await t.admin.call('POST', '/what-if', {
      change: 'createPolicy',
      document: { name: 'x', kind: 'antivirus', settings: { 'defender.Nope': 1 } },
    });
    expect(errorCode(bad)).toBe('POLICY_INVALID');
    expect(errorCode(await t.admin.call('POST', '/what-if', { change: 'addAssignment', policyId: randomUUID(), groupId: group.groupId }))).toBe('NOT_FOUND');
    expect(errorCode(await t.admin.call('POST', '/what-if', { change: 'launch' }))).toBe('SCHEMA_INVALID');
  });

  it('keeps the cached policy sets through a what-if and a rule preview (they change nothing); a real write drops them', async () => {
    const device = await t.enrolledDevice();
    const { policy } = await t.assignedPolicy([device], { 'defender.AllowRealtimeMonitoring': 1 });
    await device.get('/v1/device/policies');
    const sets = t.endpoint.context.sets;
    const cached = sets.size;
    expect(cached).toBeGreaterThan(0);
    await t.admin.ok('POST', '/what-if', { change: 'deletePolicy', policyId: policy.policyId });
    await t.admin.ok('POST', '/groups/preview', { rule: { match: 'all', conditions: [{ attribute: 'platform', equals: 'windows' }] } });
    expect(sets.size).toBe(cached);
    await t.admin.ok('POST', '/groups', { name: 'wi-drops-sets' });
    expect(sets.size).toBe(0);
  });
});
