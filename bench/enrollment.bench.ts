// Benchmark: enrollments/s of the endpoint (dist bundle, as it ships) with the real agent enrollment code in the
// simulator's fleet processes, N devices at C in flight, each device on its own new TLS connection (a real device's
// first contact), with the groups and policy of the capacity scenario; endpoint and fleet CPU per enrollment.
// Run: `npm run build && npm run bench:enrollment [-- --devices 3000 --concurrency 128 --repeats 3 --cpu-prof <dir>]`.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sleep, systemClock } from '../common/clock.js';
import { AdminApi } from '../simulator/src/endpoint/admin-api.js';
import { startManagedEndpoint } from '../simulator/src/endpoint/endpoint-process.js';
import { type ProcUsage, procUsage } from '../simulator/src/endpoint/proc-usage.js';
import { Fleet } from '../simulator/src/fleet/fleet.js';
import { createGroups, fleetHosts, hostBehaviour, onboardingPackages } from '../simulator/src/run/fleet-setup.js';
import { loadScenario, type Scenario } from '../simulator/src/scenario/load.js';
import { machine, med, ROOT, writeResult } from './fleet-runs.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '128' },
    repeats: { type: 'string', default: '3' },
    'cpu-prof': { type: 'string' },
  },
});
const devices = Number(values.devices);
const concurrency = Number(values.concurrency);
const repeats = Number(values.repeats);
if (!Number.isInteger(devices) || devices < 1 || devices > 20_000) throw new Error(`--devices must be an integer 1..20000, got ${values.devices}`);
if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1024) throw new Error(`--concurrency must be 1..1024, got ${values.concurrency}`);
if (!Number.isInteger(repeats) || repeats < 1 || repeats > 10) throw new Error(`--repeats must be 1..10, got ${values.repeats}`);
const SCENARIO = 'simulator/scenarios/capacity-10k.json';
const WORK = join(ROOT, '.tmp', 'bench-enrollment');

/** The capacity scenario with its host slices scaled to `n` devices (same platform mix). */
function scaled(scenario: Scenario, n: number): Scenario {
  const total = scenario.fleet.hosts.reduce((s, h) => s + h.count, 0);
  let left = n;
  const hosts = scenario.fleet.hosts.map((slice, i, all) => {
    const count = i === all.length - 1 ? left : Math.round((slice.count * n) / total);
    left -= count;
    return { ...slice, count };
  });
  return { ...scenario, fleet: { ...scenario.fleet, hosts } };
}

/** CPU milliseconds between two samples summed over processes (a process missing in either sample counts nothing). */
function cpuMs(before: readonly (ProcUsage | undefined)[], after: readonly (ProcUsage | undefined)[]): number {
  return before.reduce((sum, b, i) => {
    const a = after[i];
    return a && b ? sum + (a.cpuMicros - b.cpuMicros) / 1000 : sum;
  }, 0);
}

async function setUp(admin: AdminApi, scenario: Scenario): Promise<void> {
  const groups = await createGroups(admin, scenario);
  for (const step of scenario.setup) {
    if (step.action !== 'createPolicy') continue;
    const document = step.document ?? (step.file ? scenario.documents.get(step.file) : undefined);
    if (!document) throw new Error(`setup step of ${step.policy} has no document`);
    const { policyId } = await admin.createPolicy(document);
    for (const group of step.assign ?? []) await admin.assign(policyId, groups.get(group)?.groupId ?? '');
  }
}

