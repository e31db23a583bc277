// Scoped admins over real HTTPS on loopback: a scoped Endpoint Security Manager changes only groups and assignments in
// its scope, makes no tenant-wide write, sees only its devices in policy status and what-if, cannot read the audit
// log, and a refused write does not leave its target's state in the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage, PolicyStatusReport, WhatIfResponse } from '../../../policy-schemas/src/index.js';
import { adminAccount, type TestAccount } from '../testing/admin-accounts.js';
import type { TestDevice } from '../testing/https-client.js';
import { errorCode, type TestResponse } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

let t: TestEndpoint;
let inside: TestDevice;
let outside: TestDevice;
let groupA: string;
let groupB: string;
let policyId: string;
let scoped: TestAccount;

beforeAll(async () => {
  t = await startTestEndpoint();
  inside = await t.enrolledDevice();
  outside = await t.enrolledDevice();
  const a = await t.assignedPolicy([inside]);
  groupA = a.groupId;
  policyId = a.policy.policyId;
  groupB = (await t.admin.ok<{ groupId: string }>('POST', '/groups', { name: 'scope-b' })).groupId;
  await t.admin.ok('POST', `/groups/${groupB}/members`, { deviceId: outside.deviceId });
  await t.admin.ok('POST', '/assignments', { policyId, groupId: groupB });
  scoped = await adminAccount(t, 'endpointSecurityManager', [groupA]);
});
afterAll(async () => {
  await t?.close();
});

const refused = (res: TestResponse) => [res.status, errorCode(res)];

describe('scoped admin writes', () => {
  it('refuses tenant-wide writes: policies, compliance policies, group rules, group create and delete', async () => {
    const doc = { name: 'off', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 0 } };
    const calls: [string, string, unknown?][] = [
      ['POST', '/policies', doc],
      ['PUT', `/policies/${policyId}`, doc],
      ['DELETE', `/policies/${policyId}`],
      ['POST', '/compliance-policies', { name: 'c', settings: {} }],
      ['PUT', `/groups/${groupA}/rule`, { rule: { tag: 'x' } }],
      ['DELETE', `/groups/${groupB}?force=true`],
      ['DELETE', `/groups/${groupA}?force=true`],
      ['POST', '/groups', { name: 'mine' }],
    ];
    for (const [method, path, body] of calls) {
      const res = await scoped.api.call(method, path, body);
      expect([method, path, ...refused(res)]).toEqual([method, path, 403, 'ADMIN_FORBIDDEN']);
      expect(JSON.stringify(res.body)).toContain('scoped admins may not');
    }
    const { groups } = await t.admin.ok<{ groups: { groupId: string }[] }>('GET', '/groups');
    expect(groups.map((g) => g.groupId)).toEqual(expect.arrayContaining([groupA, groupB]));
  });

  it('assigns and unassigns only to groups in its scope', async () => {
    const other = await t.admin.ok<{ policyId: string }>('POST', '/policies', {
      name: 'other',
      kind: 'antivirus',
      settings: { 'defender.AllowRealtimeMonitoring': 1 },
    });
    expect(refused(await scoped.api.call('POST', '/assignments', { policyId: other.policyId, groupId: groupB }))).toEqual([403, 'ADMIN_FORBIDDEN']);
    const mine = await scoped.api.call('POST', '/assignments', { policyId: other.policyId, groupId: groupA });
    expect(mine.status).toBe(201);
    const { assignments } = await t.admin.ok<{ assignments: { assignmentId: string; groupId: string }[] }>('GET', '/assignments');
    const toB = assignments.find((a) => a.groupId === groupB) as { assignmentId: string };
    expect(refused(await scoped.api.call('DELETE', `/assignments/${toB.assignmentId}`))).toEqual([403, 'ADMIN_FORBIDDEN']);
    expect((await scoped.api.call('DELETE', `/assignments/${(mine.body as { assignmentId: string }).assignmentId}`)).status).toBe(204);

    const compliance = await t.admin.ok<{ compliancePolicyId: string }>('POST', '/compliance-policies', { name: 'c1', settings: { requireFirewall: true } });
    const path = `/compliance-policies/${compliance.compliancePolicyId}/assignments`;
    expect(refused(await scoped.api.call('POST', path, { groupId: groupB }))).toEqual([403, 'ADMIN_FORBIDDEN']);
    const toB2 = await t.admin.ok<{ assignmentId: string }>('POST', path, { groupId: groupB });
    expect(refused(await scoped.api.call('DELETE', `/compliance-assignments/${toB2.assignmentId}`))).toEqual([403, 'ADMIN_FORBIDDEN']);
    expect((await scoped.api.call('POST', path, { groupId: groupA })).status).toBe(201);
  });

  it('lets a scoped Administrator change only its own password and API tokens', async () => {
    const scopedAdministrator = await adminAccount(t, 'administrator', [groupA]);
    const { adminId: bootstrapId } = await t.admin.ok<{ adminId: string }>('GET', '/me');
    const takeover = await scopedAdministrator.api.call('PUT', `/admins/${bootstrapId}/password`, { password: 'taken over by a scoped admin' });
    expect(refused(takeover)).toEqual([403, 'ADMIN_FORBIDDEN']);
    const others = await t.admin.ok<{ tokenId: string }>('POST', '/api-tokens', { name: 'not yours' });
    expect(refused(await scopedAdministrator.api.call('DELETE', `/api-tokens/${others.tokenId}`))).toEqual([403, 'ADMIN_FORBIDDEN']);
    expect(refused(await scopedAdministrator.api.call('POST', '/admins', { username: 'wider', role: 'administrator', password: 'a long password!' }))).toEqual([
      403,
      'ADMIN_FORBIDDEN',
    ]);
    const own = await scopedAdministrator.api.ok<{ tokenId: string }>('POST', '/api-tokens', { name: 'mine' });
    expect((await scopedAdministrator.api.call('DELETE', `/api-tokens/${own.tokenId}`)).status).toBe(204);
    const change = { currentPassword: scopedAdministrator.password, password: 'my own new password' };
    expect((await scopedAdministrator.api.call('PUT', `/admins/${scopedAdministrator.adminId}/password`, change)).status).toBe(204);
  });

  it('keeps no before state of a refused write in the audit log', async () => {
    expect((await scoped.api.call('PUT', `/policies/${policyId}`, { name: 'x', kind: 'antivirus', settings: {} })).status).toBe(403);
    const { entries } = await t.admin.ok<AuditPage>('GET', `/audit?targetId=${policyId}&limit=1`);
    expect(entries[0]).toMatchObject({ action: 'policy.update', outcome: 'failure', errorCode: 'ADMIN_FORBIDDEN', before: null, after: null });
  });
});

