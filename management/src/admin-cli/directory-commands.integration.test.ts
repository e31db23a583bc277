// The admin CLI's listing and removal commands through the real CLI against a real endpoint: assignment list and
// policy show, group delete (refused, then forced) / remove-device / set-rule / preview-rule, device delete (the device is forgotten),
// onboarding create --tag / list / revoke (never the token).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import { ErrorResponse, OnboardingPackage } from '../../../policy-schemas/src/index.js';
import { TestDevice } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { adminCliRunner } from './testing/cli-runner.js';

let t: TestEndpoint;

beforeAll(async () => {
  t = await startTestEndpoint();
});

afterAll(async () => {
  await t.close();
});

const { cli, json } = adminCliRunner(() => t.dir);

async function policyFile(name: string): Promise<string> {
  const file = join(t.dir, `${name}.json`);
  await writeFile(file, JSON.stringify({ name, kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 1 } }));
  return file;
}

describe('attache-admin assignments and groups', () => {
  it('lists assignments (and in policy show); refuses to delete a targeted group, naming the assignment; --force removes both and the device loses the policy', async () => {
    const device = await t.enrolledDevice();
    const policy = await json<{ policyId: string }>('policy', 'create', '--file', await policyFile('AV-del'));
    await json('group', 'create', 'Doomed');
    await json('group', 'add-device', 'Doomed', device.deviceId);
    const assignment = await json<{ assignmentId: string }>('assign', policy.policyId, 'Doomed');

    const listed = await json<{ assignments: { assignmentId: string; mode: string }[] }>('assignment', 'list', '--policy', policy.policyId);
    expect(listed.assignments).toEqual([expect.objectContaining({ assignmentId: assignment.assignmentId, mode: 'include' })]);
    const table = await cli('assignment', 'list');
    expect(table.out).toMatch(new RegExp(`${assignment.assignmentId}\\s+AV-del\\s+Doomed\\s+include`));
    const shown = await json<{ assignments: { assignmentId: string }[] }>('policy', 'show', policy.policyId);
    expect(shown.assignments.map((a) => a.assignmentId)).toEqual([assignment.assignmentId]);
    expect((await cli('policy', 'show', policy.policyId)).out).toContain(`Assignments\nASSIGNMENT ID`);
    expect((await device.get('/v1/device/policies')).body).toMatchObject({ policies: [expect.anything()] });

    const refused = await cli('group', 'delete', 'Doomed');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`error CONFLICT: group "Doomed" is still targeted by assignment ${assignment.assignmentId}`);
    expect(refused.err.match(/error CONFLICT/g)).toHaveLength(1);

    const deleted = await json<{ removedAssignments: string[] }>('group', 'delete', 'Doomed', '--force');
    expect(deleted.removedAssignments).toEqual([assignment.assignmentId]);
    expect((await json<{ assignments: unknown[] }>('assignment', 'list', '--policy', policy.policyId)).assignments).toEqual([]);
    expect((await json<{ groups: { name: string }[] }>('group', 'list')).groups.map((g) => g.name)).not.toContain('Doomed');
    // The device's cached set was invalidated: its next fetch has no policy.
    expect((await device.get('/v1/device/policies')).body).toMatchObject({ policies: [] });
  });

  it('removes a device from a static group and replaces a dynamic rule', async () => {
    const device = await t.enrolledDevice({ tags: ['Kiosk'] });
    await json('group', 'create', 'Static');
    await json('group', 'add-device', 'Static', device.deviceId);
    await json('group', 'remove-device', 'Static', device.deviceId);
    expect((await json<{ groups: string[] }>('device', 'show', device.deviceId)).groups).not.toContain('Static');

    const rule = join(t.dir, 'rule.json');
    await writeFile(rule, JSON.stringify({ match: 'all', conditions: [{ attribute: 'tags', contains: 'NoSuchTag' }] }));
    await json('group', 'create-dynamic', 'Kiosks', '--rule-file', rule);
    await writeFile(rule, JSON.stringify({ match: 'all', conditions: [{ attribute: 'tags', contains: 'Kiosk' }] }));
    const updated = await json<{ memberCount: number }>('group', 'set-rule', 'Kiosks', '--rule-file', rule);
    expect(updated.memberCount).toBe(1);
    const dynamic = await cli('group', 'remove-device', 'Kiosks', device.deviceId);
    expect([dynamic.code, dynamic.err]).toEqual([1, expect.stringContaining('error CONFLICT: ')]);
  });

  it('previews the devices a rule would match (every page, or --limit); a bad rule is refused naming the condition', async () => {
    const devices: TestDevice[] = [];
    for (let i = 0; i < 3; i++) devices.push(await t.enrolledDevice({ facts: { hostname: `preview-${i}` }, tags: ['Preview-CLI'] }));
    const rule = join(t.dir, 'preview-rule.json');
    await writeFile(rule, JSON.stringify({ match: 'all', conditions: [{ attribute: 'tags', contains: 'preview-cli' }] }));
    const all = await json<{ devices: { deviceId: string }[]; total: number }>('group', 'preview-rule', '--rule-file', rule);
    expect(all.total).toBe(3);
    expect(all.devices.map((d) => d.deviceId).sort()).toEqual(devices.map((d) => d.deviceId).sort());
    const limited = await json<{ devices: unknown[]; total: number }>('group', 'preview-rule', '--rule-file', rule, '--limit', '2');
    expect([limited.devices.length, limited.total]).toEqual([2, 3]);
    const table = await cli('group', 'preview-rule', '--rule-file', rule, '--limit', '1');
    expect(table.out).toContain('tags contains preview-cli');
    expect(table.out).toContain('3 device(s) match (1 shown)');
    expect(table.out).toMatch(/DEVICE ID\s+HOSTNAME[^\n]*\n\S+\s+preview-0\s/);

    await writeFile(rule, JSON.stringify({ match: 'all', conditions: [{ attribute: 'osVersion', startsWith: '' }] }));
    const bad = await cli('group', 'preview-rule', '--rule-file', rule);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('/conditions/0/startsWith');
  });
});

