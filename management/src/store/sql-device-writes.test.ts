// Tests of the store's batched device writes through ManagementStore: concurrent reports, alert reports, health and
// inventory all acknowledged with their own outcome; concurrent nonce claims (a replay refused, nothing else); and
// lastSeenAt of concurrent requests (a report sets it too; a touch does not wait for a row another transaction holds).
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DeviceHealth, DeviceInventory, StatusReport } from '../../../policy-schemas/src/index.js';
import type { ManagementStore } from './store.js';
import { freshStorePerTest, STORE_ENGINES } from './testing/store-engines.js';

const NOW = '2026-01-10T12:00:00.000Z';
const KEY = Buffer.alloc(32, 7).toString('base64');

let store: ManagementStore;

async function devices(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const facts = { hostname: `h${i}`, platform: 'linux', osVersion: '6.8', arch: 'x64', agentVersion: '0.1.0' } as const;
    ids.push((await store.enrollDevice({ tokenHash: 't', now: NOW, deviceId: randomUUID(), publicKey: KEY, facts })).deviceId);
  }
  return ids;
}

function report(deviceId: string, generatedAt: string, reportId = randomUUID()): StatusReport {
  return {
    reportId,
    deviceId,
    generatedAt,
    agentVersion: '0.2.0',
    trigger: 'push',
    durationMs: 5,
    policies: [],
    settings: [{ settingId: 'defender.AllowRealtimeMonitoring', kind: 'antivirus', state: 'succeeded', policyIds: [], desired: 1, observed: 1 }],
  };
}

function health(collectedAt: string): DeviceHealth {
  return {
    collectedAt,
    antivirus: { source: 'simulated', mode: 'active', realTimeProtection: true, tamperProtection: true, signatureVersion: '1.0', signatureAgeHours: 1 },
    firewall: { source: 'simulated', enabled: true },
  };
}

