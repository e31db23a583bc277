// Endpoint memory per idle connected device: starts the endpoint from dist/, enrolls N devices through the real API
// from a separate client process, opens one signed push WebSocket per device, lets it settle, and reads the endpoint's
// RSS and V8 heap after a full GC (the hidden `serve --debug-memory-file`, on SIGUSR2) at 0 and at each step.
// Per device = (value with N connected − value with 0) / N. `--heap-snapshot` also writes a heap snapshot of the
// endpoint at the last step (node's --heapsnapshot-signal) to .tmp/bench-push-connections/.
//   npm run build && npm run bench:push-connections [-- --steps 2000,5000 --settle-seconds 35 --heap-snapshot]
// The default settle (35 s) covers one 30 s heartbeat round, so the ping/pong state of an idle socket is counted.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sleep, systemClock } from '../common/clock.js';
import type { MemoryReport } from '../management/src/debug-memory.js';
import { AdminApi } from '../simulator/src/endpoint/admin-api.js';
import { type EndpointHandle, startManagedEndpoint } from '../simulator/src/endpoint/endpoint-process.js';
import { machine, ROOT, writeResult } from './fleet-runs.js';
import type { ClientAnswer, ClientCommand } from './push-connections-client.js';

const MAX_DEVICES = 10_000;
const WORK = join(ROOT, '.tmp', 'bench-push-connections');

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '2000,5000' },
    'settle-seconds': { type: 'string', default: '35' },
    'heap-snapshot': { type: 'boolean', default: false },
    label: { type: 'string', default: 'current' },
  },
});
const steps = values.steps.split(',').map(Number);
if (steps.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_DEVICES) || steps.some((n, i) => i > 0 && n <= (steps[i - 1] as number)))
  throw new Error(`--steps must be increasing whole numbers from 1 to ${MAX_DEVICES}, got ${values.steps}`);
const settleMs = Number(values['settle-seconds']) * 1000;
if (!(settleMs >= 0 && settleMs <= 600_000)) throw new Error(`--settle-seconds must be 0..600, got ${values['settle-seconds']}`);
const total = steps[steps.length - 1] as number;

/** Asks the endpoint for a memory report (it runs a full GC first) and waits for the fresh one. */
async function memory(endpoint: EndpointHandle, file: string, previous: number): Promise<MemoryReport> {
  process.kill(endpoint.pid as number, 'SIGUSR2');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await sleep(systemClock, 200);
    const report = await readFile(file, 'utf8').then(
      (t) => JSON.parse(t) as MemoryReport,
      () => undefined,
    );
    if (report && report.seq > previous) return report;
  }
  throw new Error(`endpoint wrote no memory report to ${file} within 60 s`);
}

function ask(client: ChildProcess, command: ClientCommand, timeoutMs: number): Promise<ClientAnswer> {
  return new Promise((resolve, reject) => {
    const timer = systemClock.setTimer(() => reject(new Error(`client did not answer ${command.type} within ${timeoutMs / 1000} s`)), timeoutMs);
    client.once('message', (answer: ClientAnswer) => {
      timer.cancel();
      if (answer.type === 'failed') reject(new Error(`client: ${answer.message}`));
      else resolve(answer);
    });
    client.send(command);
  });
}

/** Waits for node's heap snapshot (written by a signal) to appear in `dir` and stop growing. */
async function heapSnapshot(endpoint: EndpointHandle, dir: string): Promise<string> {
  process.kill(endpoint.pid as number, 'SIGHUP');
  const deadline = Date.now() + 300_000;
  let lastSize = -1;
  while (Date.now() < deadline) {
    await sleep(systemClock, 2_000);
    const file = (await readdir(dir)).find((f) => f.endsWith('.heapsnapshot'));
    if (!file) continue;
    const { size } = await stat(join(dir, file));
    if (size > 0 && size === lastSize) return join(dir, file);
    lastSize = size;
  }
  throw new Error(`no heap snapshot in ${dir} within 300 s`);
}

const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'attache-management.cjs'))) throw new Error('dist/attache-management.cjs is missing: run `npm run build` first');
  const work = join(WORK, values.label);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const memFile = join(work, 'memory.json');
  const endpoint = await startManagedEndpoint({
    dataDir: join(work, 'endpoint'),
    build: 'dist',
    logFile: join(work, 'endpoint.log'),
    nodeArgs: ['--expose-gc', ...(values['heap-snapshot'] ? ['--heapsnapshot-signal=SIGHUP', `--diagnostic-dir=${work}`] : [])],
    serveArgs: ['--debug-memory-file', memFile],
  });
  const admin = new AdminApi(endpoint.connection);
  const client = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'push-connections-client.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const pkg = await admin.createOnboarding({ maxUses: total, description: 'push-connections bench' });
    const enrolled = await ask(client, { type: 'enroll', pkg, count: total, concurrency: 16 }, 600_000);
    process.stdout.write(`enrolled ${JSON.stringify(enrolled)}\n`);
    await sleep(systemClock, settleMs);
    const base = await memory(endpoint, memFile, 0);
    process.stdout.write(`0 connected: rss ${kb(base.rssBytes)} KB, heap ${kb(base.heapUsedBytes)} KB\n`);
    const results = [];
    let seq = base.seq;
    for (const n of steps) {
      const connected = await ask(client, { type: 'connect', upTo: n, concurrency: 64 }, 600_000);
      await sleep(systemClock, settleMs);
      const m = await memory(endpoint, memFile, seq);
      seq = m.seq;
      const per = (key: keyof MemoryReport) => kb(((m[key] as number) - (base[key] as number)) / n);
      const row = {
        devices: n,
        connect: connected,
        rssMb: Math.round(m.rssBytes / 2 ** 20),
        heapUsedMb: Math.round(m.heapUsedBytes / 2 ** 20),
        perDeviceKb: {
          rss: per('rssBytes'),
          heapUsed: per('heapUsedBytes'),
          heapTotal: per('heapTotalBytes'),
          external: per('externalBytes'),
          arrayBuffers: per('arrayBuffersBytes'),
          malloced: per('mallocedBytes'),
        },
      };
      results.push(row);
      process.stdout.write(`${n} connected: ${JSON.stringify(row)}\n`);
    }
    const snapshot = values['heap-snapshot'] ? await heapSnapshot(endpoint, work) : undefined;
    const file = await writeResult('push-connections', {
      label: values.label,
      date: new Date().toISOString(),
      command: `npm run bench:push-connections -- --steps ${values.steps} --settle-seconds ${values['settle-seconds']}`,
      machine: machine(),
      enrolled,
      baseline: { rssMb: Math.round(base.rssBytes / 2 ** 20), heapUsedMb: Math.round(base.heapUsedBytes / 2 ** 20), gc: base.gc },
      steps: results,
      ...(snapshot ? { heapSnapshot: snapshot } : {}),
    });
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    if (client.connected) client.send({ type: 'stop' } satisfies ClientCommand);
    client.kill('SIGTERM');
    admin.close();
    await endpoint.stop();
  }
}

await main();
