// Cost of the endpoint's per-device store work (issue 13): getDevice lookups/s, status reports stored/s and health
// uploads stored/s on the SQLite store, one at a time and with 64 in flight (concurrent devices, as the HTTP routes and
// the push socket call them); and reports of a GPO-managed fleet (a firewall setting in conflict in every report, a
// requireFirewall compliance policy assigned) through the store and compliance's onReport, counting evaluations.
// Writes bench/results/report-ingest.json and prints a summary. Bounded: 1,000 devices, 5 runs of 4,000 operations per
// mode (20,000 for lookups, 2,000 for the conflict reports).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSilentLogger } from '../management/src/logging.js';
import { ComplianceService } from '../management/src/service/compliance/compliance-service.js';
import { openSqliteStore } from '../management/src/store/sqlite-store.js';
import type { ManagementStore } from '../management/src/store/store.js';
import { assignCompliancePolicy } from '../management/src/store/testing/store-fixtures.js';
import type { DeviceHealth, StatusReport } from '../policy-schemas/src/index.js';
import { machine, stats } from './stats.js';

const RUNS = 5;
const WRITES = 4_000;
const LOOKUPS = 20_000;
const CONFLICT_WRITES = 2_000;
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
// With `gpoConflict`, the last setting is a firewall switch a domain Group Policy wins (the same every time).
function report(deviceId: string, i: number, gpoConflict = false): StatusReport {
  const generatedAt = new Date(Date.UTC(2026, 0, 1) + i * 1_000).toISOString();
  const base = plainReport(deviceId, i, generatedAt);
  if (!gpoConflict) return base;
  const conflict = {
    settingId: 'firewall.domainProfile.EnableFirewall',
    kind: 'firewall' as const,
    state: 'conflict' as const,
    policyIds: ['p-fw'],
    desired: true,
    observed: false,
    code: 'SETTING_OVERRIDDEN',
    message: "Group Policy 'Domain firewall' sets this setting and wins over this policy",
  };
  return { ...base, settings: [...base.settings.slice(0, -1), conflict] };
}

function plainReport(deviceId: string, i: number, generatedAt: string): StatusReport {
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

/** The store with its compliance-state saves counted (one per evaluation). */
function countingSaves(store: ManagementStore): { store: ManagementStore; saves: () => number } {
  let saves = 0;
  const counted = new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key !== 'saveComplianceState') return typeof value === 'function' ? value.bind(target) : value;
      return (...args: Parameters<ManagementStore['saveComplianceState']>) => {
        saves++;
        return target.saveComplianceState(...args);
      };
    },
  });
  return { store: counted, saves: () => saves };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'attache-ingest-bench-'));
  const store = await openSqliteStore({ file: join(dir, 'db.sqlite') });
  const samples = { getDevice: [] as number[], reportsSerial: [] as number[], reports64: [] as number[], health64: [] as number[], conflict64: [] as number[] };
  let evaluationsPerConflictReport = 0;
  try {
    const ids = await enrollDevices(store);
    // Its evaluation reads the reported conflicts.
    await assignCompliancePolicy(store, ids, { requireFirewall: true }, new Date(Date.UTC(2026, 0, 1)).toISOString());
    const counted = countingSaves(store);
    const compliance = new ComplianceService({}, { store: counted.store, clock: { now: () => Date.now() }, logger: createSilentLogger() });
    await compliance.evaluateAll();
    const savesBefore = counted.saves();
    const device = (i: number) => ids[i % ids.length] as string;
    let tick = 0;
    for (let run = 0; run < RUNS; run++) {
      samples.getDevice.push(await rate(LOOKUPS, 1, (i) => store.getDevice(device(i))));
      samples.reportsSerial.push(await rate(WRITES, 1, (i) => store.recordReport(report(device(i), tick++), new Date().toISOString())));
      samples.reports64.push(await rate(WRITES, 64, (i) => store.recordReport(report(device(i), tick++), new Date().toISOString())));
      samples.health64.push(await rate(WRITES, 64, (i) => store.recordHealth(device(i), health(tick++), new Date().toISOString())));
      samples.conflict64.push(
        await rate(CONFLICT_WRITES, 64, async (i) => {
          const r = report(device(i), tick++, true);
          await store.recordReport(r, new Date().toISOString());
          await compliance.onReport(r.deviceId, r.settings);
        }),
      );
    }
    evaluationsPerConflictReport = (counted.saves() - savesBefore) / (RUNS * CONFLICT_WRITES);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
  const result = {
    benchmark: 'report-ingest',
    machine: machine(),
    devices: DEVICE_COUNT,
    settingsPerReport: SETTINGS_PER_REPORT,
    opsPerRun: { lookups: LOOKUPS, writes: WRITES, conflictReports: CONFLICT_WRITES },
    results: {
      getDevicePerSecond: stats(samples.getDevice),
      reportsPerSecondSerial: stats(samples.reportsSerial),
      reportsPerSecond64InFlight: stats(samples.reports64),
      healthPerSecond64InFlight: stats(samples.health64),
      gpoConflictReportsPerSecond64InFlight: stats(samples.conflict64),
      evaluationsPerConflictReport,
    },
  };
  await writeFile(join(import.meta.dirname, 'results', 'report-ingest.json'), `${JSON.stringify(result, null, 2)}\n`);
  const r = result.results;
  process.stdout.write(
    `getDevice/s ${r.getDevicePerSecond.median}; reports/s ${r.reportsPerSecondSerial.median} serial, ${r.reportsPerSecond64InFlight.median} with 64 in flight; ` +
      `health/s ${r.healthPerSecond64InFlight.median} with 64 in flight; GPO-conflict reports + compliance/s ${r.gpoConflictReportsPerSecond64InFlight.median} ` +
      `with 64 in flight, ${r.evaluationsPerConflictReport} evaluations per report (medians of ${RUNS})\n`,
  );
}

await main();
