// Integration test of signals → risk → compliance → access over the real endpoint: signed alert, health and inventory
// uploads (idempotent, stale, bad input storing nothing), compliance policies assigned to static and dynamic groups,
// grace period and check-in staleness driven by the endpoint clock and its manual ticker, and the access decision API
// with access-service tokens.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import {
  AccessDecision,
  AccessTokenCreated,
  type Alert,
  AlertReportAck,
  type CompliancePolicy,
  DeviceAlerts,
  DeviceCompliance,
  type DeviceHealth,
  DeviceHealthView,
  type DeviceInventory,
  DeviceInventoryView,
  type Group,
} from '../../../policy-schemas/src/index.js';
import { ACTION_TIMEOUT_SWEEP_MS } from '../service/actions/action-envelope.js';
import { TASK_SWEEP_MS } from '../service/tasks/task-sweep.js';
import { STALE_SWEEP_MS } from '../service/vulnerabilities/stale-sweep.js';
import { errorCode, httpsRequest, type TestDevice, type TestResponse } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

const HOUR = 3_600_000;
let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint({ complianceIntervalMs: 30_000 });
});
afterAll(async () => {
  await t.close();
});

const at = (offsetMs = 0) => new Date(t.now() + offsetMs).toISOString();

function indicatorAlert(status: Alert['status'] = 'active', severity: Alert['severity'] = 'high'): Alert {
  return {
    alertId: 'indicator.0f3c',
    category: 'indicator',
    severity,
    title: 'Process matches indicator',
    evidence: { path: '/tmp/evil', sha256: 'ab'.repeat(32) },
    firstSeen: at(-60_000),
    lastSeen: at(),
    status,
    ...(status === 'resolved' ? { resolvedAt: at() } : {}),
    action: { type: 'none', ok: true },
  };
}

const alertReport = (device: TestDevice, alerts: Alert[], riskLevel: Alert['severity'] | 'none', generatedAt = at()) => ({
  reportId: randomUUID(),
  deviceId: device.deviceId,
  generatedAt,
  riskLevel,
  alerts,
});

function health(rtp: boolean | null, firewall = true, collectedAt = at()): DeviceHealth {
  return {
    collectedAt,
    antivirus: { source: 'simulated', mode: 'active', realTimeProtection: rtp, tamperProtection: true, signatureVersion: '1.421.0.0', signatureAgeHours: 3 },
    firewall: { source: 'simulated', enabled: firewall, profiles: { Domain: firewall, Private: firewall, Public: firewall } },
  };
}

function inventory(hostname: string, collectedAt = at()): DeviceInventory {
  return {
    collectedAt,
    hash: 'c'.repeat(64),
    agentVersion: '0.1.0',
    hostname,
    os: { platform: 'windows', release: '11', build: '22631', arch: 'x64' },
    hardware: { manufacturer: 'Contoso', model: 'Laptop 7', serial: 'SN-1' },
    network: [{ iface: 'eth0', mac: '00:11:22:33:44:55', addresses: ['192.0.2.10'] }],
    diskEncryption: { state: 'encrypted', method: 'bitlocker' },
  };
}

async function group(devices: TestDevice[]): Promise<string> {
  const g = await t.admin.ok<Group>('POST', '/groups', { name: `g-${randomUUID().slice(0, 8)}` });
  for (const d of devices) await t.admin.ok('POST', `/groups/${g.groupId}/members`, { deviceId: d.deviceId });
  return g.groupId;
}

async function compliancePolicy(settings: Record<string, unknown>, groupId?: string, gracePeriodHours = 0): Promise<CompliancePolicy> {
  const p = await t.admin.ok<CompliancePolicy>('POST', '/compliance-policies', { name: `c-${randomUUID().slice(0, 8)}`, settings, gracePeriodHours });
  if (groupId) await t.admin.ok('POST', `/compliance-policies/${p.compliancePolicyId}/assignments`, { groupId });
  return p;
}

const accessRaw = (deviceId: string, token: string, endpoint = t): Promise<TestResponse> =>
  httpsRequest(endpoint.endpoint.url, endpoint.ca, 'GET', `/v1/access/devices/${deviceId}`, { headers: { authorization: `Bearer ${token}` } });