async function run(index: number) {
  await mkdir(WORK, { recursive: true });
  const dir = await mkdtemp(join(WORK, `run-${index}-`));
  const profDir = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;
  // The endpoint and the fleet processes inherit the environment: with --cpu-prof both write .cpuprofile files on exit.
  if (profDir) process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${profDir}`.trim();
  const endpoint = await startManagedEndpoint({ dataDir: join(dir, 'data'), build: 'dist', logFile: join(dir, 'endpoint.log') });
  const admin = new AdminApi(endpoint.connection);
  let fleet: Fleet | undefined;
  try {
    const scenario = scaled(await loadScenario(join(ROOT, SCENARIO)), devices);
    await setUp(admin, scenario);
    const hosts = fleetHosts(scenario);
    const packages = await onboardingPackages(admin, scenario);
    const span = { first: Number.POSITIVE_INFINITY, last: 0, ok: 0, failed: 0 };
    fleet = await Fleet.start(
      {
        hosts,
        packages,
        behaviour: hostBehaviour(scenario),
        processes: availableParallelism(),
      },
      {
        onEnrolled: (_host, _deviceId, started, finished) => {
          span.ok++;
          span.first = Math.min(span.first, started);
          span.last = Math.max(span.last, finished);
        },
        onEnrollFailed: () => {
          span.failed++;
        },
        onAck: () => {},
      },
    );
    // A round trip to every fleet process: their hosts are built before the clock starts.
    await fleet.faultHits();
    const sample = () => [endpoint.usage(), ...(fleet?.pids ?? []).map(procUsage)];
    // The machine is shared: its 1-minute load average says how much of it the run had.
    const loadBefore = loadavg()[0] ?? 0;
    const before = sample();
    const started = systemClock.now();
    await fleet.enroll(concurrency);
    const seconds = (systemClock.now() - started) / 1000;
    const after = sample();
    await sleep(systemClock, 300); // the fleet's last counters batch
    const endpointMs = cpuMs(before.slice(0, 1), after.slice(0, 1));
    const fleetMs = cpuMs(before.slice(1), after.slice(1));
    const result = {
      enrolled: span.ok,
      failed: span.failed,
      errors: fleet.stats().errors,
      seconds: Number(seconds.toFixed(2)),
      enrollmentsPerSecond: Number((span.ok / seconds).toFixed(1)),
      endpointCpuMsPerEnrollment: Number((endpointMs / Math.max(1, span.ok)).toFixed(3)),
      fleetCpuMsPerEnrollment: Number((fleetMs / Math.max(1, span.ok)).toFixed(3)),
      endpointCpuCores: Number((endpointMs / 1000 / seconds).toFixed(2)),
      fleetCpuCores: Number((fleetMs / 1000 / seconds).toFixed(2)),
      endpointRssMb: Math.round((after[0]?.rssBytes ?? 0) / 2 ** 20),
      loadAverage: [Number(loadBefore.toFixed(1)), Number((loadavg()[0] ?? 0).toFixed(1))],
    };
    process.stdout.write(`run ${index}: ${JSON.stringify(result)}\n`);
    return result;
  } finally {
    await fleet?.stop();
    admin.close();
    await endpoint.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const runs = [];
for (let i = 1; i <= repeats; i++) runs.push(await run(i));
const medians = {
  enrollmentsPerSecond: med(
    runs.map((r) => r.enrollmentsPerSecond),
    1,
  ),
  endpointCpuMsPerEnrollment: med(
    runs.map((r) => r.endpointCpuMsPerEnrollment),
    3,
  ),
  fleetCpuMsPerEnrollment: med(
    runs.map((r) => r.fleetCpuMsPerEnrollment),
    3,
  ),
};
// What this machine's cores could do were they all ours: the endpoint is one thread, the fleet shares the other cores.
const cores = availableParallelism();
const endpointMs = medians.endpointCpuMsPerEnrollment ?? 0;
const cpuBoundCeilingPerSecond = Math.round(Math.min(1000 / endpointMs, (1000 * cores) / (endpointMs + (medians.fleetCpuMsPerEnrollment ?? 0))));
const file = await writeResult('enrollment', {
  benchmark: 'enrollment',
  command: `npm run bench:enrollment -- --devices ${devices} --concurrency ${concurrency} --repeats ${repeats}`,
  machine: machine(),
  startedAt: new Date().toISOString(),
  devices,
  concurrency,
  fleetProcesses: availableParallelism(),
  medians: { ...medians, cpuBoundCeilingPerSecond },
  runs,
});
process.stdout.write(`enrollment: ${JSON.stringify({ ...medians, cpuBoundCeilingPerSecond })}\nwrote ${file}\n`);
