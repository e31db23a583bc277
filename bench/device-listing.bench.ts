// The console's device list and dashboard at 10,000 devices (issue 15): p50/p99 of the store queries behind
// GET /v1/admin/devices (first page, a deep keyset page, a filtered + sorted page, the policy-state filter) and
// GET /v1/admin/dashboard, on SQLite and, when PostgreSQL is installed, on a scratch cluster.
// Each device has a compliance row, 20 setting and 5 policy status rows; 10 groups, 5 assigned policies.
// Writes bench/results/device-listing.json and prints a summary. Bounded: 60 timed runs per query and engine.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeviceQuery } from '../management/src/store/device-query.js';
import type { ManagementStore } from '../management/src/store/store.js';
import { storedPolicy, TEST_PUBLIC_KEY } from '../management/src/store/testing/store-fixtures.js';
import type { Platform, RiskLevel, StatusReport } from '../policy-schemas/src/index.js';
import { machine } from './stats.js';
import { onStoreEngines, timed } from './store-engines.js';

const DEVICES = 10_000;
const RUNS = 60;
const NOW = Date.parse('2026-01-10T12:00:00.000Z');
const PLATFORMS: Platform[] = ['windows', 'windows', 'macos', 'linux'];
const RISKS: RiskLevel[] = ['none', 'none', 'none', 'low', 'medium', 'high'];
const iso = (ms: number) => new Date(ms).toISOString();

/** 10,000 devices with everything the listing reads: groups, assignments, compliance, policy and setting status. */
async function populate(store: ManagementStore): Promise<void> {
  const tokenHash = randomUUID();
  await store.createEnrollmentToken({ tokenHash, createdAt: iso(NOW - 1e9), expiresAt: iso(NOW + 1e9), maxUses: DEVICES });
  const policyIds = Array.from({ length: 5 }, () => randomUUID());
  for (const id of policyIds) await store.createPolicy(storedPolicy(id, 1, iso(NOW)));
  const groups = Array.from({ length: 10 }, (_, g) => `group-${g}`);
  for (const groupId of groups) await store.createGroup({ groupId, name: groupId, createdAt: iso(NOW) });
  for (const [i, policyId] of policyIds.entries()) {
    for (const groupId of groups.slice(i, i + 4))
      await store.createAssignment({ assignmentId: randomUUID(), policyId, groupId, mode: 'include', createdAt: iso(NOW) });
  }
  const members = new Map(groups.map((g) => [g, [] as string[]]));
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < DEVICES; i++) {
    const deviceId = randomUUID();
    const platform = PLATFORMS[i % PLATFORMS.length] as Platform;
    const facts = { hostname: `host-${(i * 7919) % DEVICES}`.padEnd(10, 'x'), platform, osVersion: '10.0', arch: 'x64', agentVersion: '0.1.0' };
    await store.enrollDevice({ tokenHash, now: iso(NOW - 1e8 + i * 1000), deviceId, publicKey: TEST_PUBLIC_KEY, facts });
    members.get(groups[i % groups.length] as string)?.push(deviceId);
    if (i % 10 !== 0) work.push(store.touchDevice(deviceId, iso(NOW - (i % 1000) * 900_000)));
    const state = i % 5 === 0 ? 'noncompliant' : i % 17 === 0 ? 'inGracePeriod' : 'compliant';
    const riskLevel = RISKS[i % RISKS.length] as RiskLevel;
    work.push(
      store.saveComplianceState({ deviceId, state, riskLevel, reasons: [], policies: [], evaluatedAt: iso(NOW), evidenceAt: null, nextEvaluationAt: null }),
    );
    work.push(store.recordReport(report(deviceId, policyIds, i), iso(NOW)));
    if (work.length >= 256) await Promise.all(work.splice(0));
  }
  await Promise.all(work);
  for (const [groupId, ids] of members) await store.replaceGroupMembers(groupId, ids, iso(NOW));
}

function report(deviceId: string, policyIds: readonly string[], i: number): StatusReport {
  const state = i % 11 === 0 ? 'error' : i % 13 === 0 ? 'conflict' : 'succeeded';
  return {
    reportId: randomUUID(),
    deviceId,
    generatedAt: iso(NOW),
    agentVersion: '0.1.0',
    trigger: 'push',
    durationMs: 10,
    policies: policyIds.map((policyId) => ({ policyId, version: 1, name: 'p', kind: 'antivirus' as const, state })),
    settings: Array.from({ length: 20 }, (_, s) => ({
      settingId: `defender.Setting${s}`,
      kind: 'antivirus' as const,
      state,
      policyIds: [policyIds[s % policyIds.length] as string],
      desired: 1,
      observed: 1,
    })),
  };
}

async function measure(store: ManagementStore) {
  const first: DeviceQuery = { sort: 'hostname', order: 'asc', limit: 100 };
  // The cursor of the page starting at device 9,000: walked once with full pages, as a client paging would.
  let after: DeviceQuery['after'];
  for (let seen = 0; seen < 9_000; seen += 500) after = (await store.queryDevices({ ...first, limit: 500, after })).nextKey ?? undefined;
  const filtered: DeviceQuery = { sort: 'riskLevel', order: 'desc', limit: 100, platform: 'windows', complianceState: 'noncompliant' };
  const counts = { total: (await store.queryDevices(first)).total, filtered: (await store.queryDevices(filtered)).total };
  const dashboard = { scopeGroupIds: null, connected: { here: [] }, hourAgo: iso(NOW - 3.6e6), dayAgo: iso(NOW - 8.64e7), weekAgo: iso(NOW - 6.048e8) };
  return {
    matches: counts,
    firstPage: await timed(RUNS, () => store.queryDevices(first)),
    deepPage: await timed(RUNS, () => store.queryDevices({ ...first, after })),
    filteredSortedPage: await timed(RUNS, () => store.queryDevices(filtered)),
    searchPage: await timed(RUNS, () => store.queryDevices({ ...first, search: 'host-12' })),
    policyStatusFilterPage: await timed(RUNS, () => store.queryDevices({ ...first, policyStatus: 'error' })),
    scopedPage: await timed(RUNS, () => store.queryDevices({ ...first, scopeGroupIds: ['group-1', 'group-2'] })),
    dashboard: await timed(RUNS, () => store.deviceDashboard(dashboard)),
  };
}

async function main(): Promise<void> {
  const engines = await onStoreEngines('listing', async (store, name) => {
    const started = performance.now();
    await populate(store);
    const populateSeconds = Math.round((performance.now() - started) / 100) / 10;
    process.stdout.write(`${name}: ${DEVICES} devices populated in ${populateSeconds} s\n`);
    return { populateSeconds, ...(await measure(store)) };
  });
  const result = { benchmark: 'device-listing', machine: machine(), devices: DEVICES, runsPerQuery: RUNS, pageSize: 100, engines };
  await writeFile(join(import.meta.dirname, 'results', 'device-listing.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const [name, r] of Object.entries(engines)) {
    if (typeof r === 'string') {
      process.stdout.write(`${name}: ${r}\n`);
      continue;
    }
    const rows = Object.entries(r as Record<string, unknown>).filter(([, v]) => typeof v === 'object' && v !== null && 'p50Ms' in v);
    for (const [query, v] of rows) {
      const { p50Ms, p99Ms } = v as { p50Ms: number; p99Ms: number };
      process.stdout.write(`${name} ${query}: p50 ${p50Ms} ms, p99 ${p99Ms} ms\n`);
    }
  }
}

await main();