/** The decision through the gateway API, with the admin token unless another is given. */
const access = async (device: TestDevice, token = t.admin.token): Promise<AccessDecision> => {
  const res = await accessRaw(device.deviceId, token);
  if (res.status !== 200) throw new Error(`access → ${res.status} ${JSON.stringify(res.body)}`);
  return validate(AccessDecision, res.body, 'access decision');
};
const compliance = async (device: TestDevice) => validate(DeviceCompliance, await t.admin.ok('GET', `/devices/${device.deviceId}/compliance`), 'compliance');
const alertsOf = async (device: TestDevice) => validate(DeviceAlerts, await t.admin.ok('GET', `/devices/${device.deviceId}/alerts`), 'alerts');
const postAlerts = async (device: TestDevice, body: unknown) => {
  const res = await device.post('/v1/device/alerts', body);
  expect(res.status).toBe(200);
  return validate(AlertReportAck, res.body, 'ack');
};

describe('alerts → risk → compliance → access', () => {
  it('blocks a device at once when a high alert opens and allows it again when the alert resolves', async () => {
    const device = await t.enrolledDevice();
    const policy = await compliancePolicy({ maxRiskLevel: 'low' }, await group([device]));
    expect(await access(device)).toMatchObject({ decision: 'allow', complianceState: 'compliant', riskLevel: 'none', reasons: [] });

    const opened = alertReport(device, [indicatorAlert()], 'high');
    expect(await postAlerts(device, opened)).toEqual({ reportId: opened.reportId, duplicate: false, stale: false, riskLevel: 'high' });
    const blocked = await access(device);
    expect(blocked).toMatchObject({ decision: 'block', complianceState: 'noncompliant', riskLevel: 'high' });
    expect(blocked.reasons[0]).toContain(`compliance policy "${policy.name}": maxRiskLevel: machine risk high is above the allowed low`);
    expect(blocked.reasons[0]).toContain('"Process matches indicator" (high)');
    expect(blocked.evidenceAt).not.toBeNull();
    // The device may ask for its own decision (signed).
    const own = await device.get('/v1/device/access');
    expect(validate(AccessDecision, own.body, 'decision')).toMatchObject({ deviceId: device.deviceId, decision: 'block' });

    // A retry is a duplicate; an older report (the alert resolved "before") is stale and moves nothing.
    expect(await postAlerts(device, opened)).toMatchObject({ duplicate: true, stale: false, riskLevel: 'high' });
    const older = alertReport(device, [indicatorAlert('resolved')], 'none', at(-10 * 60_000));
    expect(await postAlerts(device, older)).toMatchObject({ duplicate: false, stale: true, riskLevel: 'high' });
    expect((await access(device)).decision).toBe('block');

    expect(await postAlerts(device, alertReport(device, [indicatorAlert('resolved')], 'none', at(1000)))).toMatchObject({ stale: false, riskLevel: 'none' });
    expect(await access(device)).toMatchObject({ decision: 'allow', complianceState: 'compliant', riskLevel: 'none' });

    const view = await compliance(device);
    expect(view.transitions.map((x) => [x.from, x.to])).toEqual([
      ['noncompliant', 'compliant'],
      ['compliant', 'noncompliant'],
      [null, 'compliant'],
    ]);
    expect(view.transitions[1]?.reasons[0]).toContain('machine risk high');
    const alerts = await alertsOf(device);
    expect(alerts).toMatchObject({ riskLevel: 'none', agentRiskLevel: 'none', activeCount: 0 });
    expect(alerts.alerts.map((a) => [a.alertId, a.status])).toEqual([['indicator.0f3c', 'resolved']]);
  });

  it('trusts the stored alerts over the level the agent claims', async () => {
    const device = await t.enrolledDevice();
    expect(await postAlerts(device, alertReport(device, [indicatorAlert('active', 'medium')], 'none'))).toMatchObject({ riskLevel: 'medium' });
    expect(await alertsOf(device)).toMatchObject({ riskLevel: 'medium', agentRiskLevel: 'none', activeCount: 1 });
    expect((await access(device)).riskLevel).toBe('medium');
  });

  it('rejects bad uploads with the schema error and stores nothing', async () => {
    const device = await t.enrolledDevice();
    const other = await t.enrolledDevice();
    const cases: [string, unknown, string][] = [
      [
        '/v1/device/alerts',
        { ...alertReport(device, [indicatorAlert()], 'high'), alerts: [{ ...indicatorAlert(), severity: 'critical' }] },
        '/alerts/0/severity',
      ],
      ['/v1/device/alerts', alertReport(other, [indicatorAlert()], 'high'), '/deviceId'],
      ['/v1/device/health', { deviceId: device.deviceId, health: { ...health(true), extra: 1 } }, '/health'],
      ['/v1/device/inventory', { deviceId: device.deviceId, inventory: { ...inventory('x'), hash: 'nothex' } }, '/inventory/hash'],
    ];
    for (const [path, body, pointer] of cases) {
      const res = await device.post(path, body);
      expect([path, res.status, errorCode(res)]).toEqual([path, 400, 'SCHEMA_INVALID']);
      expect((res.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path)).toContain(pointer);
    }
    expect((await alertsOf(device)).alerts).toEqual([]);
    expect((await alertsOf(other)).alerts).toEqual([]);
    expect(validate(DeviceHealthView, await t.admin.ok('GET', `/devices/${device.deviceId}/health`), 'health').health).toBeNull();
    expect(validate(DeviceInventoryView, await t.admin.ok('GET', `/devices/${device.deviceId}/inventory`), 'inventory').inventory).toBeNull();
  });
});

