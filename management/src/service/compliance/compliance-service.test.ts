// Tests of ComplianceService on a real SQLite store with a manual clock: evaluations of one device never interleave,
// the timer path re-evaluates exactly the devices that are due, reported setting conflicts reach the evaluation, and
// decisions are served from memory.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../common/testing/manual-clock.js';
import type { ComplianceSettings, ExposureLevel, StatusReport } from '../../../../policy-schemas/src/index.js';
import { createSilentLogger } from '../../logging.js';
import { openSqliteStore } from '../../store/sqlite-store.js';
import type { ManagementStore } from '../../store/store.js';
import { assignCompliancePolicy } from '../../store/testing/store-fixtures.js';
import { exposureOf, softwareOf } from '../../store/testing/vulnerability-fixtures.js';
import { ComplianceService, storedExposure } from './compliance-service.js';
import { startComplianceTimer } from './compliance-timer.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-01-10T12:00:00.000Z');

let dir: string;
let store: ManagementStore;
let now = T0;
const clock = { now: () => now };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-compliance-'));
  store = await openSqliteStore({ file: join(dir, 'db.sqlite') });
  now = T0;
  await store.createEnrollmentToken({ tokenHash: 't', createdAt: new Date(T0).toISOString(), expiresAt: '2030-01-01T00:00:00.000Z', maxUses: 100 });
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function device(): Promise<string> {
  const d = await store.enrollDevice({
    tokenHash: 't',
    now: new Date(now).toISOString(),
    deviceId: randomUUID(),
    publicKey: Buffer.alloc(32, 1).toString('base64'),
    facts: { hostname: 'h', platform: 'linux', osVersion: '6.8', arch: 'x64', agentVersion: '1.0.0' },
  });
  return d.deviceId;
}

function assign(deviceIds: string[], settings: ComplianceSettings): Promise<void> {
  return assignCompliancePolicy(store, deviceIds, settings, new Date(now).toISOString());
}

/** Stores a health upload received at T0 with real-time protection and the firewall on or off. */
async function reportHealth(deviceId: string, on: { realTimeProtection: boolean; firewall: boolean }): Promise<void> {
  const at = new Date(T0).toISOString();
  await store.recordHealth(
    deviceId,
    {
      collectedAt: at,
      antivirus: { source: 'simulated', mode: 'active', realTimeProtection: on.realTimeProtection, tamperProtection: true },
      firewall: { source: 'simulated', enabled: on.firewall },
    },
    at,
  );
}

/** An empty status report of the device (settings filled in by the caller). */
function statusReport(deviceId: string, at: string): StatusReport {
  return { reportId: randomUUID(), deviceId, generatedAt: at, agentVersion: '1.0.0', trigger: 'push', durationMs: 1, policies: [], settings: [] };
}

/** Stores the device's software and computed exposure as the vulnerability service does (after an advisory import). */
async function saveExposure(deviceId: string, level: ExposureLevel, score: number): Promise<boolean> {
  const at = new Date(now).toISOString();
  if ((await store.lastImportAt()) === null) await store.writeAdvisories([], [], at);
  await store.recordSoftware({ ...softwareOf(deviceId, [], at, String(score % 10)), receivedAt: at });
  return store.saveExposure(exposureOf(deviceId, score, level, [], at), []);
}

