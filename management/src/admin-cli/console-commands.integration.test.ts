// Integration test of `device list` with flags (paged through every page, or --limit) and `dashboard` against a real
// endpoint; flag values are checked by the CLI before any request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dashboard, DeviceListItem } from '../../../policy-schemas/src/index.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { adminCliRunner } from './testing/cli-runner.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
  for (let i = 0; i < 3; i++) await t.enrolledDevice({ facts: { hostname: `lin-${i}`, platform: 'linux', osVersion: '6.8' } });
  await t.enrolledDevice({ facts: { hostname: 'win-0' } });
});
afterAll(async () => {
  await t.close();
});

const { cli, json } = adminCliRunner(() => t.dir);

describe('device list and dashboard', () => {
  it('filters and sorts on the endpoint, pages through all, or stops at --limit', async () => {
    const all = await json<{ devices: DeviceListItem[]; total: number }>('device', 'list', '--platform', 'linux', '--sort', 'hostname', '--order', 'desc');
    expect(all.devices.map((d) => d.hostname)).toEqual(['lin-2', 'lin-1', 'lin-0']);
    expect(all.total).toBe(3);
    const two = await json<{ devices: DeviceListItem[]; total: number }>('device', 'list', '--search', 'LIN', '--limit', '2');
    expect([two.devices.map((d) => d.hostname), two.total]).toEqual([['lin-0', 'lin-1'], 3]);
    const table = await cli('device', 'list', '--sort', 'riskLevel', '--limit', '1');
    expect(table.out).toMatch(/COMPLIANCE\s+RISK\s+POLICIES/);
    expect(table.out).toContain('1 of 4 devices shown');
  });

  it('refuses a value outside the choices before any request', async () => {
    const res = await cli('device', 'list', '--risk', 'extreme');
    expect(res.code).not.toBe(0);
    expect(res.err).toMatch(/--risk.*extreme/);
  });

  it('prints the dashboard counts', async () => {
    const dashboard = await json<Dashboard>('dashboard');
    expect(dashboard.totals).toMatchObject({ devices: 4, active: 4 });
    expect(dashboard.platform).toEqual({ windows: 1, macos: 0, linux: 3 });
    const text = await cli('dashboard');
    expect(text.out).toMatch(/devices: 4 \(active 4/);
    expect(text.out).toMatch(/never\s+4/);
  });
});
