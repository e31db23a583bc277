// Benchmark: push-to-applied latency at 1,000 and 10,000 simulated hosts (simulator/scenarios/push-1k.json, ×3, and
// push-10k.json, ×1: a 10,000-host run takes minutes), endpoint and fleet on this machine. From an admin's policy
// change to the endpoint acknowledging each host's report of the new version.
// Run: `npm run bench:fleet-push [-- --repeats 3 --repeats-10k 1 --repeats-faults 1 --only 1k|10k|10k-faults]` (the endpoint runs from dist/: `npm run
// build` first). Writes bench/results/fleet-push.json; with --only, the other size's entry already there is kept.
// `--database postgres [--replicas 2]`: the endpoint on a scratch PostgreSQL (behind HAProxy with several replicas);
// its entries are keyed `<size>-pg<replicas>` (e.g. 10k-pg2) beside the SQLite ones.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { headline, keepChart, machine, med, ROOT, simulate, writeResult } from './fleet-runs.js';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    'repeats-10k': { type: 'string', default: '1' },
    'repeats-faults': { type: 'string', default: '1' },
    only: { type: 'string' },
    database: { type: 'string', default: 'sqlite' },
    replicas: { type: 'string', default: '1' },
  },
});
const postgres = values.database === 'postgres';
const suffix = postgres ? `-pg${values.replicas}` : '';
const endpointFlags = postgres ? ['--endpoint-database', 'postgres', '--replicas', String(values.replicas)] : [];
const sizes = [
  { key: '1k', scenario: 'push-1k.json', repeats: Number(values.repeats) },
  { key: '10k', scenario: 'push-10k.json', repeats: Number(values['repeats-10k']) },
  // Issue 14's engine comparison at a size two replicas behind HAProxy fit in 20,000 descriptors: --only 5k.
  { key: '5k', scenario: 'push-5k.json', repeats: values.only === '5k' ? Number(values['repeats-10k']) : 0 },
  // Issue 13's fault run: 5 % of the hosts partitioned and the endpoint killed and restarted during the push.
  { key: '10k-faults', scenario: 'push-10k-faults.json', repeats: Number(values['repeats-faults']) },
].filter((s) => !values.only || s.key === values.only);

const previous = JSON.parse(await readFile(join(ROOT, 'bench', 'results', 'fleet-push.json'), 'utf8').catch(() => '{}')) as Record<string, unknown>;
const out: Record<string, unknown> = { ...previous, benchmark: 'fleet-push', machine: machine(), startedAt: new Date().toISOString() };
for (const size of sizes) {
  const runs = [];
  for (let i = 0; i < size.repeats; i++) {
    const { results, dir } = await simulate(size.scenario, `push-${size.key}${suffix}-${i + 1}`, endpointFlags);
    runs.push(headline(results));
    if (i === 0 && !postgres) {
      await keepChart(dir, 'latency', `bench-push-${size.key}-latency`);
      await keepChart(dir, 'convergence', `bench-push-${size.key}-convergence`);
      await keepChart(dir, 'cpu', `bench-push-${size.key}-cpu`);
      await keepChart(dir, 'memory', `bench-push-${size.key}-memory`);
    }
  }
  out[`${size.key}${suffix}`] = {
    command: `npm run simulate -- --scenario simulator/scenarios/${size.scenario} --endpoint dist${endpointFlags.length ? ` ${endpointFlags.join(' ')}` : ''}`,
    repeats: size.repeats,
    medians: {
      p50Ms: med(runs.map((r) => r.pushToAppliedMs.p50)),
      p95Ms: med(runs.map((r) => r.pushToAppliedMs.p95)),
      p99Ms: med(runs.map((r) => r.pushToAppliedMs.p99)),
      maxMs: med(runs.map((r) => r.pushToAppliedMs.max)),
      endpointPeakRssMb: med(runs.map((r) => r.endpoint.peakRssMb)),
      endpointCpuMsPerChange: med(
        runs.flatMap((r) => r.cpuMsPerDeliveredChange.endpoint ?? []),
        3,
      ),
      fleetCpuMsPerChange: med(
        runs.flatMap((r) => r.cpuMsPerDeliveredChange.fleet ?? []),
        3,
      ),
      fleetBytesPerHost: med(runs.map((r) => r.fleet.bytesPerHost)),
    },
    runs,
  };
  process.stdout.write(`fleet-push ${size.key}${suffix}: ${JSON.stringify((out[`${size.key}${suffix}`] as { medians: unknown }).medians)}\n`);
}
process.stdout.write(`wrote ${await writeResult('fleet-push', out)}\n`);