describe('ComplianceService', () => {
  it('evaluates a device enrolled just now from its record and policies as a full evaluation would', async () => {
    const [enrolledNow, reference] = [await device(), await device()];
    await assign([enrolledNow, reference], { minAgentVersion: '2.0.0' });
    const service = new ComplianceService({}, { store, clock, logger: createSilentLogger() });
    const record = await store.getDevice(enrolledNow);
    if (!record) throw new Error('device missing');
    const fast = await service.evaluateEnrolled(record);
    const full = await service.evaluate(reference, 'enrollment');
    expect(fast).toEqual({ ...full, deviceId: enrolledNow });
    expect(fast?.state).toBe('noncompliant');
    expect(await store.getComplianceState(enrolledNow)).toEqual(fast);
    expect(service.decision(enrolledNow)).toMatchObject({ deviceId: enrolledNow, decision: 'block' });
    expect(await store.listComplianceTransitions(enrolledNow, 10)).toEqual([
      { at: new Date(T0).toISOString(), from: null, to: 'noncompliant', reasons: [expect.any(String)] },
    ]);
  });

  it('runs evaluations of one device one after another: concurrent calls record one transition', async () => {
    const id = await device();
    const service = new ComplianceService({}, { store, clock, logger: createSilentLogger() });
    expect(service.decision(id)).toBeUndefined();
    await Promise.all(Array.from({ length: 5 }, () => service.evaluate(id, 'admin')));
    expect(await store.listComplianceTransitions(id, 10)).toEqual([
      { at: new Date(T0).toISOString(), from: null, to: 'compliant', reasons: [expect.any(String)] },
    ]);
    expect(service.decision(id)).toMatchObject({ deviceId: id, decision: 'allow' });
    expect(JSON.parse(service.decisionJson(id) ?? '')).toEqual(service.decision(id));
  });

  it('the timer re-evaluates only devices that are due, at the injected time', async () => {
    const quiet = await device();
    const other = await device();
    await assign([quiet], { maxHoursSinceCheckin: 4 });
    const service = new ComplianceService({}, { store, clock, logger: createSilentLogger() });
    expect(await service.evaluateAll()).toBe(2);
    const ticker = new ManualClock(T0);
    const ticks: number[] = [];
    const stop = startComplianceTimer(service, { intervalMs: 1000 }, { clock: ticker, logger: createSilentLogger(), onTick: (n) => ticks.push(n) });
    expect(ticker.intervals()).toEqual([1000]);

    now = T0 + 4 * HOUR;
    await ticker.tick();
    expect(service.decision(quiet)?.decision).toBe('allow');
    now = T0 + 4 * HOUR + 1;
    await ticker.tick();
    expect(service.decision(quiet)).toMatchObject({ decision: 'block', complianceState: 'noncompliant' });
    expect(service.decision(other)?.evaluatedAt).toBe(new Date(T0).toISOString());
    expect(ticks).toEqual([0, 1]);
    await stop();
    expect(ticker.intervals()).toEqual([]);
  });

  it('re-evaluates on check-in only a device that failed for not checking in', async () => {
    const quiet = await device();
    await assign([quiet], { maxHoursSinceCheckin: 1 });
    const service = new ComplianceService({}, { store, clock, logger: createSilentLogger() });
    await service.evaluate(quiet, 'admin');
    await service.onCheckin(quiet);
    expect(service.decision(quiet)?.evaluatedAt).toBe(new Date(T0).toISOString());
    now = T0 + 2 * HOUR;
    await service.evaluateDue();
    expect(service.decision(quiet)?.decision).toBe('block');
    await store.touchDevice(quiet, new Date(now).toISOString());
    await service.onCheckin(quiet);
    expect(service.decision(quiet)).toMatchObject({ decision: 'allow', evaluatedAt: new Date(now).toISOString() });
  });

  it('a setting reported in conflict behind a failing check makes the device conflict (blocked); a report ending it re-evaluates', async () => {
    const id = await device();
    await assign([id], { requireRealTimeProtection: true });
    const at = new Date(T0).toISOString();
    await reportHealth(id, { realTimeProtection: false, firewall: true });
    const service = new ComplianceService({}, { store, clock, logger: createSilentLogger() });
    await service.evaluate(id, 'health');
    expect(service.decision(id)).toMatchObject({ decision: 'block', complianceState: 'noncompliant' });

    const rtp = { settingId: 'defender.AllowRealtimeMonitoring', kind: 'antivirus' as const, policyIds: [randomUUID()], desired: 1, observed: 0 };
    const report = (setting: Record<string, unknown>) => ({ ...statusReport(id, at), settings: [{ ...rtp, ...setting }] as StatusReport['settings'] });
    const overridden = report({ state: 'conflict', code: 'SETTING_OVERRIDDEN', message: "Group Policy 'Workstations' sets this setting and wins" });
    await store.recordReport(overridden, at);
    now = T0 + 1;
    await service.onReport(id, overridden.settings);
    expect(service.decision(id)).toMatchObject({ decision: 'block', complianceState: 'conflict' });
    expect(service.decision(id)?.reasons[0]).toContain("Group Policy 'Workstations'");

    // The GPO goes: the next report ends the conflict and re-evaluates (the device is still off: noncompliant).
    const notEnforced = report({ state: 'error', code: 'SETTING_NOT_ENFORCED' });
    await store.recordReport(notEnforced, at);
    now = T0 + 2;
    await service.onReport(id, notEnforced.settings);
    expect(service.decision(id)).toMatchObject({ complianceState: 'noncompliant', evaluatedAt: new Date(T0 + 2).toISOString() });
    // A report that neither reports nor ends a conflict is no input: not evaluated again.
    now = T0 + 3;
    await service.onReport(id, notEnforced.settings);
    expect(service.decision(id)?.evaluatedAt).toBe(new Date(T0 + 2).toISOString());
  });

  it('re-evaluates only when the reported conflicts change, and never when no assigned policy rests on reported status', async () => {
    const [watched, unwatched] = [await device(), await device()];
    await assign([watched], { requireFirewall: true });
    await assign([unwatched], { maxRiskLevel: 'high' });
    await reportHealth(watched, { realTimeProtection: true, firewall: false });
    const service = new ComplianceService({}, { store, clock, logger: createSilentLogger() });
    await service.evaluateAll('startup');
    const at = new Date(T0).toISOString();
    const gpo = { code: 'SETTING_OVERRIDDEN', message: "Group Policy 'Domain firewall' sets this setting and wins" };
    const firewall = {
      settingId: 'firewall.domainProfile.EnableFirewall',
      kind: 'firewall' as const,
      policyIds: [randomUUID()],
      desired: true,
      observed: false,
    };
    const send = async (deviceId: string, settings: Record<string, unknown>[], t: number) => {
      const r = { ...statusReport(deviceId, at), settings: settings as StatusReport['settings'] };
      await store.recordReport(r, at);
      now = t;
      await service.onReport(deviceId, r.settings);
    };
    const evaluatedAt = (id: string) => service.decision(id)?.evaluatedAt;

    await send(watched, [{ ...firewall, state: 'conflict', ...gpo }], T0 + 1);
    expect(service.decision(watched)).toMatchObject({ complianceState: 'conflict', evaluatedAt: new Date(T0 + 1).toISOString() });
    // The same conflict again (every report of a GPO-managed device): no evaluation.
    await send(watched, [{ ...firewall, state: 'conflict', ...gpo }], T0 + 2);
    expect(evaluatedAt(watched)).toBe(new Date(T0 + 1).toISOString());
    // Another winner is another input.
    await send(watched, [{ ...firewall, state: 'conflict', code: 'SETTING_CONFLICT', message: 'two assigned policies disagree' }], T0 + 3);
    expect(evaluatedAt(watched)).toBe(new Date(T0 + 3).toISOString());
    // No compliance policy of this device reads setting status: its conflicts are no input.
    await send(unwatched, [{ ...firewall, state: 'conflict', ...gpo }], T0 + 4);
    expect(evaluatedAt(unwatched)).toBe(new Date(T0).toISOString());

    // A decision reloaded from the store (another replica evaluated it) is evaluated once, then remembered.
    await service.reload([watched]);
    await send(watched, [{ ...firewall, state: 'conflict', code: 'SETTING_CONFLICT', message: 'two assigned policies disagree' }], T0 + 5);
    expect(evaluatedAt(watched)).toBe(new Date(T0 + 5).toISOString());
    await send(watched, [{ ...firewall, state: 'conflict', code: 'SETTING_CONFLICT', message: 'two assigned policies disagree' }], T0 + 6);
    expect(evaluatedAt(watched)).toBe(new Date(T0 + 5).toISOString());
  });

  it('a corrupt stored status row does not stop the evaluation: the device is still evaluated, and still blocked', async () => {
    const id = await device();
    await assign([id], { requireFirewall: true });
    await reportHealth(id, { realTimeProtection: true, firewall: false });
    const raw = new BetterSqlite3(join(dir, 'db.sqlite'));
    raw.prepare('UPDATE devices SET last_sync_error = ? WHERE device_id = ?').run('{"x":', id);
    raw.close();
    const service = new ComplianceService({}, { store, clock, logger: createSilentLogger() });
    await service.evaluate(id, 'health');
    expect(service.decision(id)).toMatchObject({ decision: 'block', complianceState: 'noncompliant' });
  });

  it('evaluates every other device at start-up when one device has a corrupt stored row', async () => {
    const broken = await device();
    const fine = await device();
    const raw = new BetterSqlite3(join(dir, 'db.sqlite'));
    raw.prepare('INSERT INTO device_signals (device_id, health, health_collected_at, health_received_at) VALUES (?, ?, ?, ?)').run(broken, '{"x":', 'a', 'b');
    raw.close();
    const service = new ComplianceService({}, { store, clock, logger: createSilentLogger() });
    expect(await service.evaluateAll('startup')).toBe(2);
    expect(service.decision(fine)?.decision).toBe('allow');
    expect(service.decision(broken)).toBeUndefined();
  });

  it('reads the exposure only for a policy with a maximum exposure level, and moves with it after a recompute', async () => {
    const [exposed, other] = [await device(), await device()];
    await assign([exposed], { maxVulnerabilityExposureLevel: 'low' });
    await assign([other], { minAgentVersion: '1.0.0' });
    const asked: string[] = [];
    const read = storedExposure(store);
    const exposureRead = (id: string) => {
      asked.push(id);
      return read(id);
    };
    const service = new ComplianceService({}, { store, clock, logger: createSilentLogger(), exposureOf: exposureRead });
    expect((await service.evaluate(exposed, 'admin'))?.state).toBe('unknown');
    await service.evaluate(other, 'admin');
    expect(asked).toEqual([exposed]);
    await saveExposure(exposed, 'high', 70);
    const high = await service.evaluate(exposed, 'vulnerabilities');
    expect(high?.state).toBe('noncompliant');
    expect(high?.reasons[0]).toMatchObject({ setting: 'maxVulnerabilityExposureLevel', expected: 'low', observed: 'high' });
    expect(service.decision(exposed)?.decision).toBe('block');
    await saveExposure(exposed, 'low', 3);
    now = T0 + HOUR;
    await service.onExposure([exposed, other]);
    expect(service.decision(exposed)).toMatchObject({ decision: 'allow', evaluatedAt: new Date(now).toISOString() });
    // The other device's policies do not rest on its exposure: a recompute of it evaluates nothing.
    expect(service.decision(other)?.evaluatedAt).toBe(new Date(T0).toISOString());
    expect(asked).toEqual([exposed, exposed, exposed]);
  });
});
