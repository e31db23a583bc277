// Cost of the endpoint's per-device store work (issue 13): getDevice lookups/s, status reports stored/s and health
// uploads stored/s on the SQLite store, one at a time and with 64 in flight (concurrent devices, as the HTTP routes and
// the push socket call them). Writes bench/results/report-ingest.json and prints a summary. Bounded: 1,000 devices,
// 5 runs of 4,000 operations per mode (20,000 for lookups).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../management/src/store/sqlite-store.js';
import type { ManagementStore } from '../management/src/store/store.js';
import type { DeviceHealth, StatusReport } from '../policy-schemas/src/index.js';
import { machine, stats } from './stats.js';

const RUNS = 5;
const WRITES = 4_000;
const LOOKUPS = 20_000;
const DEVICE_COUNT = 1_000;
const SETTINGS_PER_REPORT = 20;
const KEY = Buffer.alloc(32, 7).toString('base64');
const FACTS = { hostname: 'bench', platform: 'linux', osVersion: '6.8', arch: 'x64', agentVersion: '0.1.0' } as const;

/** Runs `count` operations with `inFlight` callers at a time; returns operations per second. */
async function rate(count: number, inFlight: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return count / ((performance.now() - started) / 1000);
}

// A report as an agent sends it after a sync: every managed setting's outcome, its policies, one event; one setting
// and the policy version change from one report to the next (a policy change). Time grows with i so no report is stale.
function report(deviceId: string, i: number): StatusReport {
  const generatedAt = new Date(Date.UTC(2026, 0, 1) + i * 1_000).toISOString();
  return {
    reportId: randomUUID(),
    deviceId,
    generatedAt,
    agentVersion: '0.1.0',
    trigger: 'push',
    durationMs: 40,
    policies: [{ policyId: 'p-av', version: 1 + (i % 7), name: 'AV', kind: 'antivirus', state: 'succeeded' }],
    settings: Array.from({ length: SETTINGS_PER_REPORT }, (_, s) => ({
      settingId: `defender.Setting${s}`,
      kind: 'antivirus' as const,
      state: 'succeeded' as const,
      policyIds: ['p-av'],
      desired: s === 0 ? i % 7 : 1,
      observed: s === 0 ? i % 7 : 1,
    })),
    events: [{ type: 'remediated', at: generatedAt, settingId: 'defender.Setting0', before: 0, after: 1 }],
  };
}

function health(i: number): DeviceHealth {
  return {
    collectedAt: new Date(Date.UTC(2026, 0, 1) + i * 1_000).toISOString(),
    antivirus: { source: 'simulated', mode: 'active', realTimeProtection: true, tamperProtection: true, signatureVersion: '1.421.0.0', signatureAgeHours: 3 },
    firewall: { source: 'simulated', enabled: true },
  };
}

async function enrollDevices(store: ManagementStore): Promise<string[]> {
  const now = new Date(Date.UTC(2026, 0, 1)).toISOString();
  await store.createEnrollmentToken({ tokenHash: 'bench', createdAt: now, expiresAt: '2099-01-01T00:00:00.000Z', maxUses: DEVICE_COUNT });
  const ids: string[] = [];
  for (let i = 0; i < DEVICE_COUNT; i++) {
    const device = await store.enrollDevice({ tokenHash: 'bench', now, deviceId: randomUUID(), publicKey: KEY, facts: FACTS });
    ids.push(device.deviceId);
  }
  return ids;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'attache-ingest-bench-'));
  const store = await openSqliteStore({ file: join(dir, 'db.sqlite') });
  const samples = { getDevice: [] as number[], reportsSerial: [] as number[], reports64: [] as number[], health64: [] as number[] };
  try {
    const ids = await enrollDevices(store);
    const device = (i: number) => ids[i % ids.length] as string;
    let tick = 0;
    for (let run = 0; run < RUNS; run++) {
      samples.getDevice.push(await rate(LOOKUPS, 1, (i) => store.getDevice(device(i))));
      samples.reportsSerial.push(await rate(WRITES, 1, (i) => store.recordReport(report(device(i), tick++), new Date().toISOString())));
      samples.reports64.push(await rate(WRITES, 64, (i) => store.recordReport(report(device(i), tick++), new Date().toISOString())));
      samples.health64.push(await rate(WRITES, 64, (i) => store.recordHealth(device(i), health(tick++), new Date().toISOString())));
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
  const result = {
    benchmark: 'report-ingest',
    machine: machine(),
    devices: DEVICE_COUNT,
    settingsPerReport: SETTINGS_PER_REPORT,
    opsPerRun: { lookups: LOOKUPS, writes: WRITES },
    results: {
      getDevicePerSecond: stats(samples.getDevice),
      reportsPerSecondSerial: stats(samples.reportsSerial),
      reportsPerSecond64InFlight: stats(samples.reports64),
      healthPerSecond64InFlight: stats(samples.health64),
    },
  };
  await writeFile(join(import.meta.dirname, 'results', 'report-ingest.json'), `${JSON.stringify(result, null, 2)}\n`);
  const r = result.results;
  process.stdout.write(
    `getDevice/s ${r.getDevicePerSecond.median}; reports/s ${r.reportsPerSecondSerial.median} serial, ${r.reportsPerSecond64InFlight.median} with 64 in flight; ` +
      `health/s ${r.healthPerSecond64InFlight.median} with 64 in flight (medians of ${RUNS})\n`,
  );
}

await main();