describe('attache-admin device delete', () => {
  it('forgets the device: its key can no longer sign, show is NOT_FOUND (exit 1), as a JSON error under --json', async () => {
    const device = await t.enrolledDevice();
    expect((await device.get('/v1/device/policies')).status).toBe(200);
    await json('device', 'delete', device.deviceId);
    const refused = await device.get('/v1/device/policies');
    expect([refused.status, (refused.body as { error: { code: string } }).error.code]).toEqual([401, 'DEVICE_UNKNOWN']);
    const shown = await cli('--json', 'device', 'show', device.deviceId);
    expect([shown.code, shown.out]).toEqual([1, '']);
    expect(validate(ErrorResponse, JSON.parse(shown.err), 'error').error.code).toBe('NOT_FOUND');
    expect((await cli('device', 'delete', device.deviceId)).code).toBe(1);
  });
});

describe('attache-admin onboarding', () => {
  it('creates with tags, lists by id without the token, revokes: enrollment with it is then refused', async () => {
    const file = join(t.dir, 'tagged.json');
    const created = await cli('onboarding', 'create', '--tag', 'Lab', '--tag', 'MDE-Management', '--max-uses', '3', '--description', 'lab', '--out', file);
    expect(created.code).toBe(0);
    expect(created.err).toContain(`next: enroll a device with ${file}`);
    const pkg = validate(OnboardingPackage, JSON.parse(await readFile(file, 'utf8')), 'package');
    const id = /id:\s+([0-9a-f]{12})/.exec(created.out)?.[1];
    expect(id).toBeDefined();

    const listed = await json<{ onboardingPackages: { id: string; tags: string[]; state: string; uses: number; maxUses: number }[] }>('onboarding', 'list');
    expect(listed.onboardingPackages.find((p) => p.id === id)).toMatchObject({ tags: ['Lab', 'MDE-Management'], state: 'active', uses: 0, maxUses: 3 });
    const table = await cli('onboarding', 'list');
    expect(table.out).toMatch(new RegExp(`${id}\\s+active\\s+0/3`));
    expect(`${table.out}${JSON.stringify(listed)}`).not.toContain(pkg.enrollmentToken);
    expect(`${table.out}${JSON.stringify(listed)}`).not.toContain('att_enr_');

    await json('onboarding', 'revoke', id as string);
    expect((await json<{ onboardingPackages: { id: string; state: string }[] }>('onboarding', 'list')).onboardingPackages.find((p) => p.id === id)?.state).toBe(
      'revoked',
    );
    const device = new TestDevice(t.endpoint.url, t.ca);
    const enroll = await device.enroll(pkg.enrollmentToken);
    expect([enroll.status, (enroll.body as { error: { code: string } }).error.code]).toEqual([401, 'ENROLLMENT_TOKEN_INVALID']);
    const unknown = await cli('onboarding', 'revoke', '000000000000');
    expect([unknown.code, unknown.err]).toEqual([1, expect.stringMatching(/^error NOT_FOUND: /)]);
  });

  it('lists a package past its expiry as expired and a used-up one as exhausted', async () => {
    const short = await json<{ id: string }>('onboarding', 'create', '--expires-in-minutes', '1', '--out', join(t.dir, 'short.json'));
    const single = await json<{ id: string; file: string }>('onboarding', 'create', '--out', join(t.dir, 'single.json'));
    const device = new TestDevice(t.endpoint.url, t.ca);
    device.now = () => t.now();
    expect((await device.enroll(validate(OnboardingPackage, JSON.parse(await readFile(single.file, 'utf8')), 'package').enrollmentToken)).status).toBe(201);
    t.setClockOffset(2 * 60_000);
    try {
      const states = new Map(
        (await json<{ onboardingPackages: { id: string; state: string }[] }>('onboarding', 'list')).onboardingPackages.map((p) => [p.id, p.state]),
      );
      expect([states.get(short.id), states.get(single.id)]).toEqual(['expired', 'exhausted']);
    } finally {
      t.setClockOffset(0);
    }
  });

  it('prints no hint under --json', async () => {
    const res = await cli('--json', 'onboarding', 'create', '--out', join(t.dir, 'quiet.json'));
    expect([res.code, res.err]).toEqual([0, '']);
    expect(JSON.parse(res.out)).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{12}$/) });
  });
});
