// GET /v1/openapi.json on a real endpoint: served without credentials and cacheable, equal to docs/openapi.json, valid
// OpenAPI 3.1; every route the server registers is documented and every documented route exists; and each documented
// request body is the schema the route really validates with (its answer to a probe body names the same problems).
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttacheError } from '../../../../common/errors.js';
import { ManualClock } from '../../../../common/testing/manual-clock.js';
import { validateById } from '../../../../common/validation.js';
import { recommendationId } from '../../service/vulnerabilities/matching/recommendations.js';
import { debianUpload, inventoryOf, NVD_FILE, OSV_FILE, SEVEN_ZIP } from '../../service/vulnerabilities/testing/service-fixtures.js';
import { httpsRequest } from '../../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../../testing/test-endpoint.js';
import { errorEnvelope } from '../error-envelope.js';
import { endpointMetrics, registerOpsRoutes } from '../ops-routes.js';
import { createHttpServer } from '../server.js';
import { OPENAPI_PATH } from './access-ops-route-docs.js';
import { componentName } from './components.js';
import { buildOpenApiDocument, parseRouteKey, ROUTE_DOCS } from './document.js';
import { isResponseDoc, openApiPath } from './route-doc.js';

const COMMITTED = fileURLToPath(new URL('../../../../docs/openapi.json', import.meta.url));
const OTHER_ID = '00000000-0000-4000-8000-000000000000';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint({ metrics: 'main' });
});
afterAll(async () => {
  await t?.close();
});

/**
 * The `METHOD /path` of every route on `app`, read from fastify's route tree (printRoutes without common prefixes:
 * one node per line, indented 4 columns per level, `segment (METHOD, …)`). HEAD routes fastify adds for GET are left out.
 */
function registeredRoutes(app: FastifyInstance): string[] {
  const stack: string[] = [];
  const routes = new Set<string>();
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const marker = line.indexOf('── ');
    if (marker < 0) continue;
    const depth = (marker - 1) / 4;
    const match = /^(\S+)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(marker + 3).trim());
    if (!match?.[1]) throw new Error(`unreadable route tree line: ${line}`);
    stack.length = depth;
    stack.push(match[1]);
    const methods = (match[2] ?? '').split(', ').filter(Boolean);
    for (const method of methods) if (method !== 'HEAD' || !methods.includes('GET')) routes.add(`${method} ${openApiPath(stack.join(''))}`);
  }
  return [...routes].sort();
}

/** Where an entry for `key` goes, and a skeleton of it. */
function entryToAdd(key: string): string {
  const { path } = parseRouteKey(key);
  const [file, security] = path.startsWith('/v1/admin/')
    ? ['admin-route-docs.ts', 'admin']
    : /^\/v1\/(device\/|enroll$)/.test(path)
      ? ['device-route-docs.ts', 'device']
      : ['access-ops-route-docs.ts', path.startsWith('/v1/access/') ? 'access' : path.startsWith('/v1/session') ? 'session' : 'none'];
  return `  management/src/http/openapi/${file} (or the *-route-docs.ts of its area): '${key}': { summary: '…', tag: '…', security: '${security}', body: <request schema, if any>, responses: { 200: <answer schema> }, errors: [] },`;
}

/** The server endpoint.ts builds: createHttpServer and the operations routes, /metrics on the main listener. */
async function realServer(): Promise<FastifyInstance> {
  const { context: ctx, identity } = t.endpoint;
  const metrics = endpointMetrics('main', { connectedDevices: () => 0, store: ctx.store, deliveryQueue: () => 0 });
  const app = await createHttpServer({ tlsKeyPem: identity.serverKeyPem, tlsCertPem: identity.serverCertPem, ...(metrics ? { metrics } : {}) }, ctx);
  await registerOpsRoutes(app, { listen: 'main', metrics }, { store: ctx.store, clock: new ManualClock(), logger: ctx.logger });
  await app.ready();
  return app;
}

