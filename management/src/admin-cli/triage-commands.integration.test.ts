// The admin CLI's alert triage commands against a real endpoint: `alert update` resolves and classifies (the risk level
// drops at once), `alert comment` and `alert show` (hostile text escaped), `alert suppress` on a device with a duration
// and on the organization, `suppression list|delete`, and usage errors before any request.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertTriageView, DeviceAlerts, SuppressionRule } from '../../../policy-schemas/src/index.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { adminCliRunner } from './testing/cli-runner.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t?.close();
});

const { cli, json } = adminCliRunner(() => t.dir);
const ALERT = 'posture.realTimeProtectionOff';

async function deviceWithAlert(): Promise<string> {
  const device = await t.enrolledDevice();
  const now = new Date(t.now()).toISOString();
  const alert = { alertId: ALERT, category: 'posture', severity: 'high', title: 'RTP off', evidence: {}, firstSeen: now, lastSeen: now, status: 'active' };
  const res = await device.post('/v1/device/alerts', {
    reportId: randomUUID(),
    deviceId: device.deviceId,
    generatedAt: now,
    riskLevel: 'high',
    alerts: [alert],
  });
  expect(res.status).toBe(200);
  return device.deviceId;
}

describe('attache-admin alert and suppression', () => {
  it('resolves, classifies, assigns and comments on an alert; the risk level drops at once', async () => {
    const id = await deviceWithAlert();
    const args = ['--status', 'resolved', '--classification', 'falsePositive', '--determination', 'notMalicious', '--assign-to', 'alice'];
    const view = await json<AlertTriageView>('alert', 'update', id, ALERT, ...args, '--comment', 'lab box');
    expect(view).toMatchObject({ effect: 'resolvedByAdmin', triage: { status: 'resolved', assignedTo: 'alice', determination: 'notMalicious' } });
    expect((await json<DeviceAlerts>('device', 'alerts', id)).riskLevel).toBe('none');
    await cli('alert', 'comment', id, ALERT, 'evil\u001b[31m red\u202e');
    const shown = await cli('alert', 'show', id, ALERT);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('resolvedByAdmin');
    expect(shown.out).toContain('falsePositive / notMalicious');
    expect(shown.out).not.toContain('\u001b[31m');
    expect(shown.out).not.toContain('\u202e');
    const bad = await cli('alert', 'update', id, ALERT, '--classification', 'falsePositive', '--determination', 'malware');
    expect([bad.code === 0, bad.err.includes('/determination')]).toEqual([false, true]);
    const nothing = await cli('alert', 'update', id, ALERT);
    expect([nothing.code === 0, nothing.err.includes('nothing to change')]).toEqual([false, true]);
  });

  it('suppresses on a device for a while and on the organization, lists and deletes rules', async () => {
    const id = await deviceWithAlert();
    const rule = await json<SuppressionRule>('alert', 'suppress', ALERT, '--device', id, '--comment', 'kiosk', '--expires', '7d');
    expect(rule).toMatchObject({ scope: 'device', deviceId: id, alertId: ALERT });
    expect(Date.parse(rule.expiresAt as string) - t.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect((await json<DeviceAlerts>('device', 'alerts', id)).alerts[0]).toMatchObject({ effect: 'suppressed', suppressedBy: rule.ruleId });
    const org = await json<SuppressionRule>('alert', 'suppress', 'posture.firewallOff', '--organization', '--comment', 'fleet');
    const listed = await cli('suppression', 'list');
    expect(listed.out).toContain(rule.ruleId);
    expect(listed.out).toContain('(all devices)');
    const longer = await json<SuppressionRule>('suppression', 'update', rule.ruleId, '--no-expiry', '--comment', 'kiosk, for good');
    expect(longer).toMatchObject({ expiresAt: null, comment: 'kiosk, for good' });
    const none = await cli('suppression', 'update', rule.ruleId);
    expect([none.code === 0, none.err.includes('nothing to change')]).toEqual([false, true]);
    expect((await cli('suppression', 'delete', org.ruleId)).code).toBe(0);
    expect((await json<{ rules: SuppressionRule[] }>('suppression', 'list')).rules.map((r) => r.ruleId)).not.toContain(org.ruleId);
    const both = await cli('alert', 'suppress', ALERT, '--device', id, '--organization', '--comment', 'x');
    expect([both.code === 0, both.err.includes('exactly one')]).toEqual([false, true]);
  });
});
