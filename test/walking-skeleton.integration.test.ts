// End to end with real processes: endpoint + agent (simulated Windows host) over loopback HTTPS and WebSocket.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentCommand, type Endpoint, type Proc, ROOT, removeDir, startAgent, startEndpoint, tempDir, waitFor } from './harness.js';

let dir: string;
let endpoint: Endpoint;
let agent: Proc | undefined;
let deviceId: string;
let agentArgs: string[];

async function policyFile(name: string): Promise<any> {
  return JSON.parse(await readFile(join(ROOT, 'examples', 'policies', name), 'utf8'));
}

async function deviceStatus(): Promise<any> {
  return endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/status`);
}

beforeAll(async () => {
  dir = await tempDir('e2e');
  endpoint = await startEndpoint(join(dir, 'endpoint'));
  // Check-in once a day: anything that arrives within the test came through the push channel.
  await writeFile(join(dir, 'agent.json'), JSON.stringify({ checkinIntervalMinutes: 1440, logLevel: 'debug' }));
  agentArgs = ['--config', join(dir, 'agent.json'), '--state-dir', join(dir, 'agent-state'), '--simulated', 'windows'];
});

afterAll(async () => {
  await agent?.stop();
  await endpoint?.stop();
  await removeDir(dir);
});

describe('walking skeleton', () => {
  it('enrolls with a single-use onboarding package; the key stays on the device', async () => {
    const pkg = await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', { maxUses: 1, expiresInMinutes: 60 });
    await writeFile(join(dir, 'onboarding.json'), JSON.stringify(pkg));
    const r = await agentCommand([...agentArgs, 'enroll', '--package', join(dir, 'onboarding.json'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    deviceId = JSON.parse(r.stdout).deviceId;
    const device = await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}`);
    expect(device).toMatchObject({ deviceId, platform: 'windows', revoked: false });

    const keyMode = (await stat(join(dir, 'agent-state', 'device-key.pem'))).mode & 0o777;
    const dirMode = (await stat(join(dir, 'agent-state'))).mode & 0o777;
    expect([keyMode, dirMode]).toEqual([0o600, 0o700]);
    const identity = await readFile(join(dir, 'agent-state', 'identity.json'), 'utf8');
    expect(identity).not.toContain('PRIVATE KEY');

    // The same single-use token cannot enroll a second device.
    const again = await agentCommand(['--state-dir', join(dir, 'second'), '--simulated', 'linux', 'enroll', '--package', join(dir, 'onboarding.json')]);
    expect(again.code).toBe(77); // not permitted (common/exit-codes.ts)
    expect(again.stderr).toContain('ENROLLMENT_TOKEN_EXHAUSTED');
  });

  it('applies an assigned antivirus policy and the endpoint shows succeeded per setting', async () => {
    agent = startAgent(agentArgs);
    await waitFor('push channel', async () => ((await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}`)).connected ? true : undefined));
    const group = await endpoint.admin.ok('POST', '/v1/admin/groups', { name: 'Pilot devices' });
    await endpoint.admin.ok('POST', `/v1/admin/groups/${group.groupId}/members`, { deviceId });
    const policy = await endpoint.admin.ok('POST', '/v1/admin/policies', await policyFile('windows-antivirus-baseline.json'));
    await endpoint.admin.ok('POST', '/v1/admin/assignments', { policyId: policy.policyId, groupId: group.groupId });

    const status = await waitFor(
      'policy reported',
      async () => {
        const s = await deviceStatus();
        return s.policies[0]?.state !== 'pending' && s.policies.length === 1 ? s : undefined;
      },
      30_000,
    );
    expect(status.policies[0]).toMatchObject({ policyId: policy.policyId, assignedVersion: 1, reportedVersion: 1, state: 'succeeded' });
    const byId = Object.fromEntries(status.settings.map((s: any) => [s.settingId, s]));
    expect(byId['defender.PUAProtection']).toMatchObject({ state: 'succeeded', desired: 1, observed: 1 });
    expect(byId['defender.CloudBlockLevel']).toMatchObject({ state: 'succeeded' });
    expect(byId['mdatp.antivirusEngine.enforcementLevel']).toMatchObject({ state: 'notApplicable', code: 'SETTING_NOT_APPLICABLE' });

    // The agent's own view agrees.
    const local = await agentCommand([...agentArgs, 'status', '--json']);
    const summary = JSON.parse(local.stdout);
    expect(summary).toMatchObject({ enrolled: true, deviceId, daemonPid: agent.child.pid, alternateEndpointUrls: [] });
    expect(summary.currentEndpointUrl).toBe(summary.endpointUrl);
    expect(summary.lastSync.policies[0].state).toBe('succeeded');
  });

  it('delivers a policy change through the push channel, not the periodic check-in', async () => {
    const [policy] = (await endpoint.admin.ok('GET', '/v1/admin/policies')).policies;
    const doc = await policyFile('windows-antivirus-baseline.json');
    doc.settings['defender.PUAProtection'] = 2;
    await endpoint.admin.ok('PUT', `/v1/admin/policies/${policy.policyId}`, doc);
    const status = await waitFor(
      'version 2 reported',
      async () => {
        const s = await deviceStatus();
        return s.policies[0]?.reportedVersion === 2 ? s : undefined;
      },
      30_000,
    );
    expect(status.policies[0].state).toBe('succeeded');
    expect(status.settings.find((s: any) => s.settingId === 'defender.PUAProtection')).toMatchObject({ state: 'succeeded', observed: 2 });
    const local = JSON.parse(await readFile(join(dir, 'agent-state', 'status.json'), 'utf8'));
    expect(local.trigger).toBe('push');
  });

  it('syncs on demand through the control channel', async () => {
    const r = await agentCommand([...agentArgs, 'sync', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ trigger: 'manual', source: 'endpoint' });
  });

  it('a second daemon on the same state dir refuses, naming the first one pid, and leaves its control socket alone', async () => {
    const before = JSON.parse((await agentCommand([...agentArgs, 'status', '--json'])).stdout);
    expect(before.daemonPid).toBe(agent?.child.pid);
    const second = startAgent(agentArgs);
    const code = await new Promise<number | null>((resolve) => second.child.once('exit', resolve));
    expect(code, second.output()).toBe(75);
    expect(second.output()).toContain('DAEMON_ALREADY_RUNNING');
    expect(second.output()).toContain(`pid ${agent?.child.pid}`);
    const after = JSON.parse((await agentCommand([...agentArgs, 'status', '--json'])).stdout);
    expect(after.daemonPid).toBe(agent?.child.pid);
    const r = await agentCommand([...agentArgs, 'sync', '--json']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('keeps the last good policy and stays up when the device is revoked', async () => {
    await endpoint.admin.ok('POST', `/v1/admin/devices/${deviceId}/revoke`);
    const r = await agentCommand([...agentArgs, 'sync', '--json']);
    const outcome = JSON.parse(r.stdout);
    expect(outcome).toMatchObject({ source: 'cache', error: { code: 'DEVICE_REVOKED' } });
    expect(outcome.policies[0]).toMatchObject({ version: 2, state: 'succeeded' });
    expect(agent?.child.exitCode).toBeNull();
  });
});
