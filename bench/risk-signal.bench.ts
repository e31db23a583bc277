// Benchmark: risk signal latency end to end. A real endpoint and a real agent process (simulated Linux host with a
// state file) with an indicator policy; each repetition writes a matching process into the host file and times until
// the agent logs that the endpoint acknowledged the alert report (risk high), then removes it and times until the
// resolution is acknowledged (risk none). N=20. Run: `npm run bench:risk-signal` (builds dist/ first).
// Writes bench/results/risk-signal.json and prints a summary.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildAll } from '../scripts/build.js';
import { agentCommand, type Proc, removeDir, startAgent, startEndpoint, tempDir, waitFor } from '../test/harness.js';
import { machine, type Stats, stats } from './stats.js';

const REPETITIONS = 20;

interface LogLine {
  readonly message?: string;
  readonly timestamp?: string;
  readonly endpointRiskLevel?: string;
  readonly alertId?: string;
}

function logLines(agent: Proc): LogLine[] {
  return agent
    .output()
    .split('\n')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as LogLine];
      } catch {
        return [];
      }
    });
}

/** Time (ms after `since`) of the first log line after `since` satisfying `match`. */
async function logged(agent: Proc, since: number, what: string, match: (l: LogLine) => boolean): Promise<number> {
  const line = await waitFor(
    what,
    async () => logLines(agent).find((l) => l.timestamp !== undefined && Date.parse(l.timestamp) >= since && match(l)),
    30_000,
    5,
  );
  return Date.parse(line.timestamp as string) - since;
}

async function main(): Promise<void> {
  await buildAll();
  const dir = await tempDir('bench-risk');
  const endpoint = await startEndpoint(join(dir, 'endpoint'));
  let agent: Proc | undefined;
  try {
    await writeFile(
      join(dir, 'agent.json'),
      JSON.stringify({ checkinIntervalMinutes: 1440, driftCheckSeconds: 3600, riskCheckSeconds: 3600, healthCheckSeconds: 3600 }),
    );
    const stateDir = join(dir, 'agent');
    const hostFile = join(stateDir, 'simulated-host.json');
    const args = ['--config', join(dir, 'agent.json'), '--state-dir', stateDir, '--simulated', 'linux', '--log-level', 'debug'];
    await writeFile(join(dir, 'pkg.json'), JSON.stringify(await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', {})));
    const enrolled = await agentCommand([...args, 'enroll', '--package', join(dir, 'pkg.json'), '--json']);
    if (enrolled.code !== 0) throw new Error(enrolled.stderr);
    const deviceId = JSON.parse(enrolled.stdout).deviceId as string;
    agent = startAgent(args);
    const group = await endpoint.admin.ok('POST', '/v1/admin/groups', { name: 'bench' });
    await endpoint.admin.ok('POST', `/v1/admin/groups/${group.groupId}/members`, { deviceId });
    const items = [{ type: 'processName', value: 'xmrig', action: 'alert', severity: 'high', title: 'Coin miner' }];
    const { policyId } = await endpoint.admin.ok('POST', '/v1/admin/policies', {
      name: 'Indicators',
      kind: 'indicators',
      settings: { 'indicators.items': items },
    });
    await endpoint.admin.ok('POST', '/v1/admin/assignments', { policyId, groupId: group.groupId });
    await waitFor('indicators delivered', async () => (await readFile(join(stateDir, 'indicators.json'), 'utf8').catch(() => undefined)) && true, 30_000);
    await waitFor('host file', async () => (await readFile(hostFile, 'utf8').catch(() => undefined)) && true, 30_000);
    // Let the startup work (inventory, health, first check) settle before timing.
    await new Promise((r) => setTimeout(r, 1000));

    const setProcesses = async (processes: object[]) => {
      const state = JSON.parse(await readFile(hostFile, 'utf8'));
      state.processes = processes;
      await writeFile(hostFile, JSON.stringify(state));
    };
    const runs: { detectMs: number; ackMs: number; resolveDetectMs: number; resolveAckMs: number }[] = [];
    for (let i = 0; i < REPETITIONS; i++) {
      const start = Date.now();
      await setProcesses([{ pid: 10_000 + i, name: 'xmrig', path: '/tmp/.cache/xmrig' }]);
      const detectMs = await logged(agent, start, 'alert detected', (l) => l.message === 'alert active');
      const ackMs = await logged(agent, start, 'alert acknowledged', (l) => l.message === 'alert report acknowledged' && l.endpointRiskLevel === 'high');
      await new Promise((r) => setTimeout(r, 200));
      const cleared = Date.now();
      await setProcesses([]);
      const resolveDetectMs = await logged(agent, cleared, 'resolution detected', (l) => l.message === 'alert resolved');
      const resolveAckMs = await logged(
        agent,
        cleared,
        'resolution acknowledged',
        (l) => l.message === 'alert report acknowledged' && l.endpointRiskLevel === 'none',
      );
      runs.push({ detectMs, ackMs, resolveDetectMs, resolveAckMs });
      await new Promise((r) => setTimeout(r, 200));
    }
    const metrics = ['ackMs', 'detectMs', 'resolveAckMs', 'resolveDetectMs'] as const;
    const result = {
      benchmark: 'risk-signal',
      description:
        'matching process written into the simulated host file → alert report acknowledged by the endpoint (ackMs; detectMs: alert raised by the agent), and process removed → resolution acknowledged; real endpoint and agent processes on loopback, host change watch with its 0.1 s settle time',
      repetitions: REPETITIONS,
      at: new Date().toISOString(),
      machine: machine(),
      results: Object.fromEntries(metrics.map((m) => [m, stats(runs.map((r) => r[m]))])),
    };
    await writeFile(join(import.meta.dirname, 'results', 'risk-signal.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`risk-signal: N=${REPETITIONS} (${result.machine.cpu}, ${result.machine.cores} cores)`);
    for (const m of metrics) {
      const s = result.results[m] as Stats;
      console.log(`  ${m.padEnd(16)} median ${s.median} ms  p95 ${s.p95} ms  min ${s.min} ms  max ${s.max} ms`);
    }
  } finally {
    await agent?.stop();
    await endpoint.stop();
    await removeDir(dir);
  }
}

await main();
