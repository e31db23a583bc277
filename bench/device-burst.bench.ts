// Benchmark: a burst of device requests against admission control (issue 13). A real endpoint process
// (`attache-management serve`, the dist bundle: `npm run build` first) with N enrolled devices gets B signed
// GET /v1/device/policies at once, each on a new TLS connection as a herd of hosts would open them, with the agent's
// 30 s timeout; an admin request is sent in the middle of the burst. Per admission setting: default, off, tight.
// Run: `npm run bench:device-burst` (BURST_DEVICES, BURST_REQUESTS, BURST_SETTINGS). Writes bench/results/device-burst.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TestDevice } from '../management/src/testing/https-client.js';
import type { OnboardingPackage } from '../policy-schemas/src/index.js';
import { ROOT, removeDir, startEndpoint, tempDir } from '../test/harness.js';
import { machine, stats } from './stats.js';

const DEVICES = Number(process.env.BURST_DEVICES ?? 500);
const REQUESTS = Number(process.env.BURST_REQUESTS ?? 3000);
const TIMEOUT_MS = 30_000; // the agent's request timeout (agent/src/transport/endpoint-client.ts)
const SETTINGS: readonly { readonly name: string; readonly admission: string | undefined }[] = [
  { name: 'default', admission: undefined },
  { name: 'off', admission: 'off' },
  { name: 'tight (64,16,250)', admission: '64,16,250' },
];

interface Outcome {
  readonly status: number | 'timeout' | 'error';
  readonly ms: number;
  readonly retryAfter?: number;
}

/** One signed request on its own connection, with the agent's timeout. */
function timedRequest(url: string, ca: string, path: string, headers: Record<string, string>): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(new URL(path, url), { method: 'GET', ca, headers, agent: false, timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => {
        const retryAfter = Number(res.headers['retry-after']);
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, ...(Number.isFinite(retryAfter) ? { retryAfter } : {}) });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: err.message === 'timeout' ? 'timeout' : 'error', ms: performance.now() - started }));
    req.end();
  });
}

async function burst(setting: (typeof SETTINGS)[number]) {
  const dir = await tempDir('burst');
  const server = await startEndpoint(dir, [
    '--log-level',
    'warn',
    '--enroll-rate-limit',
    'off',
    ...(setting.admission ? ['--admission', setting.admission] : []),
  ]);
  const ca = await readFile(join(dir, 'ca.pem'), 'utf8');
  try {
    const pkg = (await server.admin.ok('POST', '/v1/admin/onboarding-packages', { maxUses: DEVICES })) as OnboardingPackage;
    const devices = Array.from({ length: DEVICES }, () => new TestDevice(server.url, ca));
    for (let i = 0; i < devices.length; i += 16) {
      await Promise.all(devices.slice(i, i + 16).map((d) => d.enroll(pkg.enrollmentToken)));
    }
    const started = performance.now();
    const pending = Array.from({ length: REQUESTS }, (_, i) => {
      const device = devices[i % devices.length] as TestDevice;
      return timedRequest(server.url, ca, '/v1/device/policies', device.signedHeaders('GET', '/v1/device/policies', ''));
    });
    const adminStarted = performance.now();
    const adminStatus = await server.admin.call('GET', '/v1/admin/devices').then((r) => r.status);
    const adminMs = performance.now() - adminStarted;
    const outcomes = await Promise.all(pending);
    const wallMs = performance.now() - started;
    const count = (status: Outcome['status']) => outcomes.filter((o) => o.status === status).length;
    const latencies = (status: Outcome['status']) => outcomes.filter((o) => o.status === status).map((o) => o.ms);
    const retryAfters = outcomes.flatMap((o) => (o.retryAfter === undefined ? [] : [o.retryAfter]));
    const summary = (ms: number[]) => (ms.length === 0 ? null : (({ samples: _, ...rest }) => rest)(stats(ms)));
    return {
      setting: setting.name,
      admission: setting.admission ?? 'default',
      requests: REQUESTS,
      ok: count(200),
      busy503: count(503),
      timeouts: count('timeout'),
      errors: count('error'),
      other: outcomes.filter((o) => ![200, 503, 'timeout', 'error'].includes(o.status)).length,
      wallMs: Math.round(wallMs),
      okMs: summary(latencies(200)),
      busyMs: summary(latencies(503)),
      retryAfterSeconds:
        retryAfters.length === 0 ? null : { min: Math.min(...retryAfters), max: Math.max(...retryAfters), distinct: new Set(retryAfters).size },
      adminDuringBurst: { status: adminStatus, ms: Math.round(adminMs) },
    };
  } finally {
    await server.stop();
    await removeDir(dir);
  }
}

// BURST_SETTINGS=off,default runs only those settings, in that order (to check the order does not decide the result).
const only = process.env.BURST_SETTINGS?.split(',');
const chosen = only
  ? only.map((name) => {
      const found = SETTINGS.find((s) => s.name.startsWith(name));
      if (!found) throw new Error(`BURST_SETTINGS: no setting named ${name} (${SETTINGS.map((s) => s.name).join(', ')})`);
      return found;
    })
  : SETTINGS;
const runs = [];
for (const setting of chosen) {
  const run = await burst(setting);
  runs.push(run);
  console.log(JSON.stringify(run));
}
const out = join(ROOT, 'bench', 'results', 'device-burst.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ machine: machine(), devices: DEVICES, requests: REQUESTS, timeoutMs: TIMEOUT_MS, runs }, null, 2)}\n`);
console.log(`wrote ${out}`);
