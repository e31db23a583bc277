// Contract tests of the vulnerability store (migration 0018) on SQLite and PostgreSQL: advisory imports (replace,
// older ignored, withdrawn removed with their findings, changed keys, all-or-nothing), package ids shared across
// replicas and large batches, package findings, and each device's software (latest wins, id lists, scans).
import type { Kysely } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Database } from './schema.js';
import type { ManagementStore } from './store.js';
import { freshStorePerTest, STORE_ENGINES } from './testing/store-engines.js';
import { codeOf, enrolledDevice } from './testing/store-fixtures.js';
import { debPackage, exposureOf, osvAdvisory, softwareOf } from './testing/vulnerability-fixtures.js';

const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-02-01T00:00:00Z';
const T2 = '2025-03-01T00:00:00Z';
const NOW = '2025-03-10T12:00:00.000Z';

let store: ManagementStore;

const software = (deviceId: string, packageIds: number[], collectedAt: string, digest: string) => softwareOf(deviceId, packageIds, collectedAt, digest);

describe.each(STORE_ENGINES)('%s store: vulnerabilities', (engineName) => {
  const engine = freshStorePerTest(engineName, (s) => {
    store = s;
  });
  let deviceId: string;
  beforeEach(async () => {
    deviceId = await enrolledDevice(store, NOW);
  });

  it('imports, replaces newer, ignores older, removes withdrawn with their findings, and reports the changed keys', async () => {
    expect(await store.advisoryStats()).toEqual({ stored: 0, lastImportAt: null });
    const first = await store.writeAdvisories(
      [
        { advisory: osvAdvisory('A', T1), keys: ['osv:Debian:openssl'] },
        { advisory: osvAdvisory('B', T1, 'curl'), keys: ['osv:Debian:curl'] },
      ],
      [],
      NOW,
    );
    expect(first).toEqual({ stored: 2, unchanged: 0, removed: 0, changedKeys: ['osv:Debian:curl', 'osv:Debian:openssl'] });
    const replaced = await store.writeAdvisories(
      [
        { advisory: osvAdvisory('A', T2, 'openssl3'), keys: ['osv:Debian:openssl3'] },
        { advisory: osvAdvisory('B', T1, 'curl'), keys: ['osv:Debian:curl'] },
        { advisory: osvAdvisory('B', T0, 'curl'), keys: ['osv:Debian:other'] },
      ],
      [],
      NOW,
    );
    expect(replaced).toEqual({ stored: 1, unchanged: 2, removed: 0, changedKeys: ['osv:Debian:openssl', 'osv:Debian:openssl3'] });
    expect(await store.advisoriesByKeys(['osv:Debian:openssl'])).toEqual([]);
    const [a] = await store.advisoriesByKeys(['osv:Debian:openssl3', 'osv:Debian:openssl3']);
    expect(a).toEqual({ advisory: osvAdvisory('A', T2, 'openssl3'), keys: ['osv:Debian:openssl3'], importedAt: NOW });
    expect((await store.getAdvisory('B'))?.advisory.modified).toBe(T1);

    // B has a package finding and a device finding: withdrawing it removes both.
    const [curl] = await store.upsertPackages([debPackage('curl', '7.88.1-10')]);
    await store.replacePackageFindings(
      [curl as number],
      [{ packageId: curl as number, advisoryId: 'B', fixedVersion: '7.88.1-10+deb12u5', affectedRange: '<' }],
      NOW,
    );
    const finding = {
      packageId: curl as number,
      advisoryId: 'B',
      recommendationId: 'r'.repeat(32),
      severity: 'high' as const,
      cvssScore: 7.5,
      fixedVersion: null,
    };
    await store.saveExposure(exposureOf(deviceId, 30, 'medium', [finding], NOW), [finding]);
    const withdrawn = await store.writeAdvisories([], ['B', 'never-stored'], T2);
    expect(withdrawn).toEqual({ stored: 0, unchanged: 0, removed: 1, changedKeys: ['osv:Debian:curl'] });
    expect(await store.getAdvisory('B')).toBeUndefined();
    expect(await store.advisoriesByKeys(['osv:Debian:curl'])).toEqual([]);
    expect(await store.packageFindings([curl as number])).toEqual([]);
    expect(await store.deviceFindingRows(deviceId)).toEqual([]);
    expect(await store.advisoryStats()).toEqual({ stored: 1, lastImportAt: NOW });
  });

  it('imports nothing when a write fails part-way (one transaction)', async () => {
    await store.writeAdvisories([{ advisory: osvAdvisory('KEEP', T0), keys: ['osv:Debian:openssl'] }], [], T0);
    const many = Array.from({ length: 450 }, (_, i) => ({ advisory: osvAdvisory(`X-${i}`, T1), keys: [`osv:Debian:p${i}`] }));
    // Past the first batch of rows: a NOT NULL column left null fails the INSERT of the second batch.
    many[420] = { advisory: osvAdvisory('X-420', T1, 'openssl', { summary: null as unknown as string }), keys: ['osv:Debian:p420'] };
    const withdrawKeep = store.writeAdvisories(many, ['KEEP'], T1);
    await expect(withdrawKeep).rejects.toThrow();
    expect(await store.advisoryStats()).toEqual({ stored: 1, lastImportAt: T0 });
    expect(await store.getAdvisory('X-0')).toBeUndefined();
    expect(await store.getAdvisory('KEEP')).toBeDefined();
    expect(await store.advisoriesByKeys(['osv:Debian:p1'])).toEqual([]);
  });

  it('reads a corrupt advisory body as STORE_CORRUPT naming the table and id', async () => {
    await store.writeAdvisories([{ advisory: osvAdvisory('A', T1), keys: ['k'] }], [], NOW);
    const db = (store as unknown as { db: Kysely<Database> }).db;
    await db.updateTable('advisories').set({ body: '{"id":' }).where('advisoryId', '=', 'A').execute();
    const err = await store.getAdvisory('A').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE_CORRUPT', details: [{ message: 'advisories' }, { message: 'A' }] });
  });

  it('gives identical identities one id, in large batches and from two replicas at once', async () => {
    const identities = Array.from({ length: 3000 }, (_, i) => debPackage(`pkg-${i % 1500}`, `1.${i}`));
    const ids = await store.upsertPackages(identities);
    expect(new Set(ids).size).toBe(3000);
    // Again, with other keys and duplicates: the same ids (keys are not part of the identity).
    const again = await store.upsertPackages([...identities.map((p) => ({ ...p, keys: ['osv:Debian:else'] })), identities[0] as (typeof identities)[0]]);
    expect(again).toEqual([...ids, ids[0]]);
    expect(await store.packagesByKeys(['osv:Debian:else'])).toEqual([]);
    const byKey = await store.packagesByKeys(['osv:Debian:pkg-7']);
    expect(byKey.map((p) => p.packageId)).toEqual([ids[7], ids[1507]].sort((x, y) => (x as number) - (y as number)));
    expect(await store.packagesByIds([ids[5] as number])).toEqual([{ ...identities[5], packageId: ids[5] }]);

    const [left, right] = await engine.openPair();
    try {
      const shared = Array.from({ length: 600 }, (_, i) => debPackage(`shared-${i}`, '1.0', { vendor: null, architecture: null, installPath: '/opt/x' }));
      // SQLite: one process writes at a time (better-sqlite3 blocks while it waits for the lock), so in turn.
      const [a, b] =
        engineName === 'postgres'
          ? await Promise.all([left.upsertPackages(shared), right.upsertPackages([...shared].reverse())])
          : [await left.upsertPackages(shared), await right.upsertPackages([...shared].reverse())];
      expect(a).toEqual([...(b as number[])].reverse());
      expect(new Set(a).size).toBe(600);
    } finally {
      await left.close();
      await right.close();
    }
  });

  it('replaces package findings of exactly the given packages and marks them evaluated', async () => {
    const [p1, p2, p3] = (await store.upsertPackages([debPackage('a', '1'), debPackage('b', '1'), debPackage('c', '1')])) as number[];
    expect(await store.unevaluatedPackages([p3 as number, p1 as number, p2 as number])).toEqual([p1, p2, p3]);
    const f = (packageId: number, advisoryId: string) => ({ packageId, advisoryId, fixedVersion: null, affectedRange: '>= 0' });
    await store.replacePackageFindings([p1 as number, p2 as number], [f(p1 as number, 'A'), f(p1 as number, 'B'), f(p2 as number, 'A')], NOW);
    await store.replacePackageFindings([p3 as number], [f(p3 as number, 'C')], NOW);
    expect(await store.unevaluatedPackages([p1 as number, p2 as number, p3 as number])).toEqual([]);
    await store.replacePackageFindings([p1 as number], [], NOW);
    expect(await store.packageFindings([p1 as number, p2 as number, p3 as number])).toEqual([f(p2 as number, 'A'), f(p3 as number, 'C')]);
    await expect(store.replacePackageFindings([p1 as number], [f(p2 as number, 'A')], NOW)).rejects.toThrow(/names package/);
  });

  it('two replicas matching the same packages at once both succeed and leave one whole set of findings', async () => {
    const [left, right] = await engine.openPair();
    try {
      const ids = (await left.upsertPackages([debPackage('openssl', '1'), debPackage('curl', '1')])) as [number, number];
      const f = (packageId: number, advisoryId: string) => ({ packageId, advisoryId, fixedVersion: null, affectedRange: '>= 0' });
      const one = [f(ids[0], 'A'), f(ids[1], 'B')];
      const two = [f(ids[0], 'A'), f(ids[0], 'C')];
      const runs = Array.from(
        { length: 6 },
        (_, i) => () => (i % 2 === 0 ? left.replacePackageFindings(ids, one, NOW) : right.replacePackageFindings(ids, two, NOW)),
      );
      // SQLite: one process writes at a time, so in turn; PostgreSQL: all at once on two pools (serialization retried).
      if (engineName === 'postgres') await Promise.all(runs.map((r) => r()));
      else for (const r of runs) await r();
      const held = await left.packageFindings(ids);
      expect([one, two].map((x) => JSON.stringify(x))).toContain(JSON.stringify(held));
    } finally {
      await left.close();
      await right.close();
    }
  });

  it('an import marks the packages of its changed keys unevaluated until matched again (pending for the sweep)', async () => {
    const [p1, p2] = (await store.upsertPackages([debPackage('openssl', '1'), debPackage('curl', '1')])) as [number, number];
    expect(await store.pendingPackages(10)).toEqual([p1, p2]);
    await store.replacePackageFindings([p1, p2], [], NOW);
    expect(await store.pendingPackages(10)).toEqual([]);
    await store.writeAdvisories([{ advisory: osvAdvisory('A', T1), keys: ['osv:Debian:openssl'] }], [], NOW);
    expect(await store.pendingPackages(10)).toEqual([p1]);
    expect(await store.unevaluatedPackages([p1, p2])).toEqual([p1]);
    // Unchanged on a re-import: nothing marked again once matched.
    await store.replacePackageFindings([p1], [], NOW);
    await store.writeAdvisories([{ advisory: osvAdvisory('A', T1), keys: ['osv:Debian:openssl'] }], [], NOW);
    expect(await store.pendingPackages(1)).toEqual([]);
  });

  it('stores software latest-wins by receipt: same digest unchanged, an earlier receipt stale, an unknown device NOT_FOUND', async () => {
    const ids = [0, 1, 70_000, 0xffffffff, 42];
    expect(await store.recordSoftware(software(deviceId, ids, T1, 'a'))).toBe('stored');
    expect(await store.getDeviceSoftware(deviceId)).toEqual(software(deviceId, ids, T1, 'a'));
    expect(await store.recordSoftware(software(deviceId, [9], T1, 'a'))).toBe('unchanged');
    expect(await store.recordSoftware({ ...software(deviceId, [9], T1, 'a'), receivedAt: NOW })).toBe('unchanged');
    // The same software re-sent: nothing but its receipt time changes.
    expect(await store.getDeviceSoftware(deviceId)).toEqual({ ...software(deviceId, ids, T1, 'a'), receivedAt: NOW });
    expect(await store.recordSoftware(software(deviceId, [9], T0, 'b'))).toBe('stale');
    expect((await store.getDeviceSoftware(deviceId))?.packageIds).toEqual(ids);
    // Ordered by the endpoint's receipt, not the device's clock: a collection dated 2099 does not freeze later uploads.
    const ahead = { ...software(deviceId, [3], '2099-01-01T00:00:00Z', 'e'), receivedAt: '2025-03-11T00:00:00Z' };
    expect(await store.recordSoftware(ahead)).toBe('stored');
    expect(await store.recordSoftware({ ...software(deviceId, [4], T0, 'f'), receivedAt: '2025-03-12T00:00:00Z' })).toBe('stored');
    expect(await store.getDeviceSoftware(deviceId)).toMatchObject({ digest: 'f'.repeat(64), packageIds: [4], collectedAt: T0 });
    expect(await store.recordSoftware({ ...software(deviceId, [], T2, 'c'), receivedAt: '2025-03-13T00:00:00Z' })).toBe('stored');
    expect(await store.getDeviceSoftware(deviceId)).toMatchObject({ digest: 'c'.repeat(64), packageIds: [], collectedAt: T2 });
    expect(await codeOf(store.recordSoftware(software('00000000-0000-4000-8000-000000000000', [1], T1, 'a')))).toBe('NOT_FOUND');
    await expect(store.recordSoftware(software(deviceId, [-1], T2, 'd'))).rejects.toThrow(/not an unsigned 32-bit integer/);
  });

  it('finds the devices holding packages and pages every device software by id', async () => {
    const others = [await enrolledDevice(store, NOW), await enrolledDevice(store, NOW), await enrolledDevice(store, NOW)];
    const all = [deviceId, ...others];
    const big = Array.from({ length: 1500 }, (_, i) => i + 1);
    await store.recordSoftware(software(all[0] as string, big, T1, 'a'));
    await store.recordSoftware(software(all[1] as string, [5000, 1], T1, 'b'));
    await store.recordSoftware(software(all[2] as string, [7, 8], T1, 'c'));
    expect(await store.devicesWithPackages([1])).toEqual([all[0], all[1]].sort());
    expect(await store.devicesWithPackages([1500, 8])).toEqual([all[0], all[2]].sort());
    expect(await store.devicesWithPackages([99_999])).toEqual([]);
    expect(await store.devicesWithPackages([])).toEqual([]);
    const pages: string[][] = [];
    for await (const page of store.deviceSoftwarePages(2)) pages.push(page.map((s) => s.deviceId));
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
    expect(pages.flat()).toEqual([all[0], all[1], all[2]].sort());

    const db = (store as unknown as { db: Kysely<Database> }).db;
    await db
      .updateTable('deviceSoftware')
      .set({ itemCount: 3 })
      .where('deviceId', '=', all[1] as string)
      .execute();
    const err = await store.devicesWithPackages([1]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORE_CORRUPT', details: [{ message: 'device_software' }, { message: all[1] }] });
  });
});
