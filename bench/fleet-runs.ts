// Shared by the fleet benchmarks: runs the simulator command on a scenario (endpoint from the dist/ bundle, as it
// ships), reads its results.json, and writes a benchmark summary with the machine noted. Full run outputs (HTML
// report, charts) go to .tmp/bench-fleet/; the charts the docs show are copied to docs/img/.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, release, totalmem, type } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunResults } from '../simulator/src/run/results.js';
import { median } from '../simulator/src/stats.js';

export const ROOT = resolve(import.meta.dirname, '..');
const RUNS = join(ROOT, '.tmp', 'bench-fleet');

/** Runs one scenario; resolves with its results whatever the verdict (a benchmark reports, it does not gate). */
/** Runs one scenario on the dist/ endpoint; `extra`: more simulator flags (e.g. --endpoint-database postgres --replicas 2). */
export async function simulate(scenario: string, label: string, extra: readonly string[] = []): Promise<{ results: RunResults; dir: string }> {
  const dir = join(RUNS, label);
  await mkdir(dir, { recursive: true });
  const args = ['--import', 'tsx', join(ROOT, 'simulator', 'src', 'main.ts'), '--scenario', join(ROOT, 'simulator', 'scenarios', scenario), '--out', dir];
  const code = await new Promise<number | null>((res) => {
    const child = spawn(process.execPath, [...args, '--endpoint', 'dist', '--verbose', ...extra], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (c) => res(c));
  });
  if (code !== 0 && code !== 1) throw new Error(`simulator exited with ${code} on ${scenario}`);
  return { results: JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunResults, dir };
}

export function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
  };
}

/** Median of one number over runs (undefined values skipped), rounded. */
export function med(values: readonly (number | undefined)[], digits = 0): number | undefined {
  const m = median(values.filter((v): v is number => v !== undefined));
  return m === undefined ? undefined : Number(m.toFixed(digits));
}

export async function writeResult(name: string, body: unknown): Promise<string> {
  const file = join(ROOT, 'bench', 'results', `${name}.json`);
  await writeFile(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}

/** Copies a run's chart into docs/img/ under `name`. */
export async function keepChart(runDir: string, chart: string, name: string): Promise<void> {
  await mkdir(join(ROOT, 'docs', 'img'), { recursive: true });
  await copyFile(join(runDir, `${chart}.png`), join(ROOT, 'docs', 'img', `${name}.png`));
}

/** A latency summary with every field rounded to 0.1 (results files stay readable). */
export function rounded<T extends object>(summary: T): T {
  return Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 10) / 10 : v])) as T;
}

/** The numbers of one run that the benchmarks report. */
/**
 * CPU per host reached by a change, endpoint and fleet apart: the CPU the timeline samples show from each change until
 * the next one (at most 60 s), over the hosts it targeted; the median over the run's changes.
 */
function cpuPerChange(r: RunResults): { endpoint: number | undefined; fleet: number | undefined } {
  const per = (key: 'endpointCpuPercent' | 'fleetCpuPercent') =>
    r.changes.map((c, i) => {
      const end = Math.min(r.changes[i + 1]?.at ?? Number.POSITIVE_INFINITY, c.at + 60);
      let cpuSeconds = 0;
      let previous = c.at;
      for (const s of r.timeline) {
        if (s.t <= c.at || s.t > end) continue;
        cpuSeconds += ((s[key] ?? 0) / 100) * (s.t - previous);
        previous = s.t;
      }
      return (cpuSeconds * 1000) / Math.max(1, c.targets);
    });
  const median = (values: number[]) => (values.length === 0 ? undefined : Number([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]?.toFixed(3)));
  return { endpoint: median(per('endpointCpuPercent')), fleet: median(per('fleetCpuPercent')) };
}

export function headline(r: RunResults) {
  const round = (v: number | undefined, d = 0) => (v === undefined ? undefined : Number(v.toFixed(d)));
  return {
    passed: r.passed,
    failed: r.expectations.filter((e) => !e.passed).map((e) => `${e.expectation}: ${e.detail}`),
    problems: r.problems,
    hosts: r.scenario.hosts,
    durationSeconds: round(r.durationSeconds),
    enrollmentsPerSecond: round(r.enrollment.perSecond, 1),
    checkinsPerSecond: round(r.checkins.perSecond, 1),
    pushToAppliedMs: {
      p50: round(r.pushToApplied.p50),
      p95: round(r.pushToApplied.p95),
      p99: round(r.pushToApplied.p99),
      max: round(r.pushToApplied.max),
      samples: r.pushToApplied.count,
    },
    perChangeP99Ms: r.changes.map((c) => round(c.latencyMs.p99)),
    cpuMsPerDeliveredChange: cpuPerChange(r),
    connectedAtEnd: r.push.connectedAtEnd,
    connectedAtEndpoint: r.push.connectedAtEndpoint,
    reportsLost: r.reports.lost,
    errors: r.errors,
    endpoint: {
      peakRssMb: round(r.endpoint.peakRssMb),
      finalRssMb: round(r.endpoint.finalRssMb),
      meanCpuPercent: round(r.endpoint.meanCpuPercent),
      idleCpuPercent: round(r.endpoint.idleCpuPercent, 2),
    },
    fleet: {
      processes: r.fleet.processes,
      bytesPerHost: round(r.fleet.bytesPerHost),
      heapBytesPerHost: round(r.fleet.heapBytesPerHost),
      idleCpuPercentPerHost: round(r.fleet.idleCpuPercentPerHost, 5),
    },
  };
}
