// The policy-set omission attack (issue 12, finding 1) with real processes: a TLS-terminating proxy that holds the
// endpoint's server key sits between a real agent and a real endpoint and withholds policies, empties the set, or
// replays an older one. Each time the agent refuses the set, keeps every hardened setting, and the admin sees why.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentCommand, type Endpoint, freePort, type Proc, ROOT, removeDir, startAgent, startEndpoint, tempDir, waitFor } from './harness.js';

let dir: string;
let endpoint: Endpoint;
let proxy: ReturnType<typeof spawn> | undefined;
let agent: Proc | undefined;
let agentArgs: string[];
let deviceId: string;
let groupId: string;
const modeFile = () => join(dir, 'proxy-mode');

async function policy(name: string): Promise<string> {
  const doc = JSON.parse(await readFile(join(ROOT, 'examples', 'policies', name), 'utf8'));
  const created = await endpoint.admin.ok('POST', '/v1/admin/policies', doc);
  await endpoint.admin.ok('POST', '/v1/admin/assignments', { policyId: created.policyId, groupId });
  return created.policyId;
}

async function hostValues(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(dir, 'agent-state', 'simulated-host.json'), 'utf8')).values;
}

async function syncThrough(mode: string): Promise<{ code: number | null; outcome: any }> {
  await writeFile(modeFile(), mode);
  // The proxy cuts the push channel in tampering modes: wait until the endpoint sees the device gone, so the sync runs
  // over the (tampered) HTTPS path.
  if (mode !== 'pass') {
    await waitFor('push channel cut by the proxy', async () =>
      (await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}`)).connected ? undefined : true,
    );
  }
  const r = await agentCommand([...agentArgs, 'sync', '--json']);
  return { code: r.code, outcome: JSON.parse(r.stdout) };
}

beforeAll(async () => {
  dir = await tempDir('omission');
  const port = await freePort();
  endpoint = await startEndpoint(join(dir, 'endpoint'), ['--public-url', `https://127.0.0.1:${port}`]);
  await writeFile(modeFile(), 'pass');
  proxy = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'tls-proxy.ts'), String(port), endpoint.url, join(dir, 'endpoint'), modeFile()], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => createInterface({ input: proxy?.stdout as NodeJS.ReadableStream }).once('line', () => resolve()));
  const group = await endpoint.admin.ok('POST', '/v1/admin/groups', { name: 'Linux servers' });
  groupId = group.groupId;
  const pkg = await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', { maxUses: 1 });
  expect(pkg.endpointUrl).toBe(`https://127.0.0.1:${port}`);
  await writeFile(join(dir, 'onboarding.json'), JSON.stringify(pkg));
  await writeFile(join(dir, 'agent.json'), JSON.stringify({ checkinIntervalMinutes: 1440, logLevel: 'warn' }));
  agentArgs = ['--config', join(dir, 'agent.json'), '--state-dir', join(dir, 'agent-state'), '--simulated', 'linux'];
  const enrolled = await agentCommand([...agentArgs, 'enroll', '--package', join(dir, 'onboarding.json'), '--json']);
  expect(enrolled.code, enrolled.stderr).toBe(0);
  deviceId = JSON.parse(enrolled.stdout).deviceId;
  await endpoint.admin.ok('POST', `/v1/admin/groups/${groupId}/members`, { deviceId });
  agent = startAgent(agentArgs);
});

afterAll(async () => {
  await agent?.stop();
  proxy?.kill('SIGTERM');
  await endpoint?.stop();
  await removeDir(dir);
});

describe('policy-set omission through a TLS-terminating proxy', () => {
  it('applies the hardened set through an honest proxy', async () => {
    await policy('linux-antivirus.json');
    await policy('linux-antivirus-exclusions.json');
    const status = await waitFor('both policies applied', async () => {
      const s = await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/status`);
      return s.policies.length === 2 && s.policies.every((p: any) => p.state === 'succeeded') ? s : undefined;
    });
    expect(status.policies).toHaveLength(2);
    expect((await hostValues())['mdatp.networkProtection.enforcementLevel']).toBe('audit');
  });

  it('refuses a set with a policy withheld, and one emptied: nothing is un-applied and the admin sees the refusal', async () => {
    const before = await hostValues();
    for (const mode of ['omit-one', 'empty']) {
      const { code, outcome } = await syncThrough(mode);
      expect(code).toBe(2);
      expect(outcome.error.code).toBe('POLICY_SET_INVALID');
      expect(await hostValues()).toEqual(before);
    }
    const status = await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/status`);
    expect(status.lastSyncError?.code).toBe('POLICY_SET_INVALID');
    const events = await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/events`);
    expect(JSON.stringify(events)).toContain('POLICY_SET_INVALID');
  });

  it('refuses a replayed older set after the assignment grew, and recovers when the proxy stops tampering', async () => {
    await writeFile(modeFile(), 'pass');
    await policy('edr-tags.json');
    await waitFor('three policies applied', async () => {
      const s = await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/status`);
      return s.policies.length === 3 && s.policies.every((p: any) => p.state === 'succeeded') ? s : undefined;
    });
    const before = await hostValues();
    const { outcome } = await syncThrough('replay-first');
    expect(outcome.error.code).toBe('POLICY_SET_DOWNGRADE');
    expect(await hostValues()).toEqual(before);
    const honest = await syncThrough('pass');
    expect(honest.code).toBe(0);
    expect(honest.outcome.error).toBeUndefined();
  });
});
