// The documented query strings and media types against a real endpoint: every route with a query schema refuses an
// unknown parameter with an error code it documents and answers the documented shape for a valid query; the console's
// built assets are served with media types the document lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../../common/errors.js';
import { validateById } from '../../../../common/validation.js';
import { startTestEndpoint, type TestEndpoint } from '../../testing/test-endpoint.js';
import { loadConsoleBundle } from '../console-bundle.js';
import { CONSOLE_ASSET_TYPES } from './console-route-docs.js';
import { parseRouteKey, ROUTE_DOCS, routeErrors } from './document.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t?.close();
});

describe('documented query strings', () => {
  it('an unknown parameter is refused with a 400 code the route documents', async () => {
    const device = await t.enrolledDevice();
    const { policy } = await t.assignedPolicy([device]);
    const routes = Object.entries(ROUTE_DOCS).filter(([, doc]) => doc.querySchema);
    expect(routes.map(([key]) => key)).toEqual(
      expect.arrayContaining(['GET /v1/admin/devices', 'GET /v1/admin/policies/{id}/status', 'GET /v1/admin/audit', 'GET /v1/admin/audit/export']),
    );
    for (const [key, doc] of routes) {
      const { method, path } = parseRouteKey(key);
      const url = path.replace('{id}', policy.policyId).slice('/v1/admin'.length);
      const res = await t.admin.call(method, `${url}?openapiProbe=1`);
      const code = (res.body as { error?: { code?: keyof typeof ERROR_CODES } } | null)?.error?.code;
      const documented = routeErrors(method, path, doc).filter((c) => ERROR_CODES[c].status === 400);
      expect([key, res.status, documented.includes(code as never)], `${key}: ${res.text}`).toEqual([key, 400, true]);
    }
  });

  it('with a query, the device list and the policy status answer their paged shapes', async () => {
    const device = await t.enrolledDevice();
    const { policy } = await t.assignedPolicy([device]);
    const page = await t.admin.call('GET', '/devices?limit=5&sort=lastSeenAt');
    expect(() => validateById('urn:attache:device-page', page.body, 'page', 'INTERNAL'), page.text).not.toThrow();
    expect(() => validateById('urn:attache:device-list', page.body, 'list', 'INTERNAL')).toThrow();
    const drill = await t.admin.call('GET', `/policies/${policy.policyId}/status?setting=defender.AllowRealtimeMonitoring&state=pending`);
    expect(() => validateById('urn:attache:policy-setting-devices', drill.body, 'drill-down', 'INTERNAL'), drill.text).not.toThrow();
  });
});

describe('documented console media types', () => {
  it('cover every asset of the built console (npm run build writes dist/console/)', () => {
    const assets = [...loadConsoleBundle()].filter(([path]) => path.startsWith('assets/'));
    expect(assets.length, 'no built console: run npm run build').toBeGreaterThan(0);
    for (const [path, file] of assets) expect(CONSOLE_ASSET_TYPES, path).toContain(file.contentType);
  });
});
