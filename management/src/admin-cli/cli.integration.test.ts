// Integration test of the admin CLI against a real endpoint: data-dir discovery, the policy → group → assign → status
// flow with --json, local validation before any request, and `error CODE: message` on failures.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import { OnboardingPackage } from '../../../policy-schemas/src/index.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { runAdminCli } from './cli.js';
import { adminCliRunner } from './testing/cli-runner.js';

let t: TestEndpoint;

beforeAll(async () => {
  t = await startTestEndpoint();
});

afterAll(async () => {
  await t.close();
});

const { cli, json } = adminCliRunner(() => t.dir);

describe('attache-admin', () => {
  it('writes an onboarding package 0600', async () => {
    const file = join(t.dir, 'pkg.json');
    const res = await cli('onboarding', 'create', '--max-uses', '5', '--out', file);
    expect(res.code).toBe(0);
    expect(res.out).not.toContain('att_enr_');
    validate(OnboardingPackage, JSON.parse(await readFile(file, 'utf8')), 'package');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('creates a policy and a group, assigns by group name and shows device status', async () => {
    const device = await t.enrolledDevice();
    const policyFile = join(t.dir, 'av.json');
    await writeFile(policyFile, JSON.stringify({ name: 'AV', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 1 } }));
    const policy = await json<{ policyId: string; latestVersion: number }>('policy', 'create', '--file', policyFile);
    expect(policy.latestVersion).toBe(1);
    await json('group', 'create', 'Laptops');
    await json('group', 'add-device', 'Laptops', device.deviceId);
    await json('assign', policy.policyId, 'Laptops');
    const status = await json<{ policies: { state: string }[] }>('device', 'status', device.deviceId);
    expect(status.policies.map((p) => p.state)).toEqual(['pending']);
    const updated = await json<{ latestVersion: number }>('policy', 'update', policy.policyId, '--file', policyFile);
    expect(updated.latestVersion).toBe(2);

    const table = await cli('device', 'list');
    expect(table.out).toContain(device.deviceId);
    expect(table.out).toContain('Laptops');
    expect((await cli('device', 'sync', device.deviceId)).out).toContain('not connected');
  });

  it('rejects an invalid policy file locally, naming the setting, before any request', async () => {
    const before = await json<{ policies: unknown[] }>('policy', 'list');
    const bad = join(t.dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ name: 'AV', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 7 } }));
    // An unreachable URL: the command must fail on the file before it ever connects.
    let err = '';
    const code = await runAdminCli(['--url', 'https://127.0.0.1:1', '--token-file', bad, '--ca-file', bad, 'policy', 'create', '--file', bad], {
      stdout: () => undefined,
      stderr: (s) => {
        err += s;
      },
    });
    expect(code).toBe(65);
    expect(err).toContain('error POLICY_INVALID');
    expect(err).toContain('/settings/defender.AllowRealtimeMonitoring');
    expect(await json('policy', 'list')).toEqual(before);
  });

  it('prints server errors as `error CODE: message` and exits 1 for a conflict (docs/errors.md, exit codes)', async () => {
    await json('group', 'create', 'Dupes');
    const res = await cli('group', 'create', 'Dupes');
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/^error CONFLICT: /);
    expect((await cli('assign', '00000000-0000-4000-8000-000000000000', 'NoSuchGroup')).err).toMatch(/^error NOT_FOUND: /);
  });
});