describe('scoped admin reads', () => {
  it('sees only its devices in a policy status report and in what-if', async () => {
    const all = await t.admin.ok<PolicyStatusReport>('GET', `/policies/${policyId}/status`);
    expect(all.devices.map((d) => d.deviceId).sort()).toEqual([inside.deviceId, outside.deviceId].sort());
    const mine = await scoped.api.ok<PolicyStatusReport>('GET', `/policies/${policyId}/status`);
    expect(mine.devices.map((d) => d.deviceId)).toEqual([inside.deviceId]);
    expect(mine.counts.pending).toBe(1);

    const change = { change: 'deletePolicy', policyId };
    expect((await t.admin.ok<WhatIfResponse>('POST', '/what-if', change)).affectedDevices).toBe(2);
    const scopedWhatIf = await scoped.api.ok<WhatIfResponse>('POST', '/what-if', change);
    expect(scopedWhatIf.devices.map((d) => d.deviceId)).toEqual([inside.deviceId]);
    const toB = await scoped.api.call('POST', '/what-if', { change: 'addAssignment', policyId, groupId: groupB });
    expect(refused(toB)).toEqual([403, 'ADMIN_FORBIDDEN']);
  });

  it('cannot read, export or verify the audit log', async () => {
    for (const path of ['/audit', '/audit/export?format=jsonl', '/audit/verify']) {
      const res = await scoped.api.call('GET', path);
      expect([path, ...refused(res)]).toEqual([path, 403, 'ADMIN_FORBIDDEN']);
    }
    expect((await t.admin.call('GET', '/audit')).status).toBe(200);
  });
});
