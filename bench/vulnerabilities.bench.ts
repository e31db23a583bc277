// Vulnerability matching at fleet size (issue 18): N devices × P packages against A OSV advisories through the real
// service (importAdvisories: parse + store + match; acceptSoftware: validate + store + this device's recompute;
// recomputeAll), with time, CPU and memory per phase, one device's inventory change, an incremental re-import, and the
// exposure of every device checked against what the generator expects. Writes bench/results/vulnerabilities.json.
// `npm run bench:vulnerabilities -- --devices 10000 --packages 1500 --advisories 200000 --database sqlite|postgres`
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSilentLogger } from '../management/src/logging.js';
import { createVulnerabilityService } from '../management/src/service/vulnerabilities/vulnerability-service.js';
import type { ManagementStore } from '../management/src/store/store.js';
import { TEST_PUBLIC_KEY } from '../management/src/store/testing/store-fixtures.js';
import { machine } from './stats.js';
import { onStoreEngine } from './store-engines.js';
import { type AdvisorySet, advisoryFiles, changeAdvisories, generateAdvisories, recordAt } from './vulnerabilities-advisories.js';
import { expectedExposure, expectedHits } from './vulnerabilities-expected.js';
import { CURRENT, type FleetDevice, fleetDevice, LADDER, NOT_INSTALLED, RELEASES, type ReleasePool, releasePool, uploadOf } from './vulnerabilities-fleet.js';
import { latency, Meter, StoreTimer } from './vulnerabilities-measure.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '10000' },
    packages: { type: 'string', default: '1500' },
    advisories: { type: 'string', default: '200000' },
    'per-file': { type: 'string', default: '50000' },
    changes: { type: 'string', default: '50' },
    'changed-advisories': { type: 'string', default: '1000' },
    database: { type: 'string', default: 'sqlite' },
    seed: { type: 'string', default: '18' },
    /** Names the run in the results file (default: engine and sizes); a run of the same name replaces it. */
    label: { type: 'string' },
    'uploads-first': { type: 'boolean', default: false },
  },
});
const int = (name: keyof typeof values) => {
  const v = Number(values[name]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(values[name])}`);
  return v;
};
const DEVICES = int('devices');
const PACKAGES = int('packages');
const ADVISORIES = int('advisories');
const PER_FILE = Math.min(int('per-file'), 60_000); // a zip's end record counts at most 65,535 entries
const CHANGES = int('changes');
const CHANGED_ADVISORIES = int('changed-advisories');
const SEED = int('seed');
const UPLOADS_FIRST = values['uploads-first'] === true;
const DATABASE = values.database;
if (DATABASE !== 'sqlite' && DATABASE !== 'postgres') throw new Error(`--database must be sqlite or postgres, got ${JSON.stringify(DATABASE)}`);
if (PACKAGES < 20) throw new Error('--packages must be at least 20');

const NOW = Date.UTC(2026, 1, 1);
const admin = { adminId: null, username: 'bench' };

/** Enrolls the fleet as the store tests do (one token), each device on its release's platform. */
async function enroll(store: ManagementStore, fleet: readonly FleetDevice[]): Promise<string[]> {
  const now = new Date(NOW).toISOString();
  await store.createEnrollmentToken({ tokenHash: 'vuln-bench', createdAt: now, expiresAt: '2099-01-01T00:00:00.000Z', maxUses: fleet.length });
  const ids: string[] = [];
  for (const [i, device] of fleet.entries()) {
    const release = RELEASES[device.release] as (typeof RELEASES)[number];
    const facts = { hostname: `host-${i}`, platform: release.platform, osVersion: release.os.version, arch: 'x64', agentVersion: '0.1.0' };
    ids.push((await store.enrollDevice({ tokenHash: 'vuln-bench', now, deviceId: randomUUID(), publicKey: TEST_PUBLIC_KEY, facts })).deviceId);
  }
  return ids;
}

/** Every device's stored exposure against the expected one; mismatches counted, the first few kept. */
async function verify(store: ManagementStore, pools: readonly ReleasePool[], set: AdvisorySet, fleet: readonly FleetDevice[], ids: readonly string[]) {
  const hits = expectedHits(pools, set);
  const byId = new Map(ids.map((id, i) => [id, i]));
  const seen = new Set<string>();
  const examples: string[] = [];
  const levels = { none: 0, low: 0, medium: 0, high: 0 };
  const exposedByRelease = Object.fromEntries(RELEASES.map((r) => [r.key, 0]));
  let mismatches = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listExposures({ limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const e of page.items) {
      const i = byId.get(e.deviceId) as number;
      seen.add(e.deviceId);
      const want = expectedExposure(pools, hits, fleet[i] as FleetDevice);
      levels[want.level]++;
      const release = (RELEASES[(fleet[i] as FleetDevice).release] as (typeof RELEASES)[number]).key;
      if (want.level !== 'none') exposedByRelease[release] = (exposedByRelease[release] ?? 0) + 1;
      const got = { score: e.score, level: e.level, findings: e.findings, advisories: e.advisories };
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches++;
        if (examples.length < 5) examples.push(`device ${i}: expected ${JSON.stringify(want)}, stored ${JSON.stringify(got)}`);
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  mismatches += ids.length - seen.size;
  if (ids.length !== seen.size) examples.push(`${ids.length - seen.size} devices have no exposure row`);
  const exposed = levels.low + levels.medium + levels.high;
  process.stdout.write(
    `check: ${mismatches} mismatches; expected exposed ${exposed} of ${ids.length} ${JSON.stringify(levels)} ${JSON.stringify(exposedByRelease)}\n`,
  );
  return { mismatches, exposedDevices: exposed, expectedLevels: levels, exposedByRelease, examples };
}

/** Distinct (release, binary, version) triples installed: the packages the service matches once each. */
function distinctPackages(fleet: readonly FleetDevice[]): number {
  const seen = new Set<number>();
  for (const d of fleet) {
    d.positions.forEach((k, j) => {
      if (k !== NOT_INSTALLED) seen.add((d.release * 1e6 + j) * 8 + k);
    });
  }
  return seen.size;
}

async function bench(store: ManagementStore) {
  const pools = RELEASES.map((release, r) => releasePool(release, PACKAGES, SEED * 10 + r));
  const fleet = Array.from({ length: DEVICES }, (_, i) => fleetDevice(pools, i, SEED));
  const set = generateAdvisories(pools, ADVISORIES, SEED);
  const timer = new StoreTimer();
  const meter = new Meter(timer);
  const service = createVulnerabilityService({ store: timer.wrap(store), devices: store, clock: { now: () => NOW }, logger: createSilentLogger() });
  const ids = (await meter.phase('enroll', () => enroll(store, fleet))).value;

  // Advisories first by default (parse + store; matching comes with the uploads), or with --uploads-first into a
  // fleet that has uploaded already (parse + store + match every package + recompute every device, per file).
  const files: { name: string; mib: number; read: number; stored: number; devicesRecomputed: number; seconds: number }[] = [];
  const importAll = () =>
    meter.phase('import', async () => {
      for (let at = 0, n = 0; at < ADVISORIES; at += PER_FILE, n++) {
        const records = Array.from({ length: Math.min(PER_FILE, ADVISORIES - at) }, (_, k) => recordAt(set, pools, at + k));
        for (const file of advisoryFiles(records, n)) {
          const started = performance.now();
          const result = await service.importAdvisories({ bytes: file.bytes, fileName: file.name }, admin);
          const seconds = (performance.now() - started) / 1000;
          const mib = Math.round((file.bytes.length / 2 ** 20) * 10) / 10;
          const { read, stored, devicesRecomputed } = result;
          files.push({ name: file.name, mib, read, stored, devicesRecomputed, seconds: Math.round(seconds * 10) / 10 });
          if (result.skippedCount > 0) throw new Error(`${file.name}: ${result.skippedCount} skipped, first ${JSON.stringify(result.skipped[0])}`);
          process.stdout.write(`  ${file.name}: ${result.stored} stored in ${seconds.toFixed(1)} s\n`);
        }
      }
    });

  const uploadMs: number[] = [];
  let generatingMs = 0; // building each upload (items, digest) is the bench's own work, inside the phase's wall and CPU
  const uploadAll = () =>
    meter.phase('uploads', async () => {
      for (const [i, device] of fleet.entries()) {
        const generating = performance.now();
        const upload = uploadOf(pools, device, ids[i] as string);
        const started = performance.now();
        generatingMs += started - generating;
        const ack = await service.acceptSoftware(ids[i] as string, upload);
        uploadMs.push(performance.now() - started);
        if (!ack.stored) throw new Error(`upload of device ${i} was not stored`);
        if (i % 1000 === 999) process.stdout.write(`  ${i + 1} uploads\n`);
      }
    });
  const imported = UPLOADS_FIRST ? undefined : await importAll();
  const uploads = await uploadAll();
  const importedAfter = imported ?? (await importAll());
  const afterImportAndUploads = await verify(store, pools, set, fleet, ids);

  const recompute = await meter.phase('recomputeAll', () => service.recomputeAll());
  const afterRecompute = await verify(store, pools, set, fleet, ids);

  // One device's inventory change: three packages move (one to the next update, never seen before: matched at upload).
  const changeMs: number[] = [];
  const changes = await meter.phase('changes', async () => {
    for (let c = 0; c < CHANGES; c++) {
      const i = (c * 7919 + 13) % DEVICES;
      const device = fleet[i] as FleetDevice;
      const installed = [...device.positions.keys()].filter((j) => device.positions[j] !== NOT_INSTALLED);
      for (let t = 0; t < 3; t++) {
        const j = installed[(c * 31 + t * 101) % installed.length] as number;
        device.positions[j] = t === 0 ? LADDER - 1 : device.positions[j] === CURRENT ? 3 : CURRENT;
      }
      device.collectedAt += 86_400_000;
      const upload = uploadOf(pools, device, ids[i] as string);
      const started = performance.now();
      await service.acceptSoftware(ids[i] as string, upload);
      changeMs.push(performance.now() - started);
    }
  });

  const changed = changeAdvisories(set, pools, CHANGED_ADVISORIES, SEED + 1);
  const reimportFiles = advisoryFiles(
    changed.map((g) => recordAt(set, pools, g)),
    1,
  );
  const reimport = await meter.phase('reimport', async () => {
    const totals = { stored: 0, removed: 0, devicesRecomputed: 0 };
    for (const file of reimportFiles) {
      const result = await service.importAdvisories({ bytes: file.bytes, fileName: file.name }, admin);
      totals.stored += result.stored;
      totals.removed += result.removed;
      totals.devicesRecomputed += result.devicesRecomputed;
    }
    return totals;
  });
  const afterReimport = await verify(store, pools, set, fleet, ids);
  const devicesWithSoftware = (await store.exposureCounts()).devicesWithSoftware;
  const memory = meter.stop();
  return {
    sizes: { devices: DEVICES, packagesPerDevice: PACKAGES, advisories: ADVISORIES, fleetAdvisories: set.fleet.size, perFile: PER_FILE, seed: SEED },
    pools: pools.map((p) => ({ release: p.release.key, perDevice: p.perDevice, binaries: p.binaries.length, sources: p.sources.length })),
    devicesPerRelease: RELEASES.map((r, i) => ({ release: r.key, devices: fleet.filter((d) => d.release === i).length })),
    distinctPackages: distinctPackages(fleet),
    devicesWithSoftware,
    order: UPLOADS_FIRST ? 'uploads, then advisories' : 'advisories, then uploads',
    import: { ...importedAfter.figures, advisoriesPerSecond: Math.round(ADVISORIES / importedAfter.figures.wallS), files },
    uploads: { ...uploads.figures, generatingUploadsS: Math.round(generatingMs / 10) / 100, perUpload: latency(uploadMs) },
    recomputeAll: { ...recompute.figures, devices: recompute.value },
    inventoryChange: { ...changes.figures, perChange: latency(changeMs) },
    reimport: {
      ...reimport.figures,
      changedAdvisories: changed.length,
      files: reimportFiles.map((f) => ({ name: f.name, kib: Math.round(f.bytes.length / 1024) })),
      stored: reimport.value.stored,
      removed: reimport.value.removed,
      devicesRecomputed: reimport.value.devicesRecomputed,
    },
    checks: { afterImportAndUploads, afterRecompute, afterReimport },
    processMaxRssMiB: memory.maxRssMiB,
  };
}

async function main(): Promise<void> {
  const label = values.label ?? `${DATABASE} ${DEVICES}x${PACKAGES}x${ADVISORIES}`;
  const run = await onStoreEngine('vulnerabilities', DATABASE as 'sqlite' | 'postgres', (store) => bench(store));
  const file = join(import.meta.dirname, 'results', 'vulnerabilities.json');
  const previous = await readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as { runs?: Record<string, unknown> },
    () => ({ runs: {} }),
  );
  const result = {
    benchmark: 'vulnerabilities',
    machine: machine(),
    runs: { ...previous.runs, [label]: { at: new Date().toISOString(), ...(run as object) } },
  };
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  if (typeof run === 'string') {
    process.stdout.write(`${label}: ${run}\n`);
    return;
  }
  const r = run as Awaited<ReturnType<typeof bench>>;
  const bad = Object.values(r.checks).reduce((a, c) => a + c.mismatches, 0);
  process.stdout.write(
    `${label}: import ${r.import.wallS} s (${r.import.advisoriesPerSecond}/s); uploads p50 ${r.uploads.perUpload.p50Ms} ms p99 ${r.uploads.perUpload.p99Ms} ms; ` +
      `recomputeAll ${r.recomputeAll.wallS} s (CPU ${r.recomputeAll.cpuS} s, RSS ${r.recomputeAll.peakRssMiB} MiB); change p50 ${r.inventoryChange.perChange.p50Ms} ms ` +
      `p99 ${r.inventoryChange.perChange.p99Ms} ms; re-import ${r.reimport.wallS} s, ${r.reimport.devicesRecomputed} devices; max RSS ${r.processMaxRssMiB} MiB; ` +
      `${bad} mismatches\n`,
  );
  if (bad > 0) {
    process.stdout.write(`WRONG RESULTS: ${JSON.stringify(Object.values(r.checks).flatMap((c) => c.examples))}\n`);
    process.exitCode = 1;
  }
}

await main();
