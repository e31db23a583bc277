// Benchmark: response-action delivery at 1,000 and 10,000 simulated hosts (issue 17; simulator/scenarios/actions-1k.json
// and actions-10k.json, endpoint and fleet on this machine): isolate 10 % of the fleet, scan 20 % (a known share of
// the scans failing), collect a few packages. From the admin's create to the endpoint's deliveredAt (the first push
// acknowledgement or policies answer carrying the action) and to the terminal status as the endpoint had it (and to
// completedAt, the device's own time of its terminal update).
// Run: `npm run bench:fleet-actions [-- --repeats 1 --repeats-10k 1 --only 1k|10k]` (the endpoint runs from dist/:
// `npm run build` first). Writes bench/results/fleet-actions.json; with --only, the other size's entry is kept.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ActionTypeResults } from '../simulator/src/run/actions.js';
import type { RunResults } from '../simulator/src/run/results.js';
import { machine, med, ROOT, rounded, simulate, writeResult } from './fleet-runs.js';

const { values } = parseArgs({
  options: { repeats: { type: 'string', default: '1' }, 'repeats-10k': { type: 'string', default: '1' }, only: { type: 'string' } },
});
const sizes = [
  { key: '1k', scenario: 'actions-1k.json', repeats: Number(values.repeats) },
  { key: '10k', scenario: 'actions-10k.json', repeats: Number(values['repeats-10k']) },
].filter((s) => !values.only || s.key === values.only);

/** The numbers of one run: per action type and over all actions, create → delivered and create → terminal. */
function actionHeadline(r: RunResults) {
  const times = (t: ActionTypeResults | undefined) =>
    t && {
      created: t.created,
      statuses: t.statuses,
      deliveredMs: rounded({ p50: t.delivered.p50, p99: t.delivered.p99, max: t.delivered.max, samples: t.delivered.count }),
      doneMs: rounded({ p50: t.done.p50, p99: t.done.p99, max: t.done.max, samples: t.done.count }),
      completedMs: rounded({ p50: t.completed.p50, p99: t.completed.p99, samples: t.completed.count }),
      deliveredAfterDone: t.deliveredAfterDone ?? 0,
    };
  return {
    passed: r.passed,
    failed: r.expectations.filter((e) => !e.passed).map((e) => `${e.expectation}: ${e.detail}`),
    problems: r.problems,
    hosts: r.scenario.hosts,
    durationSeconds: Math.round(r.durationSeconds),
    all: times(r.actions?.all),
    byType: Object.fromEntries(Object.entries(r.actions?.byType ?? {}).map(([type, t]) => [type, times(t)])),
    refused: r.actions?.refused ?? {},
    errors: r.errors,
    endpointPeakRssMb: r.endpoint.peakRssMb === undefined ? undefined : Math.round(r.endpoint.peakRssMb),
  };
}

const previous = JSON.parse(await readFile(join(ROOT, 'bench', 'results', 'fleet-actions.json'), 'utf8').catch(() => '{}')) as Record<string, unknown>;
const out: Record<string, unknown> = { ...previous, benchmark: 'fleet-actions', machine: machine(), startedAt: new Date().toISOString() };
for (const size of sizes) {
  const runs = [];
  for (let i = 0; i < size.repeats; i++) {
    const { results } = await simulate(size.scenario, `actions-${size.key}-${i + 1}`);
    runs.push(actionHeadline(results));
  }
  out[size.key] = {
    command: `npm run simulate -- --scenario simulator/scenarios/${size.scenario} --endpoint dist`,
    repeats: size.repeats,
    medians: {
      deliveredP50Ms: med(runs.map((r) => r.all?.deliveredMs.p50)),
      deliveredP99Ms: med(runs.map((r) => r.all?.deliveredMs.p99)),
      isolateDoneP50Ms: med(runs.map((r) => r.byType.isolate?.doneMs.p50)),
      isolateDoneP99Ms: med(runs.map((r) => r.byType.isolate?.doneMs.p99)),
      scanDoneP99Ms: med(runs.map((r) => r.byType.runAntivirusScan?.doneMs.p99)),
      isolateCompletedP99Ms: med(runs.map((r) => r.byType.isolate?.completedMs.p99)),
      collectDoneP99Ms: med(runs.map((r) => r.byType.collectInvestigationPackage?.doneMs.p99)),
      endpointPeakRssMb: med(runs.map((r) => r.endpointPeakRssMb)),
    },
    runs,
  };
  process.stdout.write(`fleet-actions ${size.key}: ${JSON.stringify((out[size.key] as { medians: unknown }).medians)}\n`);
}
process.stdout.write(`wrote ${await writeResult('fleet-actions', out)}\n`);
