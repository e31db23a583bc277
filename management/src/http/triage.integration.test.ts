// Alert triage over the real endpoint (issue 17 §5): resolving an alert flips risk, compliance and the access decision
// before the answer, until the agent reports a new occurrence; suppression rules (device with expiry, organization)
// change the decision at once and travel signed with the policies; bad input names the field and stores nothing;
// scoped admins and the Help Desk are refused what they may not do; every write is audited.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import {
  AccessDecision,
  type Alert,
  AlertTriageView,
  DeviceAlerts,
  PoliciesResponse,
  SuppressionRule,
  type SuppressionRuleList,
} from '../../../policy-schemas/src/index.js';
import { adminAccount } from '../testing/admin-accounts.js';
import { errorCode, httpsRequest, type TestDevice, type TestResponse } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

const HOUR = 3_600_000;
let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint({ complianceIntervalMs: 30_000 });
});
afterAll(async () => {
  await t?.close();
});

const at = (offsetMs = 0) => new Date(t.now() + offsetMs).toISOString();
const refused = (res: TestResponse) => [res.status, errorCode(res)];

function rtpOff(firstSeen: string, status: Alert['status'] = 'active'): Alert {
  return {
    alertId: 'posture.realTimeProtectionOff',
    category: 'posture',
    severity: 'high',
    title: 'Real-time protection is off',
    evidence: { realTimeProtection: false },
    firstSeen,
    lastSeen: at(),
    status,
    ...(status === 'resolved' ? { resolvedAt: at() } : {}),
  };
}

async function report(device: TestDevice, alerts: Alert[], generatedAt = at()): Promise<void> {
  const res = await device.post('/v1/device/alerts', { reportId: randomUUID(), deviceId: device.deviceId, generatedAt, riskLevel: 'high', alerts });
  expect(res.status).toBe(200);
}

/** The decision through the gateway API (the admin token is accepted there), not the overview's copy. */
async function decision(device: TestDevice): Promise<AccessDecision> {
  const res = await httpsRequest(t.endpoint.url, t.ca, 'GET', `/v1/access/devices/${device.deviceId}`, {
    headers: { authorization: `Bearer ${t.admin.token}` },
  });
  return validate(AccessDecision, res.body, 'access decision');
}

/** A device under a `maxRiskLevel: low` compliance policy, blocked by an active high alert. */
async function blockedDevice(): Promise<{ device: TestDevice; firstSeen: string }> {
  const device = await t.enrolledDevice();
  const g = await t.admin.ok<{ groupId: string }>('POST', '/groups', { name: `g-${randomUUID().slice(0, 8)}` });
  await t.admin.ok('POST', `/groups/${g.groupId}/members`, { deviceId: device.deviceId });
  const p = await t.admin.ok<{ compliancePolicyId: string }>('POST', '/compliance-policies', {
    name: `c-${randomUUID().slice(0, 8)}`,
    settings: { maxRiskLevel: 'low' },
  });
  await t.admin.ok('POST', `/compliance-policies/${p.compliancePolicyId}/assignments`, { groupId: g.groupId });
  const firstSeen = at(-60_000);
  await report(device, [rtpOff(firstSeen)]);
  expect(await access(device)).toBe('block');
  return { device, firstSeen };
}

async function access(device: TestDevice): Promise<string> {
  const res = await t.admin.call('GET', `/compliance/devices`);
  const row = (res.body as { devices: { deviceId: string; decision: string }[] }).devices.find((d) => d.deviceId === device.deviceId);
  return row?.decision ?? 'unknown';
}

const alertPath = (device: TestDevice, alertId = 'posture.realTimeProtectionOff') => `/devices/${device.deviceId}/alerts/${alertId}`;

