// Security tasks and updateSoftware over the real endpoint (issue 18): advisories imported and a Debian device's
// software uploaded through the vulnerability service, a task made from the openssl recommendation, accepted with
// remediation (a real updateSoftware action listing the device's binaries of the source package), refused a second
// time while that action is in flight, completed by the system once the new inventory shows the fix, and a compliance
// policy with a maximum exposure level following the device. updateSoftware refusals at create.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import {
  type CompliancePolicy,
  type Group,
  type MachineAction,
  SecurityTask,
  SecurityTaskDetail,
  SecurityTaskList,
  type SoftwareItem,
} from '../../../policy-schemas/src/index.js';
import { recommendationId } from '../service/vulnerabilities/matching/recommendations.js';
import { DEBIAN_ITEMS, debianUpload, OSV_FILE } from '../service/vulnerabilities/testing/service-fixtures.js';
import { errorCode, type TestDevice } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
  const vulnerabilities = t.endpoint.context.vulnerabilities;
  if (!vulnerabilities) throw new Error('the endpoint has no vulnerability service');
  await vulnerabilities.importAdvisories({ bytes: OSV_FILE, fileName: 'debian.json' }, { adminId: null, username: 'admin' });
});
afterAll(async () => {
  await t?.close();
});

const OPENSSL = recommendationId('Debian:12', 'openssl');
const FIXED = '3.0.11-1~deb12u2';

async function debianDevice(): Promise<TestDevice> {
  return t.enrolledDevice({ facts: { platform: 'linux', osVersion: '12' } });
}

async function upload(device: TestDevice, items: readonly SoftwareItem[], collectedAt: string): Promise<void> {
  await t.endpoint.context.vulnerabilities.acceptSoftware(device.deviceId, debianUpload(device.deviceId, items, collectedAt));
}

const fixedItems = DEBIAN_ITEMS.map((i) =>
  i.name === 'libssl3' || i.name === 'openssl' ? { ...i, version: FIXED, ...(i.sourceVersion ? { sourceVersion: FIXED } : {}) } : i,
);