describe('health and inventory', () => {
  it('stores the latest health and inventory, shows them to admins and re-evaluates health requirements', async () => {
    const device = await t.enrolledDevice();
    await compliancePolicy({ requireRealTimeProtection: true, requireFirewall: true }, await group([device]));
    const before = await access(device);
    expect(before).toMatchObject({ decision: 'block', complianceState: 'unknown' });
    expect(before.reasons.join('\n')).toContain('the device has reported no health yet');

    expect((await device.post('/v1/device/health', { deviceId: device.deviceId, health: health(true) })).status).toBe(204);
    expect(await access(device)).toMatchObject({ decision: 'allow', complianceState: 'compliant' });
    expect((await device.post('/v1/device/health', { deviceId: device.deviceId, health: health(false, false, at(1000)) })).status).toBe(204);
    const off = await access(device);
    expect(off.decision).toBe('block');
    expect(off.reasons.join('\n')).toMatch(/real-time protection is off[\s\S]*firewall is off \(off: Domain, Private, Public\)/);
    // An older upload arriving late does not replace the newer health.
    expect((await device.post('/v1/device/health', { deviceId: device.deviceId, health: health(true, true, at(-60_000)) })).status).toBe(204);
    const view = validate(DeviceHealthView, await t.admin.ok('GET', `/devices/${device.deviceId}/health`), 'health');
    expect(view.health?.antivirus.realTimeProtection).toBe(false);
    expect((await access(device)).decision).toBe('block');

    expect((await device.post('/v1/device/inventory', { deviceId: device.deviceId, inventory: inventory('ws-042') })).status).toBe(204);
    const inv = validate(DeviceInventoryView, await t.admin.ok('GET', `/devices/${device.deviceId}/inventory`), 'inventory');
    expect(inv.inventory).toMatchObject({ hostname: 'ws-042', diskEncryption: { state: 'encrypted', method: 'bitlocker' } });
    expect(inv.receivedAt).not.toBeNull();
  });
});

