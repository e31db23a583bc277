// Benchmark: signal → access decision, the chain of issue 5 end to end. A real endpoint and a real agent process
// (simulated Linux host with a state file) under an indicator policy and a compliance policy "risk at or under low";
// each repetition writes a process matching the indicator into the host file and times until a conditional-access
// gateway (GET /v1/access/devices/:id with an access token, polled every 5 ms) gets `block`, then removes the
// process and times until it gets `allow` again. N=20. Run: `npm run bench:signal-to-decision` (builds dist/ first).
// Writes bench/results/signal-to-decision.json and prints a summary.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildAll } from '../scripts/build.js';
import { agentCommand, type Proc, removeDir, startAgent, startEndpoint, tempDir, waitFor } from '../test/harness.js';
import { machine, type Stats, stats } from './stats.js';

const REPETITIONS = 20;

async function main(): Promise<void> {
  await buildAll();
  const dir = await tempDir('bench-decision');
  const endpoint = await startEndpoint(join(dir, 'endpoint'));
  let agent: Proc | undefined;
  try {
    await writeFile(join(dir, 'agent.json'), JSON.stringify({ checkinIntervalMinutes: 1440, driftCheckSeconds: 3600, riskCheckSeconds: 3600 }));
    const stateDir = join(dir, 'agent');
    const hostFile = join(stateDir, 'simulated-host.json');
    const args = ['--config', join(dir, 'agent.json'), '--state-dir', stateDir, '--simulated', 'linux'];
    await writeFile(join(dir, 'pkg.json'), JSON.stringify(await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', {})));
    const enrolled = await agentCommand([...args, 'enroll', '--package', join(dir, 'pkg.json'), '--json']);
    if (enrolled.code !== 0) throw new Error(enrolled.stderr);
    const deviceId = JSON.parse(enrolled.stdout).deviceId as string;
    agent = startAgent(args);
    const { token } = await endpoint.admin.ok('POST', '/v1/admin/access-tokens', { description: 'bench gateway' });
    const group = await endpoint.admin.ok('POST', '/v1/admin/groups', { name: 'bench' });
    await endpoint.admin.ok('POST', `/v1/admin/groups/${group.groupId}/members`, { deviceId });
    const compliance = await endpoint.admin.ok('POST', '/v1/admin/compliance-policies', { name: 'risk low', settings: { maxRiskLevel: 'low' } });
    await endpoint.admin.ok('POST', `/v1/admin/compliance-policies/${compliance.compliancePolicyId}/assignments`, { groupId: group.groupId });
    const items = [{ type: 'processName', value: 'xmrig', action: 'alert', severity: 'high', title: 'Coin miner' }];
    const { policyId } = await endpoint.admin.ok('POST', '/v1/admin/policies', {
      name: 'Indicators',
      kind: 'indicators',
      settings: { 'indicators.items': items },
    });
    await endpoint.admin.ok('POST', '/v1/admin/assignments', { policyId, groupId: group.groupId });
    await waitFor('indicators delivered', async () => (await readFile(join(stateDir, 'indicators.json'), 'utf8').catch(() => undefined)) && true, 30_000);
    const decision = async () => (await endpoint.admin.call('GET', `/v1/access/devices/${deviceId}`, undefined, token)).json.decision as string;
    await waitFor('allowed at start', async () => ((await decision()) === 'allow' ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 1000));

    const setProcesses = async (processes: object[]) => {
      const state = JSON.parse(await readFile(hostFile, 'utf8'));
      state.processes = processes;
      await writeFile(hostFile, JSON.stringify(state));
    };
    const until = async (what: string, want: string) => {
      const start = Date.now();
      await waitFor(what, async () => ((await decision()) === want ? true : undefined), 30_000, 5);
      return Date.now() - start;
    };
    const toBlock: number[] = [];
    const toAllow: number[] = [];
    for (let i = 0; i < REPETITIONS; i++) {
      const blocked = until('block', 'block');
      await setProcesses([{ pid: 20_000 + i, name: 'xmrig', path: '/tmp/xmrig' }]);
      toBlock.push(await blocked);
      await new Promise((r) => setTimeout(r, 200));
      const allowed = until('allow', 'allow');
      await setProcesses([]);
      toAllow.push(await allowed);
      await new Promise((r) => setTimeout(r, 200));
    }
    const result = {
      benchmark: 'signal-to-decision',
      description:
        'matching process written into the simulated host file → access decision `block` seen by a gateway polling every 5 ms (signalToBlockMs), and process removed → `allow` (clearToAllowMs); real endpoint and agent processes on loopback; includes the host change watch settle time (0.1 s)',
      repetitions: REPETITIONS,
      at: new Date().toISOString(),
      machine: machine(),
      results: { signalToBlockMs: stats(toBlock), clearToAllowMs: stats(toAllow) },
    };
    await writeFile(join(import.meta.dirname, 'results', 'signal-to-decision.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`signal-to-decision: N=${REPETITIONS} (${result.machine.cpu}, ${result.machine.cores} cores)`);
    for (const [name, s] of Object.entries(result.results) as [string, Stats][]) {
      console.log(`  ${name.padEnd(16)} median ${s.median} ms  p95 ${s.p95} ms  min ${s.min} ms  max ${s.max} ms`);
    }
  } finally {
    await agent?.stop();
    await endpoint.stop();
    await removeDir(dir);
  }
}

await main();
