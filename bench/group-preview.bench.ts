// The dynamic group rule preview at 10,000 devices (issue 15): p50/p99 of previewGroupRule (POST /v1/admin/groups/preview
// without HTTP), which reads every device row and matches the rule in memory, and of the store's listDevices alone,
// on SQLite and, when PostgreSQL is installed, on a scratch cluster. Writes bench/results/group-preview.json and prints
// a summary. Bounded: 30 timed runs per case and engine.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServiceContext } from '../management/src/service/context.js';
import { previewGroupRule } from '../management/src/service/group-preview.js';
import type { ManagementStore } from '../management/src/store/store.js';
import { TEST_PUBLIC_KEY } from '../management/src/store/testing/store-fixtures.js';
import type { DynamicGroupRule, Platform } from '../policy-schemas/src/index.js';
import { machine } from './stats.js';
import { onStoreEngines, timed } from './store-engines.js';

const DEVICES = 10_000;
const RUNS = 30;
const NOW = Date.parse('2026-01-10T12:00:00.000Z');
const PLATFORMS: Platform[] = ['windows', 'windows', 'macos', 'linux'];
const iso = (ms: number) => new Date(ms).toISOString();

/** 10,000 devices (every 10th tagged `Kiosk`), 10 static groups of 1,000. */
async function populate(store: ManagementStore): Promise<void> {
  const tokenHash = randomUUID();
  await store.createEnrollmentToken({ tokenHash, createdAt: iso(NOW - 1e9), expiresAt: iso(NOW + 1e9), maxUses: DEVICES });
  const groups = Array.from({ length: 10 }, (_, g) => `group-${g}`);
  for (const groupId of groups) await store.createGroup({ groupId, name: groupId, createdAt: iso(NOW) });
  const members = new Map(groups.map((g) => [g, [] as string[]]));
  for (let i = 0; i < DEVICES; i++) {
    const deviceId = randomUUID();
    const platform = PLATFORMS[i % PLATFORMS.length] as Platform;
    const facts = { hostname: `host-${(i * 7919) % DEVICES}`, platform, osVersion: '10.0', arch: 'x64', agentVersion: `0.${i % 3}.0` };
    await store.enrollDevice({ tokenHash, now: iso(NOW - 1e8 + i * 1000), deviceId, publicKey: TEST_PUBLIC_KEY, facts });
    if (i % 10 === 0) await store.setDeviceTags(deviceId, ['Kiosk']);
    members.get(groups[i % groups.length] as string)?.push(deviceId);
  }
  for (const [groupId, ids] of members) await store.replaceGroupMembers(groupId, ids, iso(NOW));
}

async function measure(store: ManagementStore) {
  // What previewGroupRule reads of the context: the store, and the hub for the page's connected flags (none here).
  const ctx = { store, hub: { isConnected: () => false } } as unknown as ServiceContext;
  const kiosks: DynamicGroupRule = { match: 'all', conditions: [{ attribute: 'tags', contains: 'kiosk' }] };
  const wide: DynamicGroupRule = {
    match: 'any',
    conditions: [
      { attribute: 'os', equals: 'windows' },
      { attribute: 'agentVersion', op: '>=', value: '0.1.0' },
    ],
  };
  const page = { limit: '100' };
  const preview = (rule: DynamicGroupRule, scope: readonly string[] | null) => previewGroupRule(ctx, { rule }, page, scope);
  return {
    matches: { kiosks: (await preview(kiosks, null)).total, wide: (await preview(wide, null)).total },
    listDevices: await timed(RUNS, () => store.listDevices()),
    previewTagRule: await timed(RUNS, () => preview(kiosks, null)),
    previewWideRule: await timed(RUNS, () => preview(wide, null)),
    previewScopedTo2Groups: await timed(RUNS, () => preview(wide, ['group-1', 'group-2'])),
  };
}

async function main(): Promise<void> {
  const engines = await onStoreEngines('preview', async (store, name) => {
    const started = performance.now();
    await populate(store);
    process.stdout.write(`${name}: ${DEVICES} devices populated in ${Math.round((performance.now() - started) / 100) / 10} s\n`);
    return measure(store);
  });
  const result = { benchmark: 'group-preview', machine: machine(), devices: DEVICES, runsPerCase: RUNS, pageSize: 100, engines };
  await writeFile(join(import.meta.dirname, 'results', 'group-preview.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const [name, r] of Object.entries(engines)) process.stdout.write(`${name}: ${typeof r === 'string' ? r : JSON.stringify(r)}\n`);
}

await main();