describe('GET /v1/openapi.json', () => {
  it('is served without credentials, cacheable, and is the committed docs/openapi.json', async () => {
    const res = await httpsRequest(t.endpoint.url, t.ca, 'GET', OPENAPI_PATH);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    expect(res.text, 'docs/openapi.json is stale: run npm run gen').toBe(await readFile(COMMITTED, 'utf8'));
    const etag = String(res.headers.etag);
    const again = await httpsRequest(t.endpoint.url, t.ca, 'GET', OPENAPI_PATH, { headers: { 'if-none-match': etag } });
    expect([again.status, again.text, again.headers.etag]).toEqual([304, '', etag]);
  });

  it('validates as OpenAPI 3.1', async () => {
    const res = await httpsRequest(t.endpoint.url, t.ca, 'GET', OPENAPI_PATH);
    const validator = new Validator();
    const result = await validator.validate(res.text);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect([result.valid, validator.version]).toEqual([true, '3.1']);
  });

  it('documents every route the server registers, and only those', async () => {
    const app = await realServer();
    try {
      const registered = registeredRoutes(app);
      expect(registered.length).toBeGreaterThan(40);
      const documented = Object.keys(ROUTE_DOCS);
      const undocumented = registered.filter((key) => !documented.includes(key));
      const gone = documented.filter((key) => !registered.includes(key));
      expect(undocumented, `routes registered but not in the OpenAPI document; add one entry each:\n${undocumented.map(entryToAdd).join('\n')}\n`).toEqual([]);
      expect(gone, `documented routes the server does not register; remove their entries:\n${gone.join('\n')}\n`).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

/** A body wrong in every property of `schema` (each one an array of arrays) plus one unknown property. */
function probeBody(schema: { properties?: Record<string, unknown> } | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = { openapiProbe: true };
  for (const name of Object.keys(schema?.properties ?? {})) body[name] = [[[]]];
  return body;
}

describe('documented request bodies', () => {
  it('are the schemas the routes validate with: each route answers a probe body with exactly the problems its documented schema finds', async () => {
    const device = await t.enrolledDevice();
    const components = (buildOpenApiDocument().components as { schemas: Record<string, { properties?: Record<string, unknown> }> }).schemas;
    const mismatches: string[] = [];
    let probed = 0;
    for (const [key, route] of Object.entries(ROUTE_DOCS)) {
      if (!route.body) continue;
      const { method, path } = parseRouteKey(key);
      const url = path.replace(/\{[^}]+\}/g, OTHER_ID);
      const name = componentName(String(route.body.$id));
      const body = probeBody(components[name]);
      let expected: unknown;
      try {
        validateById(String(route.body.$id), body, 'probe');
        throw new Error(`${key}: the probe body is valid`);
      } catch (err) {
        if (!(err instanceof AttacheError)) throw err;
        expected = errorEnvelope(err).error.details;
      }
      const res = url.startsWith('/v1/device/')
        ? await device.post(url, body)
        : url.startsWith('/v1/admin/')
          ? await t.admin.call(method, url.slice('/v1/admin'.length), body)
          : await httpsRequest(t.endpoint.url, t.ca, method, url, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answer = (res.body as { error?: { code?: string; details?: unknown } } | null)?.error;
      // Response-action requests answer a bad body with their own code (ACTION_INVALID, as issue 17 specifies).
      const code = route.errors.includes('ACTION_INVALID') ? 'ACTION_INVALID' : 'SCHEMA_INVALID';
      if (res.status !== 400 || answer?.code !== code || JSON.stringify(answer.details) !== JSON.stringify(expected)) {
        mismatches.push(`${key}: ${res.status} ${JSON.stringify(answer)} — the documented ${name} finds ${JSON.stringify(expected)}`);
      }
      probed++;
    }
    expect(probed).toBeGreaterThanOrEqual(20);
    expect(mismatches, mismatches.join('\n')).toEqual([]);
  });
});

/** The `$id`s of a documented answer's schema: its own, or those it is `oneOf` (an answer whose shape depends on the query). */
function answerSchemaIds(schema: { $id?: unknown; oneOf?: readonly { $id?: unknown }[] } | undefined): string[] {
  if (typeof schema?.$id === 'string') return [schema.$id];
  return (schema?.oneOf ?? []).map((s) => s.$id).filter((id): id is string => typeof id === 'string');
}

/** Whether `body` validates against one of `ids` (named in the failure otherwise). */
function matchesOneOf(ids: readonly string[], body: unknown, what: string): string[] {
  return ids.filter((id) => {
    try {
      validateById(id, body, what, 'INTERNAL');
      return true;
    } catch {
      return false;
    }
  });
}

/** A named admin with a password, logged in to the console: its id and its session cookie. */
async function consoleLogin(username: string): Promise<{ adminId: string; cookie: string }> {
  const password = 'correct horse battery staple';
  const account = await t.admin.ok<{ adminId: string }>('POST', '/admins', { username, role: 'readOnlyOperator', password });
  const res = await httpsRequest(t.endpoint.url, t.ca, 'POST', '/v1/session', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(res.status, res.text).toBe(200);
  return { adminId: account.adminId, cookie: String(res.headers['set-cookie']).split(';')[0] as string };
}

describe('documented answers', () => {
  it('are what the GET routes answer (each validates against its documented 200 schema)', async () => {
    const device = await t.enrolledDevice();
    await t.admin.ok('POST', '/access-tokens', { description: 'gateway' });
    const { policy } = await t.assignedPolicy([device]);
    const compliance = await t.admin.ok<{ compliancePolicyId: string }>('POST', '/compliance-policies', { name: 'c', settings: { maxRiskLevel: 'low' } });
    const session = await consoleLogin('docs-reader');
    const alertId = 'posture.realTimeProtectionOff';
    const alert = {
      alertId,
      category: 'posture',
      severity: 'high',
      title: 'RTP off',
      evidence: {},
      firstSeen: new Date(t.now()).toISOString(),
      lastSeen: new Date(t.now()).toISOString(),
      status: 'active',
    };
    const posted = await device.post('/v1/device/alerts', {
      reportId: randomUUID(),
      deviceId: device.deviceId,
      generatedAt: new Date(t.now()).toISOString(),
      riskLevel: 'high',
      alerts: [alert],
    });
    expect(posted.status).toBe(200);
    const rule = await t.admin.ok<{ ruleId: string }>('POST', '/suppression-rules', { scope: 'device', deviceId: device.deviceId, alertId, comment: 'docs' });
    const action = await t.admin.ok<{ id: string }>('POST', `/devices/${device.deviceId}/runAntivirusScan`, { comment: 'docs' });
    // A 7-Zip finding: a recommendation and an advisory to read (issue 18).
    await httpsRequest(t.endpoint.url, t.ca, 'POST', '/v1/admin/vulnerabilities/advisories?name=nvd.json', {
      headers: { authorization: `Bearer ${t.admin.token}`, 'content-type': 'application/json' },
      body: NVD_FILE,
    });
    const software = inventoryOf([SEVEN_ZIP], { name: 'Windows 11 Pro', version: '10.0.22631' }, new Date(t.now()).toISOString());
    expect((await device.post('/v1/device/software', { deviceId: device.deviceId, inventory: software })).status).toBe(200);
    // A security task needs a recommendation: advisories imported and a Debian device's software uploaded.
    const vulnerabilities = t.endpoint.context.vulnerabilities;
    await vulnerabilities.importAdvisories({ bytes: OSV_FILE, fileName: 'docs.json' }, { adminId: null, username: 'admin' });
    const linux = await t.enrolledDevice({ facts: { platform: 'linux', osVersion: '12' } });
    await vulnerabilities.acceptSoftware(linux.deviceId, debianUpload(linux.deviceId));
    const [recommendation] = (await vulnerabilities.recommendations({ limit: 1 }))?.items ?? [];
    const task = await t.admin.ok<{ taskId: string }>('POST', '/security-tasks', { recommendationId: recommendation?.recommendationId });
    const ids: Record<string, string> = {
      '/v1/admin/vulnerabilities/recommendations/': recommendationId('windows', SEVEN_ZIP.name),
      '/v1/admin/vulnerabilities/advisories/': 'CVE-2024-11477',
      '/v1/admin/security-tasks/': task.taskId,
      '/v1/admin/actions/': action.id,
      '/v1/admin/suppression-rules/': rule.ruleId,
      '/v1/admin/devices/': device.deviceId,
      '/v1/access/devices/': device.deviceId,
      '/v1/admin/policies/': policy.policyId,
      '/v1/admin/compliance-policies/': compliance.compliancePolicyId,
      '/v1/admin/admins/': session.adminId,
    };
    const checked: string[] = [];
    const failed: string[] = [];
    for (const [key, route] of Object.entries(ROUTE_DOCS)) {
      const { method, path } = parseRouteKey(key);
      const answer = route.responses[200];
      const schemaIds = answerSchemaIds(answer && (isResponseDoc(answer) ? answer.schema : answer));
      if (method !== 'GET' || schemaIds.length === 0) continue;
      const prefix = Object.keys(ids).find((p) => path.startsWith(p));
      const url = path.replace('{alertId}', alertId).replace(/\{[^}]+\}/g, prefix ? (ids[prefix] ?? '') : OTHER_ID);
      const res = url.startsWith('/v1/admin/')
        ? await t.admin.call('GET', url.slice('/v1/admin'.length))
        : url.startsWith('/v1/device/')
          ? await device.get(url)
          : await httpsRequest(t.endpoint.url, t.ca, 'GET', url, { headers: { authorization: `Bearer ${t.admin.token}`, cookie: session.cookie } });
      if (res.status !== 200) {
        failed.push(`${key} → ${res.status}`);
        continue;
      }
      expect(matchesOneOf(schemaIds, res.body, key), `${key}: ${res.text.slice(0, 500)}`).toHaveLength(1);
      checked.push(key);
    }
    expect(failed, 'GET routes that did not answer 200 (give their path parameter a real id in `ids`)').toEqual([]);
    expect(checked).toEqual(
      expect.arrayContaining(['GET /v1/admin/devices', 'GET /v1/admin/devices/{id}/status', 'GET /v1/device/policies', 'GET /readyz', 'GET /v1/session']),
    );
    expect(checked.length).toBeGreaterThanOrEqual(30);
  });
});

describe('documented answers of writes', () => {
  it('are what the admin write routes answer', async () => {
    const device = await t.enrolledDevice();
    const { policy, groupId } = await t.assignedPolicy([device]);
    const compliance = await t.admin.ok<{ compliancePolicyId: string }>('POST', '/compliance-policies', { name: 'w', settings: { maxRiskLevel: 'low' } });
    const other = await t.admin.ok<{ groupId: string }>('POST', '/groups', { name: 'other' });
    const writes: [string, string, unknown][] = [
      ['POST /v1/admin/onboarding-packages', '/onboarding-packages', { maxUses: 2 }],
      ['POST /v1/admin/policies', '/policies', { name: 'w', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 1 } }],
      ['PUT /v1/admin/policies/{id}', `/policies/${policy.policyId}`, { name: 'w2', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 0 } }],
      ['POST /v1/admin/what-if', '/what-if', { change: 'deletePolicy', policyId: policy.policyId }],
      ['POST /v1/admin/groups', '/groups', { name: 'written' }],
      ['POST /v1/admin/assignments', '/assignments', { policyId: policy.policyId, groupId: other.groupId, mode: 'exclude' }],
      ['POST /v1/admin/devices/{id}/tags', `/devices/${device.deviceId}/tags`, { add: ['MDE-Management'] }],
      ['POST /v1/admin/devices/{id}/sync', `/devices/${device.deviceId}/sync`, undefined],
      ['POST /v1/admin/devices/{id}/rotate-key', `/devices/${device.deviceId}/rotate-key`, undefined],
      ['POST /v1/admin/compliance-policies/{id}/assignments', `/compliance-policies/${compliance.compliancePolicyId}/assignments`, { groupId }],
      ['PUT /v1/admin/compliance-policies/{id}', `/compliance-policies/${compliance.compliancePolicyId}`, { name: 'w2', settings: {} }],
      ['POST /v1/admin/access-tokens', '/access-tokens', {}],
      ['POST /v1/admin/signing-key/rotate', '/signing-key/rotate', { overlapHours: 1 }],
      ['POST /v1/admin/admins', '/admins', { username: 'writer', role: 'helpDeskOperator', password: 'a long enough password' }],
      ['POST /v1/admin/api-tokens', '/api-tokens', { name: 'docs' }],
      ['DELETE /v1/admin/groups/{id}', `/groups/${other.groupId}?force=true`, undefined],
    ];
    for (const [key, url, body] of writes) {
      const route = ROUTE_DOCS[key];
      const [status, answer] = Object.entries(route?.responses ?? {})[0] ?? [];
      const schema = answer && (isResponseDoc(answer) ? answer.schema : answer);
      const res = await t.admin.call(parseRouteKey(key).method, url, body);
      expect(res.status, `${key}: ${res.text}`).toBe(Number(status));
      expect(() => validateById(String(schema?.$id), res.body, key, 'INTERNAL'), `${key}: ${res.text}`).not.toThrow();
    }
    const [pkg] = (await t.admin.ok<{ onboardingPackages: { id: string }[] }>('GET', '/onboarding-packages')).onboardingPackages;
    const revoked = await t.admin.call('POST', `/onboarding-packages/${pkg?.id}/revoke`);
    expect([revoked.status, matchesOneOf(['urn:attache:onboarding-package-info'], revoked.body, 'revoke')]).toEqual([
      200,
      ['urn:attache:onboarding-package-info'],
    ]);
    expect(ROUTE_DOCS['POST /v1/admin/onboarding-packages/{id}/revoke']?.responses[200]).toHaveProperty('$id', 'urn:attache:onboarding-package-info');
    const { adminId } = await t.admin.ok<{ adminId: string }>('GET', '/me');
    const patched = await t.admin.call('PATCH', `/admins/${adminId}`, { displayName: 'Bootstrap' });
    expect(ROUTE_DOCS['PATCH /v1/admin/admins/{id}']?.responses[200]).toHaveProperty('$id', 'urn:attache:admin-account');
    expect(matchesOneOf(['urn:attache:admin-account'], patched.body, 'patch'), patched.text).toHaveLength(1);
  });
});
