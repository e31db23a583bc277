// The whole chain of issue 5 with real processes (endpoint + agent on a simulated Linux host with a state file):
// an admin pushes an indicator and a compliance policy "at or under machine risk low"; a matching process appears on
// the host → high alert → risk high → noncompliant → a gateway asking with an access-service token gets `block`,
// with the reason; the process ends → alert resolved → compliant → `allow`. The time from signal to decision change
// is measured by bench/signal-to-decision.bench.ts, not asserted here.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedHostState } from '../policy-schemas/src/index.js';
import { agentCommand, type Endpoint, type Proc, removeDir, startAgent, startEndpoint, tempDir, waitFor } from './harness.js';

let dir: string;
let endpoint: Endpoint;
let agent: Proc | undefined;
let deviceId: string;
let accessToken: string;

const hostFile = () => join(dir, 'agent', 'simulated-host.json');
async function editHost(change: (s: SimulatedHostState) => void): Promise<void> {
  const state = JSON.parse(await readFile(hostFile(), 'utf8')) as SimulatedHostState;
  change(state);
  await writeFile(hostFile(), JSON.stringify(state));
}
/** What a conditional-access gateway sees. */
const access = async () => {
  const r = await endpoint.admin.call('GET', `/v1/access/devices/${deviceId}`, undefined, accessToken);
  if (r.status !== 200) throw new Error(`access → ${r.status} ${JSON.stringify(r.json)}`);
  return r.json as { decision: string; complianceState: string; riskLevel: string; reasons: string[] };
};

beforeAll(async () => {
  dir = await tempDir('access');
  endpoint = await startEndpoint(join(dir, 'endpoint'));
  await writeFile(join(dir, 'agent.json'), JSON.stringify({ checkinIntervalMinutes: 1440, riskCheckSeconds: 3600 }));
  const args = ['--config', join(dir, 'agent.json'), '--state-dir', join(dir, 'agent'), '--simulated', 'linux'];
  await writeFile(join(dir, 'pkg.json'), JSON.stringify(await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', {})));
  const enrolled = await agentCommand([...args, 'enroll', '--package', join(dir, 'pkg.json'), '--json']);
  expect(enrolled.code, enrolled.stderr).toBe(0);
  deviceId = JSON.parse(enrolled.stdout).deviceId;
  agent = startAgent(args);
  accessToken = (await endpoint.admin.ok('POST', '/v1/admin/access-tokens', { description: 'gateway' })).token;
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await endpoint?.stop();
  await removeDir(dir);
});

describe('risk → compliance → access', () => {
  it('refuses the gateway without a valid access token', async () => {
    const r = await endpoint.admin.call('GET', `/v1/access/devices/${deviceId}`, undefined, 'att_acc_wrong');
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('ACCESS_UNAUTHORIZED');
  });

  it('allows a healthy device under a "risk at or under low" compliance policy', async () => {
    const group = await endpoint.admin.ok('POST', '/v1/admin/groups', { name: 'corp' });
    await endpoint.admin.ok('POST', `/v1/admin/groups/${group.groupId}/members`, { deviceId });
    const compliance = await endpoint.admin.ok('POST', '/v1/admin/compliance-policies', {
      name: 'Corp baseline',
      settings: { maxRiskLevel: 'low', requireRealTimeProtection: true },
    });
    await endpoint.admin.ok('POST', `/v1/admin/compliance-policies/${compliance.compliancePolicyId}/assignments`, { groupId: group.groupId });
    const indicators = await endpoint.admin.ok('POST', '/v1/admin/policies', {
      name: 'Coin miners',
      kind: 'indicators',
      settings: { 'indicators.items': [{ type: 'processName', value: 'xmrig', action: 'alert', severity: 'high', title: 'Coin miner' }] },
    });
    await endpoint.admin.ok('POST', '/v1/admin/assignments', { policyId: indicators.policyId, groupId: group.groupId });
    const allowed = await waitFor(
      'compliant and allowed',
      async () => {
        const a = await access();
        return a.decision === 'allow' && a.complianceState === 'compliant' ? a : undefined;
      },
      30_000,
    );
    expect(allowed.riskLevel).toBe('none');
    // The indicator list has reached the device before the signal is injected.
    await waitFor(
      'indicators on the device',
      async () => ((await readFile(join(dir, 'agent', 'indicators.json'), 'utf8').catch(() => '')).includes('xmrig') ? true : undefined),
      30_000,
    );
  });

  it('blocks when a process matching the indicator appears, and allows again when it ends', async () => {
    await editHost((s) => {
      s.processes = [{ pid: 4242, name: 'xmrig', path: '/tmp/xmrig' }];
    });
    const blocked = await waitFor(
      'access blocked',
      async () => {
        const a = await access();
        return a.decision === 'block' ? a : undefined;
      },
      30_000,
    );
    expect(blocked).toMatchObject({ complianceState: 'noncompliant', riskLevel: 'high' });
    expect(blocked.reasons.join(' ')).toMatch(/risk/i);
    const compliance = await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/compliance`);
    expect(JSON.stringify(compliance)).toContain('noncompliant');

    await editHost((s) => {
      s.processes = [];
    });
    const allowed = await waitFor(
      'access allowed again',
      async () => {
        const a = await access();
        return a.decision === 'allow' ? a : undefined;
      },
      30_000,
    );
    expect(allowed).toMatchObject({ complianceState: 'compliant', riskLevel: 'none' });
  });
});
