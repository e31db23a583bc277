// Risk signals end to end (real endpoint, real agent process, simulated Linux host with a state file): an indicator
// policy is assigned, a matching process appears in the host file, a high alert reaches the endpoint and the device's
// risk is high; the process ends and the alert resolves. Also: health and inventory visible through the admin API,
// a `block` indicator stopping its process, blockAndRemediate with expired and notApplicable items reported, posture
// alerts from injected health, and `agent status`.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHostState } from '../policy-schemas/src/index.js';
import { agentCommand, type Endpoint, type Proc, removeDir, startAgent, startEndpoint, tempDir, waitFor } from './harness.js';

let dir: string;
let endpoint: Endpoint;
let agent: Proc | undefined;
let args: string[];
let deviceId: string;
let policyId: string;

const stateDir = () => join(dir, 'agent');
const hostFile = () => join(stateDir(), 'simulated-host.json');
const alerts = () => endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/alerts`);
const indicatorItems = async (): Promise<{ action: string }[] | undefined> =>
  JSON.parse(await readFile(join(stateDir(), 'indicators.json'), 'utf8').catch(() => '{}')).items;
const readHost = async (): Promise<SimulatedHostState> => JSON.parse(await readFile(hostFile(), 'utf8'));
async function editHost(change: (s: SimulatedHostState) => void): Promise<void> {
  const state = await readHost();
  change(state);
  await writeFile(hostFile(), JSON.stringify(state));
}

const COIN_MINER = { type: 'processName', value: 'xmrig', action: 'alert', severity: 'high', title: 'Coin miner' };

beforeAll(async () => {
  dir = await tempDir('risk');
  endpoint = await startEndpoint(join(dir, 'endpoint'));
  // The periodic risk check is an hour away: alerts within the test's time come from the host change watch.
  await writeFile(
    join(dir, 'agent.json'),
    JSON.stringify({ checkinIntervalMinutes: 1440, driftCheckSeconds: 3600, riskCheckSeconds: 3600, healthCheckSeconds: 3600 }),
  );
  args = ['--config', join(dir, 'agent.json'), '--state-dir', stateDir(), '--simulated', 'linux'];
  await writeFile(join(dir, 'pkg.json'), JSON.stringify(await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', {})));
  const enrolled = await agentCommand([...args, 'enroll', '--package', join(dir, 'pkg.json'), '--json']);
  expect(enrolled.code, enrolled.stderr).toBe(0);
  deviceId = JSON.parse(enrolled.stdout).deviceId;
  agent = startAgent(args);
  const group = await endpoint.admin.ok('POST', '/v1/admin/groups', { name: 'risk' });
  await endpoint.admin.ok('POST', `/v1/admin/groups/${group.groupId}/members`, { deviceId });
  policyId = (await endpoint.admin.ok('POST', '/v1/admin/policies', { name: 'Indicators', kind: 'indicators', settings: { 'indicators.items': [COIN_MINER] } }))
    .policyId;
  await endpoint.admin.ok('POST', '/v1/admin/assignments', { policyId, groupId: group.groupId });
  await waitFor('indicators delivered', async () => ((await indicatorItems())?.length === 1 ? true : undefined), 30_000);
});

afterAll(async () => {
  await agent?.stop();
  await endpoint?.stop();
  await removeDir(dir);
});

describe('risk signals end to end', () => {
  it('shows the device health and inventory through the admin API', async () => {
    const health = await waitFor(
      'health uploaded',
      async () => (await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/health`)).health ?? undefined,
      30_000,
    );
    expect(health).toMatchObject({
      antivirus: { source: 'simulated', mode: 'active', realTimeProtection: true },
      firewall: { source: 'simulated', enabled: true },
    });
    const inventory = await waitFor(
      'inventory uploaded',
      async () => (await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/inventory`)).inventory ?? undefined,
      30_000,
    );
    expect(inventory).toMatchObject({ os: { platform: 'linux' }, hardware: { model: 'Simulated Device' }, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('raises a high alert when a matching process appears and resolves it when the process ends', async () => {
    expect((await alerts()).riskLevel).toBe('none');
    await editHost((s) => {
      s.processes = [{ pid: 31337, name: 'xmrig', path: '/tmp/.cache/xmrig' }];
    });
    const high = await waitFor('high alert at the endpoint', async () => {
      const a = await alerts();
      return a.riskLevel === 'high' ? a : undefined;
    });
    const alert = high.alerts.find((x: { status: string }) => x.status === 'active');
    expect(alert).toMatchObject({
      category: 'indicator',
      severity: 'high',
      title: 'Coin miner',
      evidence: { processPath: '/tmp/.cache/xmrig', pids: '31337' },
    });

    const status = await agentCommand([...args, 'status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).risk, status.stderr).toMatchObject({
      riskLevel: 'high',
      activeAlerts: [{ alertId: alert.alertId, severity: 'high' }],
      health: { antivirus: { realTimeProtection: true } },
    });

    await editHost((s) => {
      s.processes = [];
    });
    const cleared = await waitFor('alert resolved at the endpoint', async () => {
      const a = await alerts();
      return a.riskLevel === 'none' ? a : undefined;
    });
    expect(cleared.alerts.find((x: { alertId: string }) => x.alertId === alert.alertId)).toMatchObject({ status: 'resolved', resolvedAt: expect.any(String) });
  });

  it('stops a process matching a block indicator and reports the action', async () => {
    const doc = { name: 'Indicators', kind: 'indicators', settings: { 'indicators.items': [{ ...COIN_MINER, action: 'block' }] } };
    await endpoint.admin.ok('PUT', `/v1/admin/policies/${policyId}`, doc);
    await waitFor('block indicator delivered', async () => ((await indicatorItems())?.[0]?.action === 'block' ? true : undefined), 30_000);
    await editHost((s) => {
      s.processes = [
        { pid: 4040, name: 'xmrig', path: '/tmp/.cache/xmrig' },
        { pid: 4041, name: 'sshd', path: '/usr/sbin/sshd' },
      ];
    });
    const blocked = await waitFor('blocked alert at the endpoint', async () =>
      (await alerts()).alerts.find((a: { action?: { type: string }; status: string }) => a.action?.type === 'killProcess'),
    );
    expect(blocked.action).toMatchObject({ ok: true, detail: 'simulated: process 4040 stopped' });
    expect((await readHost()).processes).toEqual([{ pid: 4041, name: 'sshd', path: '/usr/sbin/sshd' }]);
  });

  it("quarantines on blockAndRemediate and names expired and notApplicable items in the setting's status", async () => {
    const md5 = 'ab'.repeat(16);
    const items = [
      { type: 'fileMd5', value: md5, action: 'blockAndRemediate', title: 'Miner by MD5' },
      { type: 'processName', value: 'xmrig', action: 'block', expirationTime: '2020-01-01T00:00:00Z' },
      { type: 'certificateThumbprint', value: 'CD'.repeat(20), action: 'allowed' },
    ];
    await endpoint.admin.ok('PUT', `/v1/admin/policies/${policyId}`, { name: 'Indicators', kind: 'indicators', settings: { 'indicators.items': items } });
    await waitFor('remediate indicator delivered', async () => ((await indicatorItems())?.length === 3 ? true : undefined), 30_000);
    await editHost((s) => {
      s.processes = [
        { pid: 5050, name: 'xmrig', path: '/tmp/.cache/xmrig' },
        { pid: 5051, name: 'miner', path: '/tmp/.m/miner', md5 },
      ];
    });
    const remediated = await waitFor('remediated alert at the endpoint', async () =>
      (await alerts()).alerts.find((a: { title: string; action?: unknown }) => a.title === 'Miner by MD5' && a.action),
    );
    expect(remediated.action).toEqual({ type: 'killProcess', ok: true, detail: 'simulated: process 5051 stopped; simulated: /tmp/.m/miner quarantined' });
    // The expired block leaves xmrig running.
    expect((await readHost()).processes?.map((p) => p.pid)).toEqual([5050]);
    const status = await waitFor('indicator status message', async () => {
      const s = await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/status`);
      return s.settings?.find((x: { settingId: string; message?: string }) => x.settingId === 'indicators.items' && x.message?.includes('expired'));
    });
    expect(status).toMatchObject({ state: 'succeeded', message: expect.stringContaining('2 of 3 indicator(s) not enforced') });
    expect(status.message).toContain('notApplicable on linux: certificateThumbprint');
    await editHost((s) => {
      s.processes = [];
    });
  });

  it('raises posture alerts from injected health and resolves them when health recovers', async () => {
    await waitFor('no active alert', async () => ((await alerts()).activeCount === 0 ? true : undefined));
    await editHost((s) => {
      s.health = { realTimeProtection: false, signatureAgeHours: 400 };
    });
    const posture = await waitFor('posture alerts', async () => {
      const a = await alerts();
      return a.activeCount === 2 ? a : undefined;
    });
    expect(posture.riskLevel).toBe('medium');
    expect(
      posture.alerts
        .filter((a: { status: string }) => a.status === 'active')
        .map((a: { alertId: string }) => a.alertId)
        .sort(),
    ).toEqual(['posture.realTimeProtectionOff', 'posture.signaturesOutOfDate']);
    const health = await waitFor('health change uploaded', async () => {
      const h = (await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/health`)).health;
      return h?.antivirus.realTimeProtection === false ? h : undefined;
    });
    expect(health.antivirus.signatureAgeHours).toBe(400);
    await editHost((s) => {
      delete s.health;
    });
    await waitFor('posture alerts resolved', async () => ((await alerts()).riskLevel === 'none' ? true : undefined));
  });
});