describe('alert triage', () => {
  it('resolving flips risk, compliance and access at once, until the agent reports a new occurrence', async () => {
    const { device, firstSeen } = await blockedDevice();
    const patched = validate(
      AlertTriageView,
      await t.admin.ok('PATCH', alertPath(device), {
        status: 'resolved',
        classification: 'falsePositive',
        determination: 'notMalicious',
        assignedTo: 'secops@contoso.example',
        comment: 'lab image, RTP off on purpose',
      }),
      'view',
    );
    expect(patched).toMatchObject({ effect: 'resolvedByAdmin', triage: { status: 'resolved', classification: 'falsePositive', resolvedBy: 'admin' } });
    expect(patched.comments.map((c) => c.text)).toEqual([
      'changed status: new → resolved; classification: none → falsePositive; determination: none → notMalicious; assignedTo: none → secops@contoso.example',
      'lab image, RTP off on purpose',
    ]);
    expect(await access(device)).toBe('allow');
    expect(await decision(device)).toMatchObject({ decision: 'allow', complianceState: 'compliant', riskLevel: 'none' });
    const alerts = validate(DeviceAlerts, await t.admin.ok('GET', `/devices/${device.deviceId}/alerts`), 'alerts');
    expect(alerts).toMatchObject({ riskLevel: 'none', activeCount: 0 });

    // The agent keeps seeing the same occurrence (same firstSeen, later lastSeen): still resolved.
    await report(device, [rtpOff(firstSeen)], at(1000));
    expect(await access(device)).toBe('allow');
    // It saw the device clean, then the condition came back: a new occurrence counts again.
    await report(device, [rtpOff(firstSeen, 'resolved')], at(2000));
    await report(device, [rtpOff(at(3000))], at(3000));
    expect(await access(device)).toBe('block');
    expect((await t.admin.ok<AlertTriageView>('GET', alertPath(device))).effect).toBe('active');

    // Reopening by an admin counts again too; a comment alone changes nothing.
    const comment = await t.admin.call('POST', `${alertPath(device)}/comments`, { comment: 'looking again' });
    expect(comment.status).toBe(201);
    expect((comment.body as AlertTriageView).comments.at(-1)).toMatchObject({ text: 'looking again', author: 'admin' });
  });

  it('answers 400 naming the field and 404 for an unknown device or alert, storing nothing', async () => {
    const { device, firstSeen } = await blockedDevice();
    const wrong = await t.admin.call('PATCH', alertPath(device), { classification: 'falsePositive', determination: 'malware' });
    expect(refused(wrong)).toEqual([400, 'SCHEMA_INVALID']);
    expect(wrong.text).toContain('/determination');
    const unknownField = await t.admin.call('PATCH', alertPath(device), { status: 'closed' });
    expect(refused(unknownField)).toEqual([400, 'SCHEMA_INVALID']);
    expect(unknownField.text).toContain('/status');
    expect(refused(await t.admin.call('PATCH', alertPath(device), {}))).toEqual([400, 'SCHEMA_INVALID']);
    expect(refused(await t.admin.call('PATCH', alertPath(device, 'not an id'), { status: 'resolved' }))).toEqual([400, 'SCHEMA_INVALID']);
    expect(refused(await t.admin.call('PATCH', alertPath(device, 'posture.never'), { status: 'resolved', comment: 'x' }))).toEqual([404, 'NOT_FOUND']);
    expect(refused(await t.admin.call('GET', alertPath(device, 'posture.never')))).toEqual([404, 'NOT_FOUND']);
    const ghost = `/devices/${randomUUID()}/alerts/posture.realTimeProtectionOff`;
    expect(refused(await t.admin.call('PATCH', ghost, { status: 'resolved' }))).toEqual([404, 'NOT_FOUND']);
    expect(refused(await t.admin.call('POST', `${alertPath(device, 'posture.never')}/comments`, { comment: 'x' }))).toEqual([404, 'NOT_FOUND']);
    const view = await t.admin.ok<AlertTriageView>('GET', alertPath(device));
    expect([view.triage, view.comments]).toEqual([null, []]);
    expect(await access(device)).toBe('block');
    // The refused PATCH and comment stored nothing: once the device does report that alert, it has no triage.
    await report(device, [rtpOff(firstSeen), { ...rtpOff(firstSeen), alertId: 'posture.never' }]);
    const never = await t.admin.ok<AlertTriageView>('GET', alertPath(device, 'posture.never'));
    expect([never.triage, never.comments, never.effect]).toEqual([null, [], 'active']);
    const bad = await t.admin.call('POST', '/suppression-rules', { scope: 'device', alertId: 'posture.realTimeProtectionOff', comment: 'x' });
    expect([...refused(bad), bad.text.includes('/deviceId')]).toEqual([400, 'SCHEMA_INVALID', true]);
    const past = await t.admin.call('POST', '/suppression-rules', { scope: 'organization', alertId: 'posture.x', comment: 'x', expiresAt: at(-1000) });
    expect([...refused(past), past.text.includes('/expiresAt')]).toEqual([400, 'SCHEMA_INVALID', true]);
    const noDevice = { scope: 'device', deviceId: randomUUID(), alertId: 'posture.x', comment: 'x' };
    expect(refused(await t.admin.call('POST', '/suppression-rules', noDevice))).toEqual([404, 'NOT_FOUND']);
    expect((await t.admin.ok<SuppressionRuleList>('GET', '/suppression-rules')).rules.filter((r) => r.alertId === 'posture.x')).toEqual([]);
  });

  it('a device suppression allows the device at once, travels signed with its policies and stops at its expiry', async () => {
    const { device } = await blockedDevice();
    const expiresAt = at(2 * HOUR);
    const rule = validate(
      SuppressionRule,
      await t.admin.ok('POST', '/suppression-rules', {
        scope: 'device',
        deviceId: device.deviceId,
        alertId: 'posture.realTimeProtectionOff',
        comment: 'kiosk',
        expiresAt,
      }),
      'rule',
    );
    expect(await access(device)).toBe('allow');
    expect((await t.admin.ok<AlertTriageView>('GET', alertPath(device))).suppressedBy).toBe(rule.ruleId);
    const fetched = validate(PoliciesResponse, (await device.get('/v1/device/policies')).body, 'policies');
    expect(fetched.suppressions?.payload).toMatchObject({
      purpose: 'attache-suppressions',
      deviceId: device.deviceId,
      suppressions: [{ ruleId: rule.ruleId, alertId: 'posture.realTimeProtectionOff', expiresAt }],
    });
    expect(fetched.suppressions?.payload.deviceId).toBe(device.deviceId);
    // Shortening the rule's expiry moves the device's next evaluation (no write at the expiry itself).
    const shorter = at(HOUR);
    const changed = await t.admin.ok<SuppressionRule>('PATCH', `/suppression-rules/${rule.ruleId}`, { expiresAt: shorter, comment: 'kiosk, one hour' });
    expect(changed).toMatchObject({ ruleId: rule.ruleId, expiresAt: shorter, comment: 'kiosk, one hour', scope: 'device' });
    const past = await t.admin.call('PATCH', `/suppression-rules/${rule.ruleId}`, { expiresAt: at(-1000) });
    expect([...refused(past), past.text.includes('/expiresAt')]).toEqual([400, 'SCHEMA_INVALID', true]);
    expect(refused(await t.admin.call('PATCH', `/suppression-rules/${randomUUID()}`, { comment: 'x' }))).toEqual([404, 'NOT_FOUND']);
    try {
      t.setClockOffset(HOUR + 1000);
      await t.ticker.tick();
      expect(await access(device)).toBe('block');
      const after = validate(PoliciesResponse, (await device.get('/v1/device/policies')).body, 'policies');
      // An empty list, signed and newer: the agent's replay floor moves past the list that held the rule.
      expect(after.suppressions?.payload).toMatchObject({ deviceId: device.deviceId, suppressions: [] });
      expect(Date.parse(after.suppressions?.payload.issuedAt ?? '')).toBeGreaterThan(Date.parse(fetched.suppressions?.payload.issuedAt ?? ''));
      expect(after.etag).not.toBe(fetched.etag);
    } finally {
      t.setClockOffset(0);
    }
  });

  it('an organization rule re-evaluates every device holding the alert; deleting it blocks them again', async () => {
    const [a, b] = [await blockedDevice(), await blockedDevice()];
    const rule = await t.admin.ok<SuppressionRule>('POST', '/suppression-rules', {
      scope: 'organization',
      alertId: 'posture.realTimeProtectionOff',
      comment: 'fleet-wide exception',
    });
    expect([await access(a.device), await access(b.device)]).toEqual(['allow', 'allow']);
    await t.admin.ok('PATCH', `/suppression-rules/${rule.ruleId}`, { comment: 'fleet-wide exception, reviewed' });
    expect([await access(a.device), await access(b.device)]).toEqual(['allow', 'allow']);
    expect((await t.admin.call('DELETE', `/suppression-rules/${rule.ruleId}`)).status).toBe(204);
    expect([await access(a.device), await access(b.device)]).toEqual(['block', 'block']);
    expect(refused(await t.admin.call('DELETE', `/suppression-rules/${rule.ruleId}`))).toEqual([404, 'NOT_FOUND']);
    const audit = await t.admin.ok<{ entries: { action: string }[] }>('GET', '/audit?limit=50');
    expect(audit.entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['suppressionRule.create', 'suppressionRule.update', 'suppressionRule.delete', 'alert.update']),
    );
  });

  it('refuses a scoped admin the organization and devices outside its scope, and the Help Desk every triage write', async () => {
    const { device: inside } = await blockedDevice();
    const { device: outside } = await blockedDevice();
    const g = await t.admin.ok<{ groupId: string }>('POST', '/groups', { name: `scope-${randomUUID().slice(0, 8)}` });
    await t.admin.ok('POST', `/groups/${g.groupId}/members`, { deviceId: inside.deviceId });
    const scoped = await adminAccount(t, 'endpointSecurityManager', [g.groupId]);
    const org = { scope: 'organization', alertId: 'posture.realTimeProtectionOff', comment: 'x' };
    expect(refused(await scoped.api.call('POST', '/suppression-rules', org))).toEqual([403, 'ADMIN_FORBIDDEN']);
    const away = { scope: 'device', deviceId: outside.deviceId, alertId: 'posture.realTimeProtectionOff', comment: 'x' };
    expect(refused(await scoped.api.call('POST', '/suppression-rules', away))).toEqual([404, 'NOT_FOUND']);
    expect(refused(await scoped.api.call('PATCH', alertPath(outside), { status: 'resolved' }))).toEqual([404, 'NOT_FOUND']);
    const own = await scoped.api.call('POST', '/suppression-rules', { ...away, deviceId: inside.deviceId, alertId: 'posture.other' });
    expect(own.status).toBe(201);
    const ownId = (own.body as SuppressionRule).ruleId;
    expect(refused(await scoped.api.call('DELETE', `/suppression-rules/${ownId}`))).toEqual([403, 'ADMIN_FORBIDDEN']);
    expect(refused(await scoped.api.call('PATCH', `/suppression-rules/${ownId}`, { comment: 'y' }))).toEqual([403, 'ADMIN_FORBIDDEN']);
    expect(await access(outside)).toBe('block');
    expect((await scoped.api.call('PATCH', alertPath(inside), { status: 'resolved' })).status).toBe(200);
    expect(await access(inside)).toBe('allow');
    const helpDesk = await adminAccount(t, 'helpDeskOperator');
    expect(refused(await helpDesk.api.call('PATCH', alertPath(outside), { status: 'resolved' }))).toEqual([403, 'ADMIN_FORBIDDEN']);
    expect(refused(await helpDesk.api.call('POST', '/suppression-rules', org))).toEqual([403, 'ADMIN_FORBIDDEN']);
    expect((await helpDesk.api.call('GET', alertPath(outside))).status).toBe(200);
  });
});