describe('targeting, grace and staleness', () => {
  it('re-evaluates a device when a dynamic group picks it up through a tag', async () => {
    const tagged = await t.admin.ok<Group>('POST', '/groups', {
      name: `strict-${randomUUID().slice(0, 8)}`,
      rule: { match: 'all', conditions: [{ attribute: 'tags', contains: 'Strict' }] },
    });
    await compliancePolicy({ maxRiskLevel: 'clear' }, tagged.groupId);
    const device = await t.enrolledDevice();
    await postAlerts(device, alertReport(device, [indicatorAlert('active', 'informational')], 'informational'));
    expect((await access(device)).decision).toBe('allow');
    await t.admin.ok('POST', `/devices/${device.deviceId}/tags`, { add: ['Strict'] });
    expect(await access(device)).toMatchObject({ decision: 'block', riskLevel: 'informational' });
    await t.admin.ok('POST', `/devices/${device.deviceId}/tags`, { remove: ['Strict'] });
    expect((await access(device)).decision).toBe('allow');
  });

  it('excludes a group, and re-evaluates on policy update, unassignment and delete', async () => {
    const device = await t.enrolledDevice();
    const all = await group([device]);
    const policy = await compliancePolicy({ minAgentVersion: '9.0.0' }, all);
    expect((await access(device)).decision).toBe('block');
    await t.admin.ok('PUT', `/compliance-policies/${policy.compliancePolicyId}`, { name: policy.name, settings: { minAgentVersion: '0.1.0' } });
    expect((await access(device)).decision).toBe('allow');
    await t.admin.ok('PUT', `/compliance-policies/${policy.compliancePolicyId}`, { name: policy.name, settings: { minAgentVersion: '9.0.0' } });
    expect((await access(device)).decision).toBe('block');
    const exclusion = await t.admin.ok<{ assignmentId: string }>('POST', `/compliance-policies/${policy.compliancePolicyId}/assignments`, {
      groupId: await group([device]),
      mode: 'exclude',
    });
    expect((await access(device)).decision).toBe('allow');
    await t.admin.ok('DELETE', `/compliance-assignments/${exclusion.assignmentId}`);
    expect((await access(device)).decision).toBe('block');
    await t.admin.ok('DELETE', `/compliance-policies/${policy.compliancePolicyId}`);
    expect(await access(device)).toMatchObject({ decision: 'allow', complianceState: 'compliant' });
    expect((await t.admin.call('GET', `/compliance-policies/${policy.compliancePolicyId}`)).status).toBe(404);
    const bad = await t.admin.call('POST', '/compliance-policies', { name: 'x', settings: { maxRiskLevel: 'severe' } });
    expect([bad.status, errorCode(bad)]).toEqual([400, 'SCHEMA_INVALID']);
  });

  it('keeps the Intune source of a compliance policy across an update without one, and refuses a malformed one', async () => {
    const source = { system: 'intune', id: 'c0ffee00-0000-4000-8000-000000000001', name: 'Win - Defender compliance', description: 'risk' };
    const created = await t.admin.ok<CompliancePolicy>('POST', '/compliance-policies', { name: 'imported', settings: { requireFirewall: true }, source });
    expect(created.source).toEqual(source);
    const id = created.compliancePolicyId;
    const updated = await t.admin.ok<CompliancePolicy>('PUT', `/compliance-policies/${id}`, { name: 'imported', settings: { requireFirewall: false } });
    expect(updated).toMatchObject({ version: 2, source });
    expect((await t.admin.ok<CompliancePolicy>('GET', `/compliance-policies/${id}`)).source).toEqual(source);
    const bad = await t.admin.call('POST', '/compliance-policies', { name: 'x', settings: {}, source: { ...source, system: 'sccm' } });
    expect([bad.status, errorCode(bad)]).toEqual([400, 'SCHEMA_INVALID']);
  });

  it('keeps a failing device in its grace period, then the timer makes it noncompliant; staleness likewise', async () => {
    // The compliance timer, and the leader's sweeps: response-action time-outs (service/actions/), stale exposure
    // (service/vulnerabilities/) and open security tasks (service/tasks/).
    expect(t.ticker.intervals()).toEqual([30_000, ACTION_TIMEOUT_SWEEP_MS, STALE_SWEEP_MS, TASK_SWEEP_MS]);
    const device = await t.enrolledDevice();
    const g = await group([device]);
    await compliancePolicy({ maxRiskLevel: 'low' }, g, 2);
    await postAlerts(device, alertReport(device, [indicatorAlert()], 'high'));
    const grace = await compliance(device);
    expect(grace).toMatchObject({ state: 'inGracePeriod', decision: 'allow' });
    expect(grace.policies[0]?.graceEndsAt).toBe(grace.nextEvaluationAt);
    expect((await access(device)).decision).toBe('allow');

    try {
      t.setClockOffset(2 * HOUR + 1000);
      await t.ticker.tick();
      expect(await access(device)).toMatchObject({ decision: 'block', complianceState: 'noncompliant' });

      const quiet = await t.enrolledDevice();
      await compliancePolicy({ maxHoursSinceCheckin: 24 }, await group([quiet]));
      expect((await access(quiet)).decision).toBe('allow');
      t.setClockOffset(2 * HOUR + 25 * HOUR);
      await t.ticker.tick();
      const stale = await access(quiet);
      expect(stale).toMatchObject({ decision: 'block', complianceState: 'noncompliant' });
      expect(stale.reasons[0]).toContain('maxHoursSinceCheckin');
      // Its next signed request is a check-in: compliant again at once.
      expect((await quiet.get('/v1/device/policies')).status).toBe(200);
      expect(await access(quiet)).toMatchObject({ decision: 'allow', complianceState: 'compliant' });
    } finally {
      t.setClockOffset(0);
    }
  });

  it('blocks a revoked device', async () => {
    const device = await t.enrolledDevice();
    expect((await access(device)).decision).toBe('allow');
    await t.admin.ok('POST', `/devices/${device.deviceId}/revoke`);
    expect(await access(device)).toMatchObject({ decision: 'block', reasons: ['the device was revoked'] });
  });
});