describe.each(STORE_ENGINES)('%s store', (engineName) => {
  const engine = freshStorePerTest(engineName, (s) => {
    store = s;
  });
  beforeEach(async () => {
    await store.createEnrollmentToken({ tokenHash: 't', createdAt: NOW, expiresAt: '2027-01-01T00:00:00.000Z', maxUses: 100 });
  });

  describe('batched device writes', () => {
    it('acks concurrent reports of many devices, each with its own outcome, and stores them', async () => {
      const ids = await devices(8);
      const first = report(ids[0] as string, '2026-01-10T12:05:00.000Z');
      const acks = await Promise.allSettled([
        ...ids.map((d) => store.recordReport(d === ids[0] ? first : report(d, '2026-01-10T12:05:00.000Z'), NOW)),
        store.recordReport(first, NOW),
        store.recordReport(report(ids[1] as string, '2026-01-10T12:01:00.000Z'), NOW),
        store.recordReport(report(randomUUID(), NOW), NOW),
      ]);
      const values = acks.map((a) => (a.status === 'fulfilled' ? a.value : (a.reason as { code: string }).code));
      expect(values).toEqual([
        ...ids.map(() => ({ duplicate: false, stale: false })),
        { duplicate: true, stale: false },
        { duplicate: false, stale: true },
        'DEVICE_UNKNOWN',
      ]);
      for (const d of ids) expect((await store.getReportedStatus(d)).lastReportAt).toBe('2026-01-10T12:05:00.000Z');
      expect((await store.getDevice(ids[2] as string))?.agentVersion).toBe('0.2.0');
    });

    it('stores concurrent health, inventory and alert reports, an older upload never replacing a newer one', async () => {
      const [a, b] = await devices(2);
      const inventory: DeviceInventory = {
        collectedAt: NOW,
        hash: 'a'.repeat(64),
        agentVersion: '0.2.0',
        hostname: 'h1',
        os: { platform: 'linux', arch: 'x64' },
        hardware: {},
        network: [],
        diskEncryption: { state: 'unknown' },
      };
      const stored = await Promise.all([
        store.recordHealth(a as string, health('2026-01-10T12:02:00.000Z'), NOW),
        store.recordHealth(a as string, health('2026-01-10T12:01:00.000Z'), NOW),
        store.recordInventory(b as string, inventory, NOW),
        store.recordAlertReport({ reportId: randomUUID(), deviceId: b as string, generatedAt: NOW, riskLevel: 'none', alerts: [] }, NOW),
      ]);
      expect(stored).toEqual([true, false, true, { duplicate: false, stale: false }]);
      expect((await store.getSignals(a as string)).health?.value.collectedAt).toBe('2026-01-10T12:02:00.000Z');
      expect((await store.getSignals(b as string)).lastAlertReportAt).toBe(NOW);
      await expect(store.recordHealth(randomUUID(), health(NOW), NOW)).rejects.toMatchObject({ code: 'DEVICE_UNKNOWN' });
    });

    it('claims the nonces of concurrent requests: only a replay is refused, also within one batch', async () => {
      const nonces = Array.from({ length: 30 }, () => randomBytes(16).toString('base64url'));
      expect(await store.claimNonce('d0', 'earlier', 5_000)).toBe(true);
      const claims = await Promise.all([
        ...nonces.map((n) => store.claimNonce('d1', n, 5_000)),
        store.claimNonce('d1', nonces[0] as string, 5_000),
        store.claimNonce('d2', nonces[0] as string, 5_000),
        store.claimNonce('d0', 'earlier', 5_000),
      ]);
      expect(claims).toEqual([...nonces.map(() => true), false, true, false]);
      expect(await store.claimNonce('d1', nonces[29] as string, 5_000)).toBe(false);
    });

    it('sets lastSeenAt of concurrent requests, the last time of a device touched twice', async () => {
      const [a, b, c] = await devices(3);
      await Promise.all([
        store.touchDevice(a as string, '2026-01-10T12:01:00.000Z'),
        store.touchDevice(b as string, '2026-01-10T12:02:00.000Z'),
        store.touchDevice(a as string, '2026-01-10T12:03:00.000Z'),
        store.touchDevice(randomUUID(), '2026-01-10T12:04:00.000Z'),
      ]);
      const seen = await Promise.all([a, b, c].map(async (d) => (await store.getDevice(d as string))?.lastSeenAt));
      expect(seen).toEqual(['2026-01-10T12:03:00.000Z', '2026-01-10T12:02:00.000Z', null]);
    });

    it('sets lastSeenAt from a report as well, never backwards', async () => {
      const [d] = (await devices(1)) as [string];
      await store.touchDevice(d, '2026-01-10T12:10:00.000Z');
      await store.recordReport(report(d, '2026-01-10T12:04:00.000Z'), '2026-01-10T12:05:00.000Z');
      expect((await store.getDevice(d))?.lastSeenAt).toBe('2026-01-10T12:10:00.000Z');
      await store.recordReport(report(d, '2026-01-10T12:19:00.000Z'), '2026-01-10T12:20:00.000Z');
      expect((await store.getDevice(d))?.lastSeenAt).toBe('2026-01-10T12:20:00.000Z');
    });

    it.runIf(engineName === 'postgres')('does not wait for a device row another transaction holds: its touch is skipped, the others written', async () => {
      const [held, free] = (await devices(2)) as [string, string];
      const other = new pg.Client({ connectionString: engine.lastUrl() });
      await other.connect();
      try {
        await other.query('begin');
        await other.query('select device_id from devices where device_id = $1 for update', [held]);
        // Without SKIP LOCKED this waits for the other transaction, which only ends after it.
        await Promise.all([store.touchDevice(held, '2026-01-10T12:01:00.000Z'), store.touchDevice(free, '2026-01-10T12:01:00.000Z')]);
        expect((await store.getDevice(held))?.lastSeenAt).toBeNull();
        expect((await store.getDevice(free))?.lastSeenAt).toBe('2026-01-10T12:01:00.000Z');
        await other.query('commit');
        await store.touchDevice(held, '2026-01-10T12:02:00.000Z');
        expect((await store.getDevice(held))?.lastSeenAt).toBe('2026-01-10T12:02:00.000Z');
      } finally {
        await other.end();
      }
    });
  });
});
