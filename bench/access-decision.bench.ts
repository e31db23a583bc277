// Benchmark: the access decision API a conditional-access gateway calls. A real endpoint process (`attache-management
// serve` on 127.0.0.1, so client and server do not share an event loop) with N enrolled devices (a compliance policy
// on all of them, every 10th device with a high alert, so decisions differ) answers GET /v1/access/devices/:id over
// HTTPS with keep-alive, sequentially and with C concurrent connections; then the time from a signed alert report to
// the changed decision; then, in process on the same data dir, the start-up evaluation of every device and the
// decision lookup itself.
// Run: `npm run bench:access` (ACCESS_BENCH_DEVICES, ACCESS_BENCH_REQUESTS to change N and the request count).
// Writes bench/results/access-decision.json and prints a summary.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { startEndpoint } from '../management/src/endpoint.js';
import { createSilentLogger } from '../management/src/logging.js';
import { TestAdmin } from '../management/src/testing/admin-api.js';
import { TestDevice } from '../management/src/testing/https-client.js';
import type { CompliancePolicy, Group, OnboardingPackage } from '../policy-schemas/src/index.js';

/** The endpoint process under test. */
interface Server {
  readonly url: string;
  readonly ca: string;
  readonly admin: TestAdmin;
  readonly child: ChildProcess;
}

const REPO = dirname(import.meta.dirname);

const DEVICES = Number(process.env.ACCESS_BENCH_DEVICES ?? 1000);
const REQUESTS = Number(process.env.ACCESS_BENCH_REQUESTS ?? 50_000);
const SEQUENTIAL = Math.min(REQUESTS, 5000);
const CONCURRENCY = 16;
const ENROLL_CONCURRENCY = 16;
const LOOKUPS = 2_000_000;
const SIGNAL_ROUNDS = 50;

function stats(samples: number[]) {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { n: samples.length, p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), min: round(sorted[0] as number), max: round(at(1)) };
}