describe('access tokens', () => {
  it('lets a gateway token read decisions and nothing else, until it is revoked', async () => {
    const device = await t.enrolledDevice();
    const created = validate(AccessTokenCreated, await t.admin.ok('POST', '/access-tokens', { description: 'vpn gateway' }), 'token');
    expect(await access(device, created.token)).toMatchObject({ decision: 'allow' });
    const adminWithIt = await httpsRequest(t.endpoint.url, t.ca, 'GET', '/v1/admin/devices', { headers: { authorization: `Bearer ${created.token}` } });
    expect([adminWithIt.status, errorCode(adminWithIt)]).toEqual([401, 'ADMIN_UNAUTHORIZED']);
    const listed = await t.admin.ok<{ accessTokens: Record<string, unknown>[] }>('GET', '/access-tokens');
    expect(listed.accessTokens.find((x) => x.tokenId === created.tokenId)).toEqual({
      tokenId: created.tokenId,
      description: 'vpn gateway',
      createdAt: created.createdAt,
      revokedAt: null,
    });

    const wrong = await accessRaw(device.deviceId, `att_acc_${'A'.repeat(43)}`);
    expect([wrong.status, errorCode(wrong)]).toEqual([401, 'ACCESS_UNAUTHORIZED']);
    const none = await httpsRequest(t.endpoint.url, t.ca, 'GET', `/v1/access/devices/${device.deviceId}`);
    expect([none.status, errorCode(none)]).toEqual([401, 'ACCESS_UNAUTHORIZED']);
    const unknown = await accessRaw(randomUUID(), created.token);
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'NOT_FOUND']);

    await t.admin.ok('DELETE', `/access-tokens/${created.tokenId}`);
    const revoked = await accessRaw(device.deviceId, created.token);
    expect([revoked.status, errorCode(revoked)]).toEqual([401, 'ACCESS_UNAUTHORIZED']);
    expect((await t.admin.call('DELETE', `/access-tokens/${created.tokenId}`)).status).toBe(404);
  });
});

describe('devices without a compliance policy', () => {
  it('are compliant by default and noncompliant when the endpoint is set so', async () => {
    const device = await t.enrolledDevice();
    await postAlerts(device, alertReport(device, [indicatorAlert()], 'high'));
    expect(await access(device)).toMatchObject({ decision: 'allow', complianceState: 'compliant', riskLevel: 'high' });

    const strict = await startTestEndpoint({ unassignedCompliance: 'noncompliant' });
    try {
      const other = await strict.enrolledDevice();
      const res = await accessRaw(other.deviceId, strict.admin.token, strict);
      expect(validate(AccessDecision, res.body, 'decision')).toMatchObject({ decision: 'block', complianceState: 'noncompliant' });
    } finally {
      await strict.close();
    }
  });
});
