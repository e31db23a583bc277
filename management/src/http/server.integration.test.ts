// Integration test of the HTTPS endpoint: real server on 127.0.0.1, real TLS pinned to its CA, real Ed25519 device keys.
// Every rejected request is checked for its stable code and for having changed nothing.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../common/canonical-json.js';
import { keyIdOf, publicKeyFromRaw, verifyBytes } from '../../../common/signing.js';
import { validate } from '../../../common/validation.js';
import { DeviceStatus, EnrollResponse, OnboardingPackage, PoliciesResponse, type StatusReport } from '../../../policy-schemas/src/index.js';
import { caPinOf } from '../pki/pin.js';
import { errorCode, httpsRequest, TestDevice, type TestResponse } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

let t: TestEndpoint;

beforeAll(async () => {
  t = await startTestEndpoint();
});

afterAll(async () => {
  await t.close();
});

function report(device: TestDevice, policyId: string, version: number, generatedAt = new Date().toISOString()): StatusReport {
  return {
    reportId: randomUUID(),
    deviceId: device.deviceId,
    generatedAt,
    agentVersion: '0.1.0',
    trigger: 'push',
    durationMs: 41,
    policies: [{ policyId, version, name: 'AV baseline', kind: 'antivirus', state: 'succeeded' }],
    settings: [{ settingId: 'defender.AllowRealtimeMonitoring', kind: 'antivirus', state: 'succeeded', policyIds: [policyId], desired: 1, observed: 1 }],
  };
}

const deviceCount = async () => (await t.admin.ok<{ devices: unknown[] }>('GET', '/devices')).devices.length;
const statusOf = (device: TestDevice) => t.admin.ok<DeviceStatus>('GET', `/devices/${device.deviceId}/status`);

describe('device flow', () => {
  it('issues a complete onboarding package', async () => {
    const pkg = validate(OnboardingPackage, await t.onboarding(), 'package');
    expect(pkg.caPin).toBe(caPinOf(t.ca));
    expect(pkg.endpointUrl).toBe(t.endpoint.url);
    expect(pkg.policySigningKey.keyId).toBe(keyIdOf(pkg.policySigningKey.publicKey));
    expect(Date.parse(pkg.expiresAt) - Date.parse(pkg.issuedAt)).toBe(1440 * 60_000);
  });

  it('enrolls, serves signed policies with an etag, accepts a report and shows the status', async () => {
    const pkg = await t.onboarding();
    const device = new TestDevice(t.endpoint.url, t.ca);
    const enrolled = await device.enroll(pkg.enrollmentToken);
    expect(enrolled.status).toBe(201);
    expect(validate(EnrollResponse, enrolled.body, 'enroll response').tenantId).toBe(pkg.tenantId);

    const { policy } = await t.assignedPolicy([device]);
    const res = await device.get('/v1/device/policies');
    expect(res.status).toBe(200);
    const body = validate(PoliciesResponse, res.body, 'policies');
    expect(res.headers.etag).toBe(body.etag);
    expect(body.policies).toHaveLength(1);
    const signed = body.policies[0];
    if (!signed) throw new Error('no policy');
    expect(signed.payload).toMatchObject({ policyId: policy.policyId, version: 1, tenantId: pkg.tenantId });
    expect(signed.keyId).toBe(pkg.policySigningKey.keyId);
    expect(verifyBytes(publicKeyFromRaw(pkg.policySigningKey.publicKey), canonicalJson(signed.payload), signed.signature)).toBe(true);

    const notModified = await device.get('/v1/device/policies', { 'if-none-match': body.etag });
    expect(notModified.status).toBe(304);
    expect(notModified.body).toBeNull();

    expect((await statusOf(device)).policies[0]?.state).toBe('pending');
    const sent = report(device, policy.policyId, 1);
    const ack = await device.post('/v1/device/reports', sent);
    expect(ack.body).toEqual({ reportId: sent.reportId, duplicate: false, stale: false });
    expect((await device.post('/v1/device/reports', sent)).body).toEqual({ reportId: sent.reportId, duplicate: true, stale: false });
    const status = validate(DeviceStatus, await statusOf(device), 'status');
    expect(status.policies[0]).toMatchObject({ state: 'succeeded', assignedVersion: 1, reportedVersion: 1 });
    expect(status.settings[0]).toMatchObject({ settingId: 'defender.AllowRealtimeMonitoring', state: 'succeeded', observed: 1 });

    const listed = await t.admin.ok<{ deviceId: string; lastSeenAt: string | null; connected: boolean }>('GET', `/devices/${device.deviceId}`);
    expect(listed.lastSeenAt).not.toBeNull();
    expect(listed.connected).toBe(false);
  });
});

