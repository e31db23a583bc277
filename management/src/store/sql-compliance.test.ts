// Tests of the SQL store's signals and compliance part, on SQLite and PostgreSQL: alert reports (idempotent, stale ones change nothing, upsert
// by alertId), latest health/inventory, compliance policies and include/exclude assignments, state with bounded
// transitions, the timer's due query, access tokens, and the migration of an existing database.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Alert, AlertReport, CompliancePolicy, DeviceHealth, DeviceInventory } from '../../../policy-schemas/src/index.js';
import { type StoredComplianceState, TRANSITIONS_PER_DEVICE } from './compliance-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { ManagementStore } from './store.js';
import { freshStorePerTest, STORE_ENGINES } from './testing/store-engines.js';
import { codeOf, oldSqliteWithDevice } from './testing/store-fixtures.js';

const NOW = '2025-01-10T12:00:00.000Z';
const KEY = Buffer.alloc(32, 7).toString('base64');

let store: ManagementStore;
let deviceId: string;

function enroll() {
  return store.enrollDevice({
    tokenHash: 't',
    now: NOW,
    deviceId: randomUUID(),
    publicKey: KEY,
    facts: { hostname: 'ws-1', platform: 'linux', osVersion: '6.8', arch: 'x64', agentVersion: '0.1.0' },
  });
}

function alert(alertId: string, severity: Alert['severity'], status: Alert['status'] = 'active'): Alert {
  return {
    alertId,
    category: 'indicator',
    severity,
    title: `alert ${alertId}`,
    evidence: { process: '/usr/bin/nc', pid: 42 },
    firstSeen: NOW,
    lastSeen: NOW,
    status,
    ...(status === 'resolved' ? { resolvedAt: NOW } : {}),
    action: { type: 'killProcess', ok: true },
  };
}

function report(generatedAt: string, alerts: Alert[], riskLevel: AlertReport['riskLevel'] = 'high', id = deviceId): AlertReport {
  return { reportId: randomUUID(), deviceId: id, generatedAt, riskLevel, alerts };
}

function health(collectedAt: string, rtp: boolean): DeviceHealth {
  return {
    collectedAt,
    antivirus: { source: 'simulated', mode: 'active', realTimeProtection: rtp, tamperProtection: null },
    firewall: { source: 'simulated', enabled: true },
  };
}

function inventory(collectedAt: string, hostname: string): DeviceInventory {
  return {
    collectedAt,
    hash: 'a'.repeat(64),
    agentVersion: '0.1.0',
    hostname,
    os: { platform: 'linux', arch: 'x64' },
    hardware: {},
    network: [],
    diskEncryption: { state: 'unknown' },
  };
}

