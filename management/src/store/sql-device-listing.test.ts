// Contract tests of the console's device listing and dashboard on both engines: filters, scope, literal search,
// keyset pages that neither skip nor repeat a device when others are enrolled meanwhile, and the aggregate counts.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DeviceFacts, StatusReport } from '../../../policy-schemas/src/index.js';
import type { DeviceQuery } from './device-query.js';
import { containsPattern } from './sql-device-listing.js';
import type { ManagementStore } from './store.js';
import { freshStorePerTest, STORE_ENGINES } from './testing/store-engines.js';
import { storedPolicy, TEST_FACTS, TEST_PUBLIC_KEY } from './testing/store-fixtures.js';

const NOW = '2025-01-10T12:00:00.000Z';
const ALL: DeviceQuery = { sort: 'hostname', order: 'asc', limit: 100 };

async function enroll(store: ManagementStore, facts: Partial<DeviceFacts>, tags: string[] = []): Promise<string> {
  const tokenHash = randomUUID();
  await store.createEnrollmentToken({ tokenHash, createdAt: NOW, expiresAt: '2025-01-11T12:00:00.000Z', maxUses: 1, tags });
  const device = await store.enrollDevice({ tokenHash, now: NOW, deviceId: randomUUID(), publicKey: TEST_PUBLIC_KEY, facts: { ...TEST_FACTS, ...facts } });
  return device.deviceId;
}

function policyReport(deviceId: string, policyId: string, version: number, state: 'succeeded' | 'error' | 'conflict'): StatusReport {
  return {
    reportId: randomUUID(),
    deviceId,
    generatedAt: '2025-01-10T12:05:00.000Z',
    agentVersion: '0.1.1',
    trigger: 'push',
    durationMs: 5,
    policies: [{ policyId, version, name: 'p', kind: 'antivirus', state }],
    settings: [],
  };
}

const hostnames = (devices: readonly { hostname: string }[]): string[] => devices.map((d) => d.hostname);