describe('rejected device requests change nothing', () => {
  let device: TestDevice;
  let policyId: string;

  beforeAll(async () => {
    device = await t.enrolledDevice();
    policyId = (await t.assignedPolicy([device])).policy.policyId;
    await device.post('/v1/device/reports', report(device, policyId, 1));
  });

  async function expectRejected(send: () => Promise<TestResponse>, status: number, code: string): Promise<void> {
    const before = await statusOf(device);
    const res = await send();
    expect(res.status).toBe(status);
    expect(errorCode(res)).toBe(code);
    expect(await statusOf(device)).toEqual(before);
  }

  const tamperedReport = () => {
    const signedBody = JSON.stringify(report(device, policyId, 1));
    const sentBody = JSON.stringify({ ...report(device, policyId, 1), durationMs: 1 });
    return device.send('POST', '/v1/device/reports', sentBody, device.signedHeaders('POST', '/v1/device/reports', signedBody));
  };

  it('bad signature → REQUEST_SIGNATURE_INVALID', async () => {
    await expectRejected(tamperedReport, 401, 'REQUEST_SIGNATURE_INVALID');
  });

  it('replayed nonce → REQUEST_REPLAYED', async () => {
    const body = JSON.stringify(report(device, policyId, 1, new Date(Date.now() + 1000).toISOString()));
    const headers = device.signedHeaders('POST', '/v1/device/reports', body);
    expect((await device.send('POST', '/v1/device/reports', body, headers)).status).toBe(200);
    await expectRejected(() => device.send('POST', '/v1/device/reports', body, headers), 401, 'REQUEST_REPLAYED');
  });

  it('time outside ±300 s → REQUEST_EXPIRED', async () => {
    const body = JSON.stringify(report(device, policyId, 1));
    for (const time of [Date.now() - 301_000, Date.now() + 301_000]) {
      await expectRejected(
        () => device.send('POST', '/v1/device/reports', body, device.signedHeaders('POST', '/v1/device/reports', body, { time: String(time) })),
        401,
        'REQUEST_EXPIRED',
      );
    }
  });

  it('unknown device → DEVICE_UNKNOWN', async () => {
    const stranger = new TestDevice(t.endpoint.url, t.ca);
    stranger.deviceId = randomUUID();
    const res = await stranger.get('/v1/device/policies');
    expect([res.status, errorCode(res)]).toEqual([401, 'DEVICE_UNKNOWN']);
  });

  it('report for another device id → SCHEMA_INVALID', async () => {
    await expectRejected(() => device.post('/v1/device/reports', { ...report(device, policyId, 1), deviceId: randomUUID() }), 400, 'SCHEMA_INVALID');
  });

  it('oversized body → BODY_TOO_LARGE', async () => {
    const big = JSON.stringify({ ...report(device, policyId, 1), padding: 'x'.repeat(1024 * 1024 + 10) });
    await expectRejected(() => device.send('POST', '/v1/device/reports', big, device.signedHeaders('POST', '/v1/device/reports', big)), 413, 'BODY_TOO_LARGE');
  });

  it('malformed JSON → BODY_MALFORMED', async () => {
    const bad = '{"reportId": ';
    await expectRejected(() => device.send('POST', '/v1/device/reports', bad, device.signedHeaders('POST', '/v1/device/reports', bad)), 400, 'BODY_MALFORMED');
  });

  it('revoked device → DEVICE_REVOKED', async () => {
    const other = await t.enrolledDevice();
    expect((await other.get('/v1/device/policies')).status).toBe(200);
    expect((await t.admin.call('POST', `/devices/${other.deviceId}/revoke`)).status).toBe(204);
    const res = await other.get('/v1/device/policies');
    expect([res.status, errorCode(res)]).toEqual([403, 'DEVICE_REVOKED']);
  });
});

