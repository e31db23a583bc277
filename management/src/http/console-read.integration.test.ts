// Integration test of the console's read API over HTTPS: the device list keeps its old answer without a query and pages
// with one; bad queries get 400 QUERY_INVALID naming the parameter; dashboard, catalog and the per-setting drill-down.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import { Dashboard, Device, DevicePage, PolicySettingDevices, type PolicySummary, SettingsCatalog } from '../../../policy-schemas/src/index.js';
import { errorCode, type TestResponse } from '../testing/https-client.js';
import { TestPushClient } from '../testing/push-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

const messageOf = (res: TestResponse): string | undefined => (res.body as { error?: { message?: string } } | null)?.error?.message;

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t.close();
});

describe('console read API', () => {
  it('answers GET /devices without a query exactly as before, and pages with one', async () => {
    const prefix = `pg-${randomUUID().slice(0, 6)}`;
    for (let i = 0; i < 5; i++) await t.enrolledDevice({ facts: { hostname: `${prefix}-${i}`, platform: i < 3 ? 'linux' : 'windows', osVersion: '6.8' } });
    const old = await t.admin.ok<{ devices: unknown[]; problems: unknown[] }>('GET', '/devices');
    expect(Object.keys(old).sort()).toEqual(['devices', 'problems']);
    for (const d of old.devices) validate(Device, d, 'device');

    const seen: string[] = [];
    let cursor: string | null = '';
    do {
      const page: DevicePage = validate(
        DevicePage,
        await t.admin.ok('GET', `/devices?search=${prefix}&platform=linux&sort=hostname&order=desc&limit=2&cursor=${cursor}`),
        'page',
      );
      expect(page.total).toBe(3);
      seen.push(...page.devices.map((d) => d.hostname));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([`${prefix}-2`, `${prefix}-1`, `${prefix}-0`]);
  });

  it('filters by connected: a device with an open push channel', async () => {
    const device = await t.enrolledDevice({ facts: { hostname: `conn-${randomUUID().slice(0, 6)}` } });
    const client = await TestPushClient.open(t.endpoint.url, t.ca, device);
    try {
      expect(await client.next()).toMatchObject({ type: 'hello' });
      const page: DevicePage = validate(DevicePage, await t.admin.ok('GET', '/devices?connected=true'), 'page');
      expect(page.devices.map((d) => d.deviceId)).toEqual([device.deviceId]);
      expect(page.devices[0]?.connected).toBe(true);
      const dashboard = validate(Dashboard, await t.admin.ok('GET', '/dashboard'), 'dashboard');
      expect(dashboard.totals.connected).toBe(1);
    } finally {
      client.close();
    }
  });

  it.each([
    ['sort=name', 'sort'],
    ['order=up', 'order'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['platform=beos', 'platform'],
    ['cursor=not-a-cursor', 'cursor'],
    ['colour=red', 'colour'],
    ['sort=hostname&sort=lastSeenAt', 'sort'],
  ])('refuses ?%s with 400 QUERY_INVALID naming %s', async (query, name) => {
    const res = await t.admin.call('GET', `/devices?${query}`);
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('QUERY_INVALID');
    expect(messageOf(res)).toContain(name);
  });

  it('refuses a cursor issued for another sort', async () => {
    await t.enrolledDevice();
    await t.enrolledDevice();
    const page = validate(DevicePage, await t.admin.ok('GET', '/devices?limit=1'), 'page');
    const res = await t.admin.call('GET', `/devices?limit=1&sort=enrolledAt&cursor=${page.nextCursor}`);
    expect(res.status).toBe(400);
    expect(messageOf(res)).toMatch(/cursor was issued for sort=hostname/);
  });

  it('counts the dashboard over every device', async () => {
    const all = await t.admin.ok<{ devices: unknown[] }>('GET', '/devices');
    const dashboard = validate(Dashboard, await t.admin.ok('GET', '/dashboard'), 'dashboard');
    expect(dashboard.totals.devices).toBe(all.devices.length);
    expect(Object.values(dashboard.complianceState).reduce((a, b) => a + b, 0)).toBe(dashboard.totals.active);
    expect(Object.values(dashboard.lastCheckIn).reduce((a, b) => a + b, 0)).toBe(dashboard.totals.active);
  });

  it('serves the settings catalog', async () => {
    const catalog = validate(SettingsCatalog, await t.admin.ok('GET', '/catalog'), 'catalog');
    const av = catalog.kinds.find((k) => k.kind === 'antivirus');
    expect(av?.settings.find((s) => s.id === 'defender.AllowRealtimeMonitoring')).toMatchObject({ type: 'integer', platforms: expect.any(Array) });
  });

  it('drills down from a policy setting to the devices in one state', async () => {
    const group = await t.admin.ok<{ groupId: string }>('POST', '/groups', { name: `drill-${randomUUID().slice(0, 6)}` });
    const device = await t.enrolledDevice();
    await t.admin.ok('POST', `/groups/${group.groupId}/members`, { deviceId: device.deviceId });
    const policy = await t.admin.ok<PolicySummary>('POST', '/policies', {
      name: 'drill',
      kind: 'antivirus',
      settings: { 'defender.AllowRealtimeMonitoring': 1 },
    });
    await t.admin.ok('POST', '/assignments', { policyId: policy.policyId, groupId: group.groupId });
    const path = `/policies/${policy.policyId}/status?setting=defender.AllowRealtimeMonitoring&state=pending`;
    const drill = validate(PolicySettingDevices, await t.admin.ok('GET', path), 'drill-down');
    expect(drill).toMatchObject({ total: 1, nextCursor: null, devices: [{ deviceId: device.deviceId }] });
    const bad = await t.admin.call('GET', `/policies/${policy.policyId}/status?setting=defender.Nope&state=pending`);
    expect([bad.status, errorCode(bad)]).toEqual([400, 'QUERY_INVALID']);
    const half = await t.admin.call('GET', `/policies/${policy.policyId}/status?state=pending`);
    expect(messageOf(half)).toMatch(/setting and state go together/);
  });
});