function compliancePolicy(version = 1, overrides: Partial<CompliancePolicy> = {}): CompliancePolicy {
  return {
    compliancePolicyId: overrides.compliancePolicyId ?? randomUUID(),
    name: 'Baseline',
    settings: { maxRiskLevel: 'low' },
    gracePeriodHours: 0,
    version,
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

describe.each(STORE_ENGINES)('%s store', (engineName) => {
  const engine = freshStorePerTest(engineName, (s) => {
    store = s;
  });
  beforeEach(async () => {
    await store.createEnrollmentToken({ tokenHash: 't', createdAt: NOW, expiresAt: '2025-01-11T12:00:00.000Z', maxUses: 10 });
    deviceId = (await enroll()).deviceId;
  });

  describe('alert reports', () => {
    it('upserts alerts by id, acknowledges a retry as duplicate, and lists active alerts first', async () => {
      const first = report('2025-01-10T12:01:00.000Z', [alert('indicator.a', 'high'), alert('posture.rtpOff', 'medium')]);
      expect(await store.recordAlertReport(first, NOW)).toEqual({ duplicate: false, stale: false });
      expect(await store.recordAlertReport({ ...first, alerts: [] }, NOW)).toEqual({ duplicate: true, stale: false });
      expect((await store.listAlerts(deviceId)).map((a) => [a.alertId, a.status])).toEqual([
        ['indicator.a', 'active'],
        ['posture.rtpOff', 'active'],
      ]);

      await store.recordAlertReport(report('2025-01-10T12:02:00.000Z', [alert('indicator.a', 'high', 'resolved')], 'medium'), NOW);
      const alerts = await store.listAlerts(deviceId);
      expect(alerts.map((a) => [a.alertId, a.status])).toEqual([
        ['posture.rtpOff', 'active'],
        ['indicator.a', 'resolved'],
      ]);
      expect(alerts[1]).toMatchObject({ resolvedAt: NOW, evidence: { process: '/usr/bin/nc', pid: 42 }, action: { type: 'killProcess', ok: true } });
      expect(await store.getSignals(deviceId)).toMatchObject({ lastAlertReportAt: '2025-01-10T12:02:00.000Z', agentRiskLevel: 'medium' });
    });

    it('keeps an older report as history only: it changes no alert and not the claimed level', async () => {
      await store.recordAlertReport(report('2025-01-10T12:05:00.000Z', [alert('indicator.a', 'high', 'resolved')], 'none'), NOW);
      const older = report('2025-01-10T12:01:00.000Z', [alert('indicator.a', 'high'), alert('indicator.b', 'low')], 'high');
      expect(await store.recordAlertReport(older, NOW)).toEqual({ duplicate: false, stale: true });
      expect((await store.listAlerts(deviceId)).map((a) => [a.alertId, a.status])).toEqual([['indicator.a', 'resolved']]);
      expect((await store.getSignals(deviceId)).agentRiskLevel).toBe('none');
      expect(await store.recordAlertReport(older, NOW)).toEqual({ duplicate: true, stale: false });
    });

    it('refuses a report of an unknown device and stores nothing', async () => {
      expect(await codeOf(store.recordAlertReport(report(NOW, [alert('indicator.a', 'high')], 'high', randomUUID()), NOW))).toBe('DEVICE_UNKNOWN');
      expect(await store.listAlerts(deviceId)).toEqual([]);
    });
  });

  describe('health and inventory', () => {
    it('keeps the latest by collection time; an older upload is not stored', async () => {
      expect(await store.getSignals(deviceId)).toEqual({
        health: null,
        inventory: null,
        lastAlertReportAt: null,
        lastAlertReceivedAt: null,
        agentRiskLevel: null,
      });
      expect(await store.recordHealth(deviceId, health('2025-01-10T12:05:00.000Z', false), '2025-01-10T12:05:01.000Z')).toBe(true);
      expect(await store.recordHealth(deviceId, health('2025-01-10T12:01:00.000Z', true), NOW)).toBe(false);
      expect(await store.recordInventory(deviceId, inventory('2025-01-10T12:05:00.000Z', 'new'), NOW)).toBe(true);
      expect(await store.recordInventory(deviceId, inventory('2025-01-10T12:01:00.000Z', 'old'), NOW)).toBe(false);
      const signals = await store.getSignals(deviceId);
      expect(signals.health).toEqual({ value: health('2025-01-10T12:05:00.000Z', false), receivedAt: '2025-01-10T12:05:01.000Z' });
      expect(signals.inventory?.value.hostname).toBe('new');
      expect(await codeOf(store.recordHealth(randomUUID(), health(NOW, true), NOW))).toBe('DEVICE_UNKNOWN');
    });
  });

  describe('compliance policies and assignments', () => {
    it('versions policies in place, resolves include minus exclude through groups, and hides deleted policies', async () => {
      const a = compliancePolicy();
      const b = compliancePolicy(1, { name: 'Other' });
      await store.createCompliancePolicy(a);
      await store.createCompliancePolicy(b);
      expect(await codeOf(store.updateCompliancePolicy({ ...a, version: 3 }))).toBe('CONFLICT');
      await store.updateCompliancePolicy({ ...a, version: 2, settings: { maxRiskLevel: 'clear' }, updatedAt: '2025-01-10T13:00:00.000Z' });
      expect(await store.getCompliancePolicy(a.compliancePolicyId)).toMatchObject({ version: 2, settings: { maxRiskLevel: 'clear' }, createdAt: NOW });

      const all = await store.createGroup({ groupId: randomUUID(), name: 'All', createdAt: NOW });
      const kiosk = await store.createGroup({ groupId: randomUUID(), name: 'Kiosk', createdAt: NOW });
      const other = (await enroll()).deviceId;
      for (const id of [deviceId, other]) await store.addGroupMember(all.groupId, id, NOW);
      await store.addGroupMember(kiosk.groupId, other, NOW);
      const assign = (policyId: string, groupId: string, mode: 'include' | 'exclude' = 'include') =>
        store.createComplianceAssignment({ assignmentId: randomUUID(), compliancePolicyId: policyId, groupId, mode, createdAt: NOW });
      await assign(a.compliancePolicyId, all.groupId);
      await assign(b.compliancePolicyId, all.groupId);
      await assign(a.compliancePolicyId, kiosk.groupId, 'exclude');
      await assign(b.compliancePolicyId, kiosk.groupId); // included through two groups: listed once
      expect(await codeOf(assign(a.compliancePolicyId, all.groupId))).toBe('CONFLICT');
      expect(await codeOf(assign(randomUUID(), all.groupId))).toBe('NOT_FOUND');
      expect(await codeOf(assign(a.compliancePolicyId, randomUUID()))).toBe('NOT_FOUND');

      expect((await store.compliancePoliciesForDevice(deviceId)).map((p) => p.name).sort()).toEqual(['Baseline', 'Other']);
      expect((await store.compliancePoliciesForDevice(other)).map((p) => p.name)).toEqual(['Other']);

      const removed = await store.deleteCompliancePolicy(b.compliancePolicyId, NOW);
      expect(removed?.map((r) => r.groupId).sort()).toEqual([all.groupId, kiosk.groupId].sort());
      expect(await store.deleteCompliancePolicy(b.compliancePolicyId, NOW)).toBeUndefined();
      expect((await store.listCompliancePolicies()).compliancePolicies.map((p) => p.compliancePolicyId)).toEqual([a.compliancePolicyId]);
      expect(await store.compliancePoliciesForDevice(other)).toEqual([]);
      expect(await codeOf(store.updateCompliancePolicy({ ...b, version: 2 }))).toBe('NOT_FOUND');

      const assignment = (await store.listComplianceAssignments()).find((x) => x.mode === 'exclude');
      expect(await store.removeComplianceAssignment(assignment?.assignmentId ?? '')).toMatchObject({ mode: 'exclude', groupId: kiosk.groupId });
      expect((await store.compliancePoliciesForDevice(other)).map((p) => p.name)).toEqual(['Baseline']);
      expect(await store.removeComplianceAssignment(assignment?.assignmentId ?? '')).toBeUndefined();
    });
  });

  describe('compliance state', () => {
    const state = (at: string, next: string | null, s: StoredComplianceState['state'] = 'compliant'): StoredComplianceState => ({
      deviceId,
      state: s,
      riskLevel: 'none',
      reasons: [],
      policies: [{ compliancePolicyId: randomUUID(), name: 'Baseline', version: 1, state: s, noncompliantSince: null, graceEndsAt: null }],
      evaluatedAt: at,
      evidenceAt: null,
      nextEvaluationAt: next,
    });

    it('saves conditionally on the state an evaluation started from: a concurrent save is CONFLICT and changes nothing', async () => {
      const first = state(NOW, null);
      await store.saveComplianceState(first, { at: NOW, from: null, to: 'compliant', reasons: [] }, null);
      // Another replica's evaluation, also started from "no state": refused, the first one stands.
      const late = state('2025-01-10T12:00:01.000Z', null, 'noncompliant');
      await expect(store.saveComplianceState(late, { at: late.evaluatedAt, from: null, to: 'noncompliant', reasons: [] }, null)).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      expect(await store.getComplianceState(deviceId)).toEqual(first);
      expect(await store.listComplianceTransitions(deviceId, 10)).toHaveLength(1);
      // Evaluated again from what is stored: saved.
      await store.saveComplianceState(late, { at: late.evaluatedAt, from: 'compliant', to: 'noncompliant', reasons: [] }, first.evaluatedAt);
      expect((await store.getComplianceState(deviceId))?.state).toBe('noncompliant');
    });

    it.runIf(engineName === 'postgres')('lets one of two replicas saving from the same stored state win; the other gets CONFLICT', async () => {
      const [a, b] = await engine.openPair();
      try {
        await a.createEnrollmentToken({ tokenHash: 'tr', createdAt: NOW, expiresAt: '2025-01-11T12:00:00.000Z', maxUses: 1 });
        const facts = { hostname: 'ws-2', platform: 'linux', osVersion: '6.8', arch: 'x64', agentVersion: '0.1.0' } as const;
        const { deviceId: id } = await a.enrollDevice({ tokenHash: 'tr', now: NOW, deviceId: randomUUID(), publicKey: KEY, facts });
        let basedOn: string | null = null;
        for (let i = 0; i < 4; i++) {
          const [sa, sb] = [`2025-01-10T12:0${i}:00.000Z`, `2025-01-10T12:0${i}:30.000Z`].map((at) => ({ ...state(at, null), deviceId: id }));
          const transition = (s: StoredComplianceState) => ({ at: s.evaluatedAt, from: null, to: s.state, reasons: [] });
          const outcomes = await Promise.allSettled([
            a.saveComplianceState(sa as StoredComplianceState, transition(sa as StoredComplianceState), basedOn),
            b.saveComplianceState(sb as StoredComplianceState, transition(sb as StoredComplianceState), basedOn),
          ]);
          expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
          expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
          const stored = await b.getComplianceState(id);
          expect([sa?.evaluatedAt, sb?.evaluatedAt]).toContain(stored?.evaluatedAt);
          basedOn = stored?.evaluatedAt ?? null;
          expect(await a.listComplianceTransitions(id, 10)).toHaveLength(i + 1);
        }
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('upserts the state, appends transitions newest first and keeps only the last ones', async () => {
      expect(await store.getComplianceState(deviceId)).toBeUndefined();
      const first = state(NOW, '2025-01-11T12:00:00.000Z');
      await store.saveComplianceState(first, { at: NOW, from: null, to: 'compliant', reasons: [] });
      expect(await store.getComplianceState(deviceId)).toEqual(first);
      const second = state('2025-01-10T13:00:00.000Z', null, 'noncompliant');
      await store.saveComplianceState(second, { at: second.evaluatedAt, from: 'compliant', to: 'noncompliant', reasons: ['risk high'] });
      await store.saveComplianceState({ ...second, evaluatedAt: '2025-01-10T13:30:00.000Z' });
      expect(await store.getComplianceState(deviceId)).toMatchObject({ state: 'noncompliant', evaluatedAt: '2025-01-10T13:30:00.000Z' });
      expect(await store.listComplianceTransitions(deviceId, 10)).toEqual([
        { at: second.evaluatedAt, from: 'compliant', to: 'noncompliant', reasons: ['risk high'] },
        { at: NOW, from: null, to: 'compliant', reasons: [] },
      ]);
      for (let i = 0; i < TRANSITIONS_PER_DEVICE + 5; i++) {
        await store.saveComplianceState(second, { at: NOW, from: 'compliant', to: 'noncompliant', reasons: [String(i)] });
      }
      const kept = await store.listComplianceTransitions(deviceId, 1000);
      expect(kept).toHaveLength(TRANSITIONS_PER_DEVICE);
      expect(kept[0]?.reasons).toEqual([String(TRANSITIONS_PER_DEVICE + 4)]);
      expect(kept.at(-1)?.reasons).toEqual(['5']); // exactly the newest ones
      expect((await store.listComplianceStates()).map((s) => s.deviceId)).toEqual([deviceId]);
    });

    it('lists the devices due for re-evaluation', async () => {
      const other = (await enroll()).deviceId;
      await store.saveComplianceState(state(NOW, '2025-01-10T13:00:00.000Z'));
      await store.saveComplianceState({ ...state(NOW, null), deviceId: other });
      expect(await store.deviceIdsDueForEvaluation('2025-01-10T12:59:59.999Z')).toEqual([]);
      expect(await store.deviceIdsDueForEvaluation('2025-01-10T13:00:00.000Z')).toEqual([deviceId]);
    });
  });

  describe('access tokens', () => {
    it('stores hashes and revokes once', async () => {
      const tokenId = randomUUID();
      await store.createAccessToken({ tokenId, tokenHash: 'h1', description: 'gateway', createdAt: NOW, revokedAt: null });
      expect(await store.listAccessTokens()).toEqual([{ tokenId, tokenHash: 'h1', description: 'gateway', createdAt: NOW, revokedAt: null }]);
      expect(await store.revokeAccessToken(tokenId, NOW)).toBe(true);
      expect(await store.revokeAccessToken(tokenId, NOW)).toBe(false);
      expect(await store.revokeAccessToken(randomUUID(), NOW)).toBe(false);
      expect((await store.listAccessTokens())[0]?.revokedAt).toBe(NOW);
    });
  });

  it.runIf(engineName === 'sqlite')('migrates a database of the previous schema, keeping its devices (no signals, no state yet)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attache-old-'));
    const file = join(dir, 'old.sqlite');
    await oldSqliteWithDevice(file, '0004-device-os-type', { platform: 'linux', osVersion: '6.8' }, NOW);
    const migrated = await openSqliteStore({ file });
    try {
      expect(await migrated.getDevice('d0')).toMatchObject({ hostname: 'srv' });
      expect(await migrated.getComplianceState('d0')).toBeUndefined();
      expect((await migrated.getSignals('d0')).health).toBeNull();
      expect(await migrated.listAlerts('d0')).toEqual([]);
    } finally {
      await migrated.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