describe('enrollment rejections', () => {
  it('a single-use token cannot enroll a second device', async () => {
    const { enrollmentToken } = await t.onboarding();
    expect((await new TestDevice(t.endpoint.url, t.ca).enroll(enrollmentToken)).status).toBe(201);
    const before = await deviceCount();
    const res = await new TestDevice(t.endpoint.url, t.ca).enroll(enrollmentToken);
    expect([res.status, errorCode(res)]).toEqual([401, 'ENROLLMENT_TOKEN_EXHAUSTED']);
    expect(await deviceCount()).toBe(before);
  });

  it('an expired token is refused', async () => {
    const { enrollmentToken } = await t.onboarding({ expiresInMinutes: 1 });
    const before = await deviceCount();
    t.setClockOffset(120_000);
    try {
      const res = await new TestDevice(t.endpoint.url, t.ca).enroll(enrollmentToken);
      expect([res.status, errorCode(res)]).toEqual([401, 'ENROLLMENT_TOKEN_EXPIRED']);
    } finally {
      t.setClockOffset(0);
    }
    expect(await deviceCount()).toBe(before);
  });

  it('a proof from another key is refused and does not use the token', async () => {
    const { enrollmentToken } = await t.onboarding();
    const device = new TestDevice(t.endpoint.url, t.ca);
    const body = JSON.stringify(device.enrollBody(enrollmentToken, generateKeyPairSync('ed25519').privateKey));
    const res = await device.send('POST', '/v1/enroll', body, {});
    expect([res.status, errorCode(res)]).toEqual([400, 'ENROLLMENT_PROOF_INVALID']);
    expect((await device.enroll(enrollmentToken)).status).toBe(201);
  });

  it('unknown token → ENROLLMENT_TOKEN_INVALID, malformed JSON → BODY_MALFORMED', async () => {
    const res = await new TestDevice(t.endpoint.url, t.ca).enroll(`att_enr_${'A'.repeat(43)}`);
    expect(errorCode(res)).toBe('ENROLLMENT_TOKEN_INVALID');
    const malformed = await new TestDevice(t.endpoint.url, t.ca).send('POST', '/v1/enroll', '{nope', {});
    expect([malformed.status, errorCode(malformed)]).toEqual([400, 'BODY_MALFORMED']);
  });
});

describe('admin API', () => {
  const listPolicies = async () => (await t.admin.ok<{ policies: unknown[] }>('GET', '/policies')).policies;

  it('refuses a policy with a bad setting value or an unknown setting, naming the setting, and stores nothing', async () => {
    const before = await listPolicies();
    const bad = await t.admin.call('POST', '/policies', { name: 'x', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 3 } });
    expect([bad.status, errorCode(bad)]).toEqual([400, 'POLICY_INVALID']);
    expect(JSON.stringify(bad.body)).toContain('/settings/defender.AllowRealtimeMonitoring');
    const unknown = await t.admin.call('POST', '/policies', { name: 'x', kind: 'antivirus', settings: { 'defender.NoSuchThing': 1 } });
    expect(errorCode(unknown)).toBe('POLICY_INVALID');
    expect(JSON.stringify(unknown.body)).toContain('defender.NoSuchThing');
    expect(await listPolicies()).toEqual(before);
  });

  it('refuses a kind change and keeps the version', async () => {
    const created = await t.admin.ok<{ policyId: string }>('POST', '/policies', {
      name: 'AV',
      kind: 'antivirus',
      settings: { 'defender.AllowRealtimeMonitoring': 1 },
    });
    const res = await t.admin.call('PUT', `/policies/${created.policyId}`, {
      name: 'FW',
      kind: 'firewall',
      settings: { 'firewall.global.DisableStatefulFtp': true },
    });
    expect([res.status, errorCode(res)]).toEqual([409, 'CONFLICT']);
    const shown = await t.admin.ok<{ latestVersion: number }>('GET', `/policies/${created.policyId}`);
    expect(shown.latestVersion).toBe(1);
  });

  it('maps oversized and malformed bodies, bad tokens and unknown routes to stable codes', async () => {
    const before = await listPolicies();
    const big = await t.admin.call('POST', '/policies', undefined, JSON.stringify({ name: 'x', kind: 'antivirus', settings: {}, pad: 'x'.repeat(1_100_000) }));
    expect([big.status, errorCode(big)]).toEqual([413, 'BODY_TOO_LARGE']);
    const malformed = await t.admin.call('POST', '/policies', undefined, '{"name":');
    expect([malformed.status, errorCode(malformed)]).toEqual([400, 'BODY_MALFORMED']);
    expect(await listPolicies()).toEqual(before);

    const noToken = await httpsRequest(t.endpoint.url, t.ca, 'GET', '/v1/admin/policies');
    expect([noToken.status, errorCode(noToken)]).toEqual([401, 'ADMIN_UNAUTHORIZED']);
    const badToken = await httpsRequest(t.endpoint.url, t.ca, 'GET', '/v1/admin/policies', { headers: { authorization: 'Bearer att_adm_nope' } });
    expect(errorCode(badToken)).toBe('ADMIN_UNAUTHORIZED');
    const missing = await httpsRequest(t.endpoint.url, t.ca, 'GET', '/v1/nothing-here');
    expect([missing.status, errorCode(missing)]).toEqual([404, 'NOT_FOUND']);
  });
});
