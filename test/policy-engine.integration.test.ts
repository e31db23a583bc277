// The agent's policy engine end to end (real endpoint, real agent process, simulated Linux host with a state file):
// a setting dropped from a policy goes back to its pre-management value, drift in the host store is repaired as soon
// as the host reports the change and, with watching off, by the periodic drift check; the endpoint shows the restore
// and the repairs as device events; a dry run prints the plan without changing anything.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentCommand, type Endpoint, type Proc, ROOT, removeDir, startAgent, startEndpoint, tempDir, waitFor } from './harness.js';

const NP = 'mdatp.networkProtection.enforcementLevel';
const CLOUD = 'mdatp.cloudService.enabled';

let dir: string;
let endpoint: Endpoint;
let agent: Proc | undefined;
let args: string[];
let deviceId: string;
let policyId: string;

const stateDir = () => join(dir, 'agent');
const hostFile = () => join(stateDir(), 'simulated-host.json');
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));
const hostValue = async (id: string) => (await readJson(hostFile())).values[id];
const status = () => endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/status`);
const events = async (): Promise<{ type: string; settingId?: string; before?: unknown; after?: unknown; at: string }[]> =>
  (await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/events`)).events;
const tamperHostFile = async (id: string, value: unknown) => {
  const state = await readJson(hostFile());
  state.values[id] = value;
  await writeFile(hostFile(), JSON.stringify(state));
};

beforeAll(async () => {
  dir = await tempDir('engine');
  endpoint = await startEndpoint(join(dir, 'endpoint'));
  // The periodic drift check is an hour away: a repair within the test's time comes from the change watch.
  await writeFile(join(dir, 'agent.json'), JSON.stringify({ checkinIntervalMinutes: 1440, driftCheckSeconds: 3600 }));
  args = ['--config', join(dir, 'agent.json'), '--state-dir', stateDir(), '--simulated', 'linux'];
  await writeFile(join(dir, 'pkg.json'), JSON.stringify(await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', {})));
  const enrolled = await agentCommand([...args, 'enroll', '--package', join(dir, 'pkg.json'), '--json']);
  expect(enrolled.code, enrolled.stderr).toBe(0);
  deviceId = JSON.parse(enrolled.stdout).deviceId;
  agent = startAgent(args);
  const group = await endpoint.admin.ok('POST', '/v1/admin/groups', { name: 'linux' });
  await endpoint.admin.ok('POST', `/v1/admin/groups/${group.groupId}/members`, { deviceId });
  const doc = await readJson(join(ROOT, 'examples', 'policies', 'linux-antivirus.json'));
  policyId = (await endpoint.admin.ok('POST', '/v1/admin/policies', doc)).policyId;
  await endpoint.admin.ok('POST', '/v1/admin/assignments', { policyId, groupId: group.groupId });
  await waitFor('v1 applied', async () => ((await status()).policies[0]?.state === 'succeeded' ? true : undefined), 30_000);
});

afterAll(async () => {
  await agent?.stop();
  await endpoint?.stop();
  await removeDir(dir);
});

describe('policy engine end to end', () => {
  it('restores the pre-management value of a setting a new policy version drops', async () => {
    expect(await hostValue(NP)).toBe('audit');
    expect((await readJson(join(stateDir(), 'baseline.json'))).settings[NP]).toMatchObject({ original: 'disabled', applied: 'audit' });
    const doc = await readJson(join(ROOT, 'examples', 'policies', 'linux-antivirus.json'));
    delete doc.settings[NP];
    await endpoint.admin.ok('PUT', `/v1/admin/policies/${policyId}`, doc);

    const after = await waitFor(
      'v2 reported',
      async () => {
        const s = await status();
        return s.policies[0]?.reportedVersion === 2 ? s : undefined;
      },
      30_000,
    );
    expect(after.settings.map((s: { settingId: string }) => s.settingId)).not.toContain(NP);
    expect(await hostValue(NP)).toBe('disabled');
    expect((await readJson(join(stateDir(), 'baseline.json'))).settings[NP]).toBeUndefined();
    expect((await readJson(join(stateDir(), 'applied-versions.json'))).versions[policyId]).toBe(2);
    const restored = await waitFor('restored event on the endpoint', async () => (await events()).find((e) => e.type === 'restored'));
    expect(restored).toMatchObject({ settingId: NP, before: 'audit', after: 'disabled' });
  });

  it('repairs drift as soon as the host store changes and reports it as a tamper event', async () => {
    await tamperHostFile(CLOUD, false);
    await waitFor('drift repaired', async () => ((await hostValue(CLOUD)) === true ? true : undefined), 30_000);
    const remediated = await waitFor('remediated event on the endpoint', async () => (await events()).find((e) => e.type === 'remediated'));
    expect(remediated).toMatchObject({ settingId: CLOUD, before: false, after: true });
    expect(Date.parse(remediated.at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('prints a dry-run plan and changes nothing, with and without the daemon', async () => {
    const viaDaemon = await agentCommand([...args, 'sync', '--dry-run', '--json']);
    expect(viaDaemon.code, viaDaemon.stderr).toBe(0);
    const plan = JSON.parse(viaDaemon.stdout);
    expect(plan).toMatchObject({ computedBy: 'daemon', policies: [{ policyId, version: 2 }], restores: [], conflicts: [] });
    expect(plan.settings.find((s: { settingId: string }) => s.settingId === CLOUD)).toMatchObject({ current: true, desired: true, change: false });

    await agent?.stop();
    agent = undefined;
    const state = await readJson(hostFile());
    state.values[CLOUD] = false;
    await writeFile(hostFile(), JSON.stringify(state));
    const snapshot = async () =>
      Promise.all([readdir(stateDir()), readdir(join(stateDir(), 'outbox')), readFile(hostFile(), 'utf8'), readFile(join(stateDir(), 'status.json'), 'utf8')]);
    const before = await snapshot();
    const local = await agentCommand([...args, 'sync', '--dry-run']);
    expect(local.code, local.stderr).toBe(0);
    expect(local.stdout).toContain('daemon not running');
    expect(local.stdout).toMatch(new RegExp(`change\\s+${CLOUD.replaceAll('.', '\\.')}: false → true`));
    expect(await snapshot()).toEqual(before);
  });

  it('with watching off, repairs drift at the periodic drift check', async () => {
    await writeFile(join(dir, 'agent.json'), JSON.stringify({ checkinIntervalMinutes: 1440, driftCheckSeconds: 1, driftWatch: false }));
    agent = startAgent(args);
    // The dry-run test left CLOUD drifted while the agent was down; the startup sync repairs that, so drift again.
    await waitFor('startup repair', async () => ((await hostValue(CLOUD)) === true ? true : undefined), 30_000);
    await waitFor('agent started', async () => (/"driftWatch":false/.test(agent?.output() ?? '') ? true : undefined));
    const repairsBefore = (await events()).filter((e) => e.type === 'remediated').length;
    await tamperHostFile(CLOUD, false);
    await waitFor('drift repaired', async () => ((await hostValue(CLOUD)) === true ? true : undefined), 30_000);
    await waitFor('another remediated event', async () => ((await events()).filter((e) => e.type === 'remediated').length > repairsBefore ? true : undefined));
  });
});