/** Runs `jobs` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, job: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await job(items[next++] as T);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** Starts `attache-management serve` on a free loopback port and waits for its "listening" line. */
async function startServer(dataDir: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'management/src/main.ts',
      'serve',
      '--data-dir',
      dataDir,
      '--listen',
      '127.0.0.1:0',
      '--log-level',
      'warn',
      '--enroll-rate-limit',
      'off',
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`endpoint exited with ${code}`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  const ca = await readFile(join(dataDir, 'ca.pem'), 'utf8');
  const token = (await readFile(join(dataDir, 'admin.token'), 'utf8')).trim();
  return { url, ca, admin: new TestAdmin(url, ca, token), child };
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

async function enrollDevices(t: Server): Promise<TestDevice[]> {
  const pkg = await t.admin.ok<OnboardingPackage>('POST', '/onboarding-packages', { maxUses: DEVICES });
  const devices = Array.from(
    { length: DEVICES },
    (_, i) => new TestDevice(t.url, t.ca, { hostname: `ws-${i}`, platform: 'windows', osVersion: '10.0.22631', arch: 'x64', agentVersion: '0.1.0' }),
  );
  await pool(devices, ENROLL_CONCURRENCY, async (d) => {
    const res = await d.enroll(pkg.enrollmentToken);
    if (res.status !== 201) throw new Error(`enroll failed: ${JSON.stringify(res.body)}`);
  });
  return devices;
}

function alertReport(device: TestDevice, status: 'active' | 'resolved') {
  const now = new Date(device.now()).toISOString();
  return {
    reportId: randomUUID(),
    deviceId: device.deviceId,
    generatedAt: now,
    riskLevel: status === 'active' ? 'high' : 'none',
    alerts: [
      {
        alertId: 'indicator.bench',
        category: 'indicator',
        severity: 'high',
        title: 'Process matches indicator',
        evidence: { path: '/tmp/bench' },
        firstSeen: now,
        lastSeen: now,
        status,
        ...(status === 'resolved' ? { resolvedAt: now } : {}),
      },
    ],
  };
}

/** One GET of the access API on a keep-alive agent; resolves to [latency ms, decision]. */
function getDecision(t: Server, agent: Agent, deviceId: string): Promise<[number, string]> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(`/v1/access/devices/${deviceId}`, t.url),
      { method: 'GET', agent, headers: { authorization: `Bearer ${t.admin.token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { decision: string };
          resolve([performance.now() - started, body.decision]);
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function httpRun(t: Server, ids: readonly string[], total: number, connections: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections, ca: t.ca });
  const latencies: number[] = [];
  let i = 0;
  const started = performance.now();
  await pool(
    Array.from({ length: total }, () => ids[i++ % ids.length] as string),
    connections,
    async (id) => {
      latencies.push((await getDecision(t, agent, id))[0]);
    },
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { connections, requests: total, requestsPerSecond: Math.round(total / seconds), latencyMs: stats(latencies) };
}

/** In process on the same data dir: start-up (evaluates every device) and the precomputed decision lookup. */
async function inProcessRun(dataDir: string, ids: readonly string[]) {
  const started = performance.now();
  const endpoint = await startEndpoint({ dataDir, listenHost: '127.0.0.1', listenPort: 0, enrollRateLimits: false }, { logger: createSilentLogger() });
  const startupMs = Math.round(performance.now() - started);
  try {
    const compliance = endpoint.context.compliance;
    let bytes = 0;
    const lookupStarted = performance.now();
    for (let i = 0; i < LOOKUPS; i++) bytes += compliance.decisionJson(ids[i % ids.length] as string)?.length ?? 0;
    const ns = ((performance.now() - lookupStarted) * 1e6) / LOOKUPS;
    if (bytes === 0) throw new Error('no decisions found');
    const evalStarted = performance.now();
    await compliance.evaluate(ids[0] as string, 'admin');
    return {
      startupWithFullEvaluationMs: startupMs,
      lookups: LOOKUPS,
      nsPerLookup: Math.round(ns * 10) / 10,
      oneEvaluationMs: Math.round((performance.now() - evalStarted) * 100) / 100,
    };
  } finally {
    await endpoint.close();
  }
}

/** Signal → decision: a signed alert report (the decision is updated before it is acknowledged), then the access GET. */
async function signalRun(t: Server, devices: readonly TestDevice[]) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: t.ca });
  const reportMs: number[] = [];
  const toDecisionMs: number[] = [];
  for (let i = 0; i < SIGNAL_ROUNDS; i++) {
    const device = devices[(i * 10 + 1) % devices.length] as TestDevice;
    for (const [status, expected] of [
      ['active', 'block'],
      ['resolved', 'allow'],
    ] as const) {
      const started = performance.now();
      const res = await device.post('/v1/device/alerts', alertReport(device, status));
      if (res.status !== 200) throw new Error(`alert report → ${res.status}`);
      reportMs.push(performance.now() - started);
      const [, decision] = await getDecision(t, agent, device.deviceId);
      if (decision !== expected) throw new Error(`decision ${decision}, expected ${expected}`);
      toDecisionMs.push(performance.now() - started);
    }
  }
  agent.destroy();
  return { rounds: SIGNAL_ROUNDS * 2, alertReportMs: stats(reportMs), alertToChangedDecisionMs: stats(toDecisionMs) };
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'attache-access-bench-'));
  const t = await startServer(dataDir);
  try {
    const setupStarted = performance.now();
    const devices = await enrollDevices(t);
    const all = await t.admin.ok<Group>('POST', '/groups', {
      name: 'all-windows',
      rule: { match: 'all', conditions: [{ attribute: 'platform', equals: 'windows' }] },
    });
    const policy = await t.admin.ok<CompliancePolicy>('POST', '/compliance-policies', { name: 'Risk at most low', settings: { maxRiskLevel: 'low' } });
    await t.admin.ok('POST', `/compliance-policies/${policy.compliancePolicyId}/assignments`, { groupId: all.groupId });
    for (let i = 0; i < devices.length; i += 10) await (devices[i] as TestDevice).post('/v1/device/alerts', alertReport(devices[i] as TestDevice, 'active'));
    const setupSeconds = Math.round((performance.now() - setupStarted) / 100) / 10;
    const ids = devices.map((d) => d.deviceId);

    await httpRun(t, ids, 2000, CONCURRENCY); // warm-up: TLS sessions, JIT
    const sequential = await httpRun(t, ids, SEQUENTIAL, 1);
    const concurrent = await httpRun(t, ids, REQUESTS, CONCURRENCY);
    const signal = await signalRun(t, devices);
    await stopServer(t);
    const inProcess = await inProcessRun(dataDir, ids);

    const result = {
      benchmark: 'access-decision',
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        kernel: release(),
        node: process.version,
      },
      devices: DEVICES,
      blockedDevices: Math.ceil(DEVICES / 10),
      setupSeconds,
      http: { transport: 'HTTPS over loopback (127.0.0.1), keep-alive, admin bearer token; endpoint in its own process', sequential, concurrent },
      inProcess,
      signalToDecision: signal,
    };
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(join(import.meta.dirname, 'results', 'access-decision.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(
      [
        `access decision, ${DEVICES} devices (setup ${setupSeconds} s)`,
        `  HTTPS sequential:     ${sequential.requestsPerSecond} req/s, p50 ${sequential.latencyMs.p50} ms, p99 ${sequential.latencyMs.p99} ms`,
        `  HTTPS ${CONCURRENCY} connections: ${concurrent.requestsPerSecond} req/s, p50 ${concurrent.latencyMs.p50} ms, p99 ${concurrent.latencyMs.p99} ms`,
        `  in-process lookup:    ${inProcess.nsPerLookup} ns`,
        `  alert report → changed decision: p50 ${signal.alertToChangedDecisionMs.p50} ms, p99 ${signal.alertToChangedDecisionMs.p99} ms`,
        '',
      ].join('\n'),
    );
  } finally {
    await stopServer(t);
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