describe.each(STORE_ENGINES)('device listing on %s', (engineName) => {
  let store: ManagementStore;
  freshStorePerTest(engineName, (s) => {
    store = s;
  });

  it('filters by platform, compliance state, risk level and search, counting all matches', async () => {
    const a = await enroll(store, { hostname: 'Alpha-01', platform: 'windows' }, ['finance']);
    const b = await enroll(store, { hostname: 'beta-02', platform: 'linux' });
    await enroll(store, { hostname: 'gamma_03', platform: 'macos' });
    const evaluated = { reasons: [], policies: [], evaluatedAt: NOW, evidenceAt: null, nextEvaluationAt: null };
    await store.saveComplianceState({ deviceId: a, state: 'noncompliant', riskLevel: 'high', ...evaluated });
    await store.saveComplianceState({ deviceId: b, state: 'compliant', riskLevel: 'low', ...evaluated });

    expect(hostnames((await store.queryDevices(ALL)).devices)).toEqual(['Alpha-01', 'beta-02', 'gamma_03']);
    expect(hostnames((await store.queryDevices({ ...ALL, platform: 'linux' })).devices)).toEqual(['beta-02']);
    expect(hostnames((await store.queryDevices({ ...ALL, complianceState: 'unknown' })).devices)).toEqual(['gamma_03']);
    expect(hostnames((await store.queryDevices({ ...ALL, riskLevel: 'high' })).devices)).toEqual(['Alpha-01']);
    expect(hostnames((await store.queryDevices({ ...ALL, search: 'ALPHA' })).devices)).toEqual(['Alpha-01']);
    expect(hostnames((await store.queryDevices({ ...ALL, search: 'financ' })).devices)).toEqual(['Alpha-01']);
    expect(hostnames((await store.queryDevices({ ...ALL, search: b.slice(0, 8).toUpperCase() })).devices)).toEqual(['beta-02']);
    // LIKE wildcards match themselves only: `_` is not "any character", `%` not "anything".
    expect(hostnames((await store.queryDevices({ ...ALL, search: 'a_0' })).devices)).toEqual(['gamma_03']);
    expect((await store.queryDevices({ ...ALL, search: '%' })).total).toBe(0);
    // The tags' JSON syntax is not searchable: a device with two tags does not match `","`.
    await store.setDeviceTags(b, ['one', 'two']);
    expect((await store.queryDevices({ ...ALL, search: '","' })).total).toBe(0);
    expect(hostnames((await store.queryDevices({ ...ALL, search: 'TWO' })).devices)).toEqual(['beta-02']);
    const page = await store.queryDevices({ ...ALL, complianceState: 'compliant' });
    expect(page).toMatchObject({ total: 1, nextKey: null });
    expect(page.devices[0]).toMatchObject({ hostname: 'beta-02', complianceState: 'compliant', riskLevel: 'low', policyStatus: 'none' });
  });

  it('sorts by compliance state and risk level by severity, both orders', async () => {
    const ids = [await enroll(store, { hostname: 'h1' }), await enroll(store, { hostname: 'h2' }), await enroll(store, { hostname: 'h3' })];
    const evaluated = { reasons: [], policies: [], evaluatedAt: NOW, evidenceAt: null, nextEvaluationAt: null };
    await store.saveComplianceState({ deviceId: ids[0] as string, state: 'noncompliant', riskLevel: 'medium', ...evaluated });
    await store.saveComplianceState({ deviceId: ids[1] as string, state: 'compliant', riskLevel: 'high', ...evaluated });
    expect(hostnames((await store.queryDevices({ ...ALL, sort: 'complianceState' })).devices)).toEqual(['h2', 'h1', 'h3']);
    expect(hostnames((await store.queryDevices({ ...ALL, sort: 'riskLevel', order: 'desc' })).devices)).toEqual(['h2', 'h1', 'h3']);
  });

  it("filters and sorts by Intune's conflict and error states, and counts them", async () => {
    const names = ['c-unknown', 'c-error', 'c-noncompliant', 'c-conflict', 'c-compliant', 'c-grace'];
    const ids = new Map<string, string>();
    for (const name of names) ids.set(name, await enroll(store, { hostname: name }));
    const evaluated = { reasons: [], policies: [], evaluatedAt: NOW, evidenceAt: null, nextEvaluationAt: null };
    for (const state of ['error', 'noncompliant', 'conflict', 'compliant', 'inGracePeriod'] as const) {
      const name = state === 'inGracePeriod' ? 'c-grace' : `c-${state}`;
      await store.saveComplianceState({ deviceId: ids.get(name) as string, state, riskLevel: 'none', ...evaluated });
    }
    expect(hostnames((await store.queryDevices({ ...ALL, complianceState: 'conflict' })).devices)).toEqual(['c-conflict']);
    expect(hostnames((await store.queryDevices({ ...ALL, complianceState: 'error' })).devices)).toEqual(['c-error']);
    const bySeverity = ['c-compliant', 'c-grace', 'c-conflict', 'c-noncompliant', 'c-error', 'c-unknown'];
    expect(hostnames((await store.queryDevices({ ...ALL, sort: 'complianceState' })).devices)).toEqual(bySeverity);
    expect(hostnames((await store.queryDevices({ ...ALL, sort: 'complianceState', order: 'desc' })).devices)).toEqual([...bySeverity].reverse());
    const counts = await store.deviceDashboard({ connected: { here: [] }, hourAgo: NOW, dayAgo: NOW, weekAgo: NOW });
    expect(counts.complianceState).toEqual({ compliant: 1, inGracePeriod: 1, conflict: 1, noncompliant: 1, error: 1, unknown: 1 });
  });

  it('pages by keyset: no device skipped or repeated while devices are enrolled between pages', async () => {
    for (let i = 0; i < 25; i++) await enroll(store, { hostname: `host-${String(i).padStart(2, '0')}` });
    const seen: string[] = [];
    let after: DeviceQuery['after'];
    let pages = 0;
    do {
      const page = await store.queryDevices({ ...ALL, sort: 'hostname', order: 'desc', limit: 10, after });
      seen.push(...hostnames(page.devices));
      after = page.nextKey ?? undefined;
      // Concurrent enrollments: one sorting before the position (never seen), one after it (seen once).
      if (pages++ === 0) await enroll(store, { hostname: 'host-99' });
      if (pages === 1) await enroll(store, { hostname: 'host-00a' });
    } while (after);
    const expected = [...Array.from({ length: 25 }, (_, i) => `host-${String(i).padStart(2, '0')}`), 'host-00a'].sort().reverse();
    expect(seen).toEqual(expected);
    expect(pages).toBe(3);
  });

  it('keeps to the scope groups: an empty scope sees nothing, null sees all', async () => {
    const a = await enroll(store, { hostname: 'in-scope' });
    await enroll(store, { hostname: 'outside' });
    await store.createGroup({ groupId: 'g-scope', name: 'scope', createdAt: NOW });
    await store.addGroupMember('g-scope', a, NOW);
    expect(hostnames((await store.queryDevices({ ...ALL, scopeGroupIds: ['g-scope'] })).devices)).toEqual(['in-scope']);
    expect((await store.queryDevices({ ...ALL, scopeGroupIds: [] })).total).toBe(0);
    expect((await store.queryDevices({ ...ALL, scopeGroupIds: null })).total).toBe(2);
    const counts = await store.deviceDashboard({ scopeGroupIds: ['g-scope'], connected: { here: [] }, hourAgo: NOW, dayAgo: NOW, weekAgo: NOW });
    expect(counts.total).toBe(1);
  });

  it('derives the policy state from assignments and reports: pending until the latest version, worst state wins', async () => {
    const a = await enroll(store, { hostname: 'a' });
    const b = await enroll(store, { hostname: 'b' });
    const c = await enroll(store, { hostname: 'c' });
    const excluded = await enroll(store, { hostname: 'excluded' });
    const [p1, p2] = [randomUUID(), randomUUID()];
    await store.createPolicy(storedPolicy(p1, 1, NOW));
    await store.createPolicy(storedPolicy(p2, 1, NOW));
    await store.addPolicyVersion(storedPolicy(p2, 2, NOW));
    await store.createGroup({ groupId: 'g-all', name: 'all', createdAt: NOW });
    await store.createGroup({ groupId: 'g-ex', name: 'ex', createdAt: NOW });
    for (const id of [a, b, c, excluded]) await store.addGroupMember('g-all', id, NOW);
    await store.addGroupMember('g-ex', excluded, NOW);
    for (const policyId of [p1, p2]) await store.createAssignment({ assignmentId: randomUUID(), policyId, groupId: 'g-all', mode: 'include', createdAt: NOW });
    await store.createAssignment({ assignmentId: randomUUID(), policyId: p1, groupId: 'g-ex', mode: 'exclude', createdAt: NOW });
    // Device a gets p2 through a second group too: still one device, one state.
    await store.createGroup({ groupId: 'g-dup', name: 'dup', createdAt: NOW });
    await store.addGroupMember('g-dup', a, NOW);
    await store.createAssignment({ assignmentId: randomUUID(), policyId: p2, groupId: 'g-dup', mode: 'include', createdAt: NOW });

    const both = (d: string, s1: 'succeeded' | 'error', v2: number, s2: 'succeeded' | 'conflict'): StatusReport => ({
      ...policyReport(d, p1, 1, s1),
      policies: [...policyReport(d, p1, 1, s1).policies, ...policyReport(d, p2, v2, s2).policies],
    });
    await store.recordReport(both(a, 'succeeded', 2, 'succeeded'), NOW);
    await store.recordReport(both(b, 'succeeded', 1, 'succeeded'), NOW); // p2 at an old version: pending
    await store.recordReport(both(c, 'error', 2, 'conflict'), NOW);
    await store.recordReport(policyReport(excluded, p2, 2, 'succeeded'), NOW); // p1 excluded: only p2 counts

    const states = Object.fromEntries((await store.queryDevices(ALL)).devices.map((d) => [d.hostname, d.policyStatus]));
    expect(states).toEqual({ a: 'succeeded', b: 'pending', c: 'error', excluded: 'succeeded' });
    await enroll(store, { hostname: 'unassigned' });
    const listed = (await store.queryDevices(ALL)).devices;
    expect(Object.fromEntries(listed.map((d) => [d.hostname, d.policyStatus]))).toEqual({ ...states, unassigned: 'none' });
    // The filter and the dashboard use the set-based form: they agree with the per-row form on every state.
    for (const state of ['succeeded', 'pending', 'error', 'none', 'conflict'] as const) {
      const expected = listed.filter((d) => d.policyStatus === state).map((d) => d.hostname);
      expect(hostnames((await store.queryDevices({ ...ALL, policyStatus: state })).devices)).toEqual(expected);
    }
    const counts = await store.deviceDashboard({ connected: { here: [] }, hourAgo: NOW, dayAgo: NOW, weekAgo: NOW });
    expect(counts.policyStatus).toEqual({ succeeded: 2, pending: 1, error: 1, none: 1 });
  });

  it('drills down from a policy setting to its devices in one state, paged by device id', async () => {
    const policyId = randomUUID();
    await store.createPolicy(storedPolicy(policyId, 1, NOW));
    await store.createGroup({ groupId: 'g', name: 'g', createdAt: NOW });
    await store.createAssignment({ assignmentId: randomUUID(), policyId, groupId: 'g', mode: 'include', createdAt: NOW });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await enroll(store, { hostname: `d${i}` });
      ids.push(id);
      await store.addGroupMember('g', id, NOW);
    }
    const setting = (state: 'succeeded' | 'error', policyIds: string[]): StatusReport['settings'][number] => ({
      settingId: 'defender.AllowRealtimeMonitoring',
      kind: 'antivirus',
      state,
      policyIds,
      desired: 1,
      observed: 1,
      ...(state === 'error' ? { code: 'SETTING_NOT_ENFORCED', message: 'read back 0' } : {}),
    });
    const [d0, d1, d2, d3, d4] = ids as [string, string, string, string, string];
    for (const d of [d0, d1]) await store.recordReport({ ...policyReport(d, policyId, 1, 'succeeded'), settings: [setting('succeeded', [policyId])] }, NOW);
    await store.recordReport({ ...policyReport(d2, policyId, 1, 'error'), settings: [setting('error', [policyId])] }, NOW);
    // The setting row names another policy only: pending for this one.
    await store.recordReport({ ...policyReport(d3, policyId, 1, 'succeeded'), settings: [setting('succeeded', ['other'])] }, NOW);
    await store.revokeDevice(d4);
    const base = { policyId, latestVersion: 1, settingId: 'defender.AllowRealtimeMonitoring', limit: 1 };
    const first = await store.policySettingDevices({ ...base, state: 'succeeded' });
    expect(first.total).toBe(2);
    const second = await store.policySettingDevices({ ...base, state: 'succeeded', afterDeviceId: first.nextDeviceId ?? undefined });
    expect([...first.devices, ...second.devices].map((d) => d.deviceId)).toEqual([d0, d1].sort());
    expect(second.nextDeviceId).toBeNull();
    const errors = await store.policySettingDevices({ ...base, state: 'error', limit: 10 });
    expect(errors.devices.map((d) => [d.hostname, d.code])).toEqual([['d2', 'SETTING_NOT_ENFORCED']]);
    expect(first.devices[0]?.code).toBeNull();
    expect((await store.policySettingDevices({ ...base, state: 'pending', limit: 10 })).devices.map((d) => [d.hostname, d.code])).toEqual([['d3', null]]);
    expect((await store.policySettingDevices({ ...base, state: 'error', limit: 10, scopeGroupIds: [] })).total).toBe(0);
  });

  it('counts the dashboard by every dimension, revoked devices in totals only, connected from the given ids', async () => {
    const recent = await enroll(store, { hostname: 'recent', platform: 'linux' });
    const today = await enroll(store, { hostname: 'today' });
    const old = await enroll(store, { hostname: 'old' });
    const gone = await enroll(store, { hostname: 'gone' });
    await enroll(store, { hostname: 'never', platform: 'macos' });
    await store.touchDevice(recent, '2025-01-10T11:30:00.000Z');
    await store.touchDevice(today, '2025-01-10T01:00:00.000Z');
    await store.touchDevice(old, '2024-12-01T00:00:00.000Z');
    await store.revokeDevice(gone);
    const evaluated = { reasons: [], policies: [], evaluatedAt: NOW, evidenceAt: null, nextEvaluationAt: null };
    await store.saveComplianceState({ deviceId: recent, state: 'compliant', riskLevel: 'none', ...evaluated });
    await store.saveComplianceState({ deviceId: old, state: 'noncompliant', riskLevel: 'high', ...evaluated });
    const counts = await store.deviceDashboard({
      connected: { here: [recent, 'not-a-device'] },
      hourAgo: '2025-01-10T11:00:00.000Z',
      dayAgo: '2025-01-09T12:00:00.000Z',
      weekAgo: '2025-01-03T12:00:00.000Z',
    });
    expect(counts).toEqual({
      total: 5,
      revoked: 1,
      connected: 1,
      complianceState: { compliant: 1, noncompliant: 1, unknown: 2 },
      riskLevel: { none: 3, high: 1 },
      platform: { linux: 1, windows: 2, macos: 1 },
      lastCheckIn: { lastHour: 1, lastDay: 1, older: 1, never: 1 },
      policyStatus: { none: 4 },
    });
    const connected = await store.queryDevices({ ...ALL, connected: { value: true, devices: { here: [recent] } } });
    expect(hostnames(connected.devices)).toEqual(['recent']);
    expect((await store.queryDevices({ ...ALL, connected: { value: false, devices: { here: [recent] } } })).total).toBe(4);
  });

  it('counts a device connected to another live replica (push_presence) as connected', async () => {
    const here = await enroll(store, { hostname: 'here' });
    const there = await enroll(store, { hostname: 'there' });
    await enroll(store, { hostname: 'nowhere' });
    await store.syncPresence('r2', [there], []);
    const devices = { here: [here], elsewhere: { except: 'r1', aliveMs: 60_000 } };
    expect(hostnames((await store.queryDevices({ ...ALL, connected: { value: true, devices } })).devices)).toEqual(['here', 'there']);
    expect(hostnames((await store.queryDevices({ ...ALL, connected: { value: false, devices } })).devices)).toEqual(['nowhere']);
    // Its own rows are this replica's to know (the hub): the presence of replica r2 seen from r2 is not "elsewhere".
    const fromR2 = { here: [], elsewhere: { except: 'r2', aliveMs: 60_000 } };
    expect((await store.queryDevices({ ...ALL, connected: { value: true, devices: fromR2 } })).total).toBe(0);
    const counts = await store.deviceDashboard({ connected: devices, hourAgo: NOW, dayAgo: NOW, weekAgo: NOW });
    expect(counts.connected).toBe(2);
  });
});

describe('containsPattern', () => {
  it('escapes LIKE wildcards and the escape character, lower-cases the term', () => {
    expect(containsPattern('A%b_c\\d')).toBe('%a\\%b\\_c\\\\d%');
  });
});