describe('security tasks', () => {
  it('remediate a recommendation through updateSoftware and complete themselves once the device is fixed; compliance follows', async () => {
    const device = await debianDevice();
    const g = await t.admin.ok<Group>('POST', '/groups', { name: `g-${randomUUID().slice(0, 8)}` });
    await t.admin.ok('POST', `/groups/${g.groupId}/members`, { deviceId: device.deviceId });
    const policy = await t.admin.ok<CompliancePolicy>('POST', '/compliance-policies', {
      name: `c-${randomUUID().slice(0, 8)}`,
      settings: { maxVulnerabilityExposureLevel: 'none' },
    });
    await t.admin.ok('POST', `/compliance-policies/${policy.compliancePolicyId}/assignments`, { groupId: g.groupId });
    expect(t.endpoint.context.compliance.decision(device.deviceId)?.complianceState).toBe('unknown');
    await upload(device, DEBIAN_ITEMS, '2025-03-01T00:00:00.000Z');
    expect(t.endpoint.context.compliance.decision(device.deviceId)).toMatchObject({ complianceState: 'noncompliant', decision: 'block' });

    const created = await t.admin.call('POST', '/security-tasks', { recommendationId: OPENSSL, deviceIds: [device.deviceId], priority: 'high' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const task = validate(SecurityTask, created.body, 'task');
    expect(task).toMatchObject({ status: 'pending', appName: 'openssl', appVersion: FIXED, managedDeviceCount: 1, fixedDeviceCount: 0, creator: 'admin' });
    const rec = await t.endpoint.context.vulnerabilities.recommendation(OPENSSL);
    expect(rec?.recommendation.openTasks).toBeGreaterThanOrEqual(1);

    const accepted = validate(
      SecurityTaskDetail,
      await t.admin.ok('POST', `/security-tasks/${task.taskId}/status`, { status: 'active', remediate: true }),
      'detail',
    );
    const progress = accepted.devices.find((d) => d.deviceId === device.deviceId);
    expect(progress).toMatchObject({ fixed: false, installedVersion: '3.0.11-1~deb12u1', actionStatus: 'pending' });
    const action = await t.admin.ok<MachineAction>('GET', `/actions/${progress?.actionId}`);
    expect(action).toMatchObject({ type: 'updateSoftware', requestorComment: `Security task ${task.taskId}: ${task.displayName}` });
    expect(action.parameters).toEqual({
      packages: [
        { name: 'libssl3', source: 'dpkg', fixedVersion: FIXED },
        { name: 'openssl', source: 'dpkg', fixedVersion: FIXED },
      ],
      taskId: task.taskId,
    });
    // A second remediation while the first action is in flight: refused for the device, named in the history.
    const again = validate(
      SecurityTaskDetail,
      await t.admin.ok('POST', `/security-tasks/${task.taskId}/status`, { status: 'active', remediate: true }),
      'detail',
    );
    expect(again.task.history.at(-1)?.note).toMatch(new RegExp(`refused on 1 devices: ${device.deviceId}: ACTION_IN_PROGRESS`));

    await upload(device, fixedItems, '2025-03-02T00:00:00.000Z');
    const done = validate(SecurityTaskDetail, await t.admin.ok('GET', `/security-tasks/${task.taskId}`), 'detail');
    expect(done.task).toMatchObject({ status: 'completed', completion: 'automatic', fixedDeviceCount: 1 });
    expect(done.task.history.at(-1)).toMatchObject({ by: 'system', from: 'active', to: 'completed' });
    expect(done.devices[0]).toMatchObject({ fixed: true, installedVersion: FIXED });
    // DSA_CURL still applies (curl at deb12u4): the device stays exposed, so the policy allowing none still blocks it.
    expect(t.endpoint.context.compliance.decision(device.deviceId)?.complianceState).toBe('noncompliant');
    await t.admin.ok('PUT', `/compliance-policies/${policy.compliancePolicyId}`, { name: policy.name, settings: { maxVulnerabilityExposureLevel: 'high' } });
    expect(t.endpoint.context.compliance.decision(device.deviceId)).toMatchObject({ complianceState: 'compliant', decision: 'allow' });

    const list = validate(SecurityTaskList, await t.admin.ok('GET', '/security-tasks?status=completed'), 'list');
    expect(list.items.map((i) => i.taskId)).toContain(task.taskId);
  });

  it('refuses bad requests with stable codes', async () => {
    const device = await debianDevice();
    await upload(device, DEBIAN_ITEMS, '2025-03-01T00:00:00.000Z');
    const codeOf = async (method: string, path: string, body?: unknown) => {
      const res = await t.admin.call(method, path, body);
      return [res.status, errorCode(res)];
    };
    expect(await codeOf('POST', '/security-tasks', { recommendationId: 'f'.repeat(32) })).toEqual([404, 'RECOMMENDATION_NOT_FOUND']);
    expect(await codeOf('POST', '/security-tasks', { recommendationId: OPENSSL, deviceIds: [randomUUID()] })).toEqual([400, 'TASK_INVALID']);
    expect(await codeOf('GET', `/security-tasks/${randomUUID()}`)).toEqual([404, 'TASK_NOT_FOUND']);
    const task = await t.admin.ok<SecurityTask>('POST', '/security-tasks', { recommendationId: OPENSSL, deviceIds: [device.deviceId] });
    expect(await codeOf('POST', `/security-tasks/${task.taskId}/status`, { status: 'rejected' })).toEqual([409, 'TASK_TRANSITION_INVALID']);
    expect(await codeOf('POST', `/security-tasks/${task.taskId}/status`, { status: 'completed' })).toEqual([409, 'TASK_TRANSITION_INVALID']);
    expect(await codeOf('GET', '/security-tasks?status=done')).toEqual([400, 'QUERY_INVALID']);
  });
});

describe('updateSoftware at create', () => {
  it('checks names against the last software upload, and refuses a device that never uploaded one', async () => {
    const device = await debianDevice();
    const none = await t.admin.call('POST', `/devices/${device.deviceId}/updateSoftware`, { comment: 'patch', packages: [{ name: 'curl' }] });
    expect([none.status, errorCode(none)]).toEqual([409, 'CONFLICT']);
    expect(JSON.stringify(none.body)).toContain('has not uploaded its software inventory yet');
    await upload(device, DEBIAN_ITEMS, '2025-03-01T00:00:00.000Z');
    const unknown = await t.admin.call('POST', `/devices/${device.deviceId}/updateSoftware`, {
      comment: 'patch',
      packages: [{ name: 'curl' }, { name: 'nginx' }],
    });
    expect([unknown.status, errorCode(unknown)]).toEqual([400, 'ACTION_INVALID']);
    expect(JSON.stringify(unknown.body)).toContain('packages/1/name: \\"nginx\\"');
    const ok = await t.admin.call('POST', `/devices/${device.deviceId}/updateSoftware`, {
      comment: 'patch',
      packages: [{ name: 'curl', fixedVersion: '7.88.1-10+deb12u5' }],
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect((ok.body as MachineAction).parameters).toEqual({ packages: [{ name: 'curl', source: 'dpkg', fixedVersion: '7.88.1-10+deb12u5' }] });
  });
});
