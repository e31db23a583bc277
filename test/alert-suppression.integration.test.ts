// Alert suppression end to end: a real endpoint (in process, settable clock) and the agent's own enrollment,
// transport, sync and risk engine on a real state dir. The agent reports real-time protection off (medium) and is
// blocked; an admin suppresses it on the device with an expiry; the agent's next sync caches the endpoint-signed list,
// and its risk engine, with the condition still present, reports no risk, which the endpoint agrees with. Past the
// expiry both sides count the alert again.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_RISK_STATE, evaluate, type RiskResult, type RiskState } from '../agent/src/core/risk-engine.js';
import { enroll } from '../agent/src/enrollment/enroll.js';
import { silentLogger } from '../agent/src/logging.js';
import { selectHost } from '../agent/src/platform/index.js';
import { StateStore } from '../agent/src/state/state-store.js';
import { readSuppressions } from '../agent/src/sync/suppressions.js';
import { SyncEngine } from '../agent/src/sync/sync-engine.js';
import { EndpointClient } from '../agent/src/transport/endpoint-client.js';
import { isoTime } from '../common/iso-time.js';
import { privateKeyFromPem, sha256Hex } from '../common/signing.js';
import { startTestEndpoint, type TestEndpoint } from '../management/src/testing/test-endpoint.js';
import type { AntivirusHealth, ComplianceOverview } from '../policy-schemas/src/index.js';
import { removeDir, tempDir } from './harness.js';

const HOUR = 3_600_000;
let te: TestEndpoint;
let dir: string;
let client: EndpointClient | undefined;

beforeAll(async () => {
  te = await startTestEndpoint({ complianceIntervalMs: 30_000 });
  dir = await tempDir('suppress');
});
afterAll(async () => {
  client?.close();
  await te?.close();
  await removeDir(dir);
});

const rtpOff: AntivirusHealth = { source: 'simulated', mode: 'active', realTimeProtection: false, tamperProtection: true, signatureAgeHours: 1 };
const config = { signatureMaxAgeHours: 72, applyErrorSyncs: 3, tamperAlertMs: HOUR, caseInsensitive: false };

describe('a suppression reaches the agent', () => {
  it('keeps a still-present finding from raising risk on the device and the endpoint, until it expires', async () => {
    const store = new StateStore(join(dir, randomUUID()), { posixPermissions: process.platform !== 'win32' });
    const host = selectHost({ kind: 'simulated', platform: 'linux', hostname: 'sim' });
    const identity = await enroll({ onboardingPackage: await te.onboarding() }, { store, host, now: te.now });
    const privateKey = privateKeyFromPem(await store.readPrivateKeyPem());
    client = new EndpointClient(
      { endpointUrl: identity.endpointUrl, caCertificate: identity.caCertificate, credentials: { deviceId: identity.deviceId, privateKey } },
      { now: te.now },
    );
    const engine = new SyncEngine({ store, client, host, identity, now: te.now, newId: randomUUID, logger: silentLogger() });
    const policy = await te.admin.ok<{ compliancePolicyId: string }>('POST', '/compliance-policies', { name: 'clear', settings: { maxRiskLevel: 'clear' } });
    const group = await te.admin.ok<{ groupId: string }>('POST', '/groups', { name: 'g' });
    await te.admin.ok('POST', `/groups/${group.groupId}/members`, { deviceId: identity.deviceId });
    await te.admin.ok('POST', `/compliance-policies/${policy.compliancePolicyId}/assignments`, { groupId: group.groupId });

    /** One risk check with real-time protection still off, its report to the endpoint, and the endpoint's level. */
    let state: RiskState = EMPTY_RISK_STATE;
    const check = async (): Promise<{ result: RiskResult; endpoint: string }> => {
      const now = { ms: te.now(), iso: isoTime(te.now()) };
      const suppressions = await readSuppressions({ store, identity, logger: silentLogger() });
      const result = evaluate(
        state,
        { indicators: [], health: { antivirus: rtpOff, firewall: { source: 'simulated', enabled: true } }, suppressions },
        config,
        now,
        sha256Hex,
      );
      state = result.state;
      const alerts = state.alerts.map((t) => t.alert);
      const ack = await client?.postAlerts({ reportId: randomUUID(), deviceId: identity.deviceId, generatedAt: now.iso, riskLevel: result.riskLevel, alerts });
      return { result, endpoint: ack?.riskLevel ?? 'none' };
    };
    const accessOf = async () =>
      (await te.admin.ok<ComplianceOverview>('GET', '/compliance/devices')).devices.find((d) => d.deviceId === identity.deviceId)?.decision;

    await engine.sync('manual');
    const before = await check();
    expect([before.result.riskLevel, before.endpoint, await accessOf()]).toEqual(['medium', 'medium', 'block']);

    const rule = await te.admin.ok<{ ruleId: string }>('POST', '/suppression-rules', {
      scope: 'device',
      deviceId: identity.deviceId,
      alertId: 'posture.realTimeProtectionOff',
      comment: 'kiosk build without real-time protection',
      expiresAt: isoTime(te.now() + 2 * HOUR),
    });
    expect(await accessOf()).toBe('allow');
    await engine.sync('manual');
    expect(await readSuppressions({ store, identity, logger: silentLogger() })).toEqual([
      expect.objectContaining({ ruleId: rule.ruleId, alertId: 'posture.realTimeProtectionOff' }),
    ]);
    const suppressed = await check();
    expect([suppressed.result.riskLevel, suppressed.endpoint, await accessOf()]).toEqual(['none', 'none', 'allow']);
    expect(state.alerts.find((t) => t.alert.alertId === 'posture.realTimeProtectionOff')).toMatchObject({
      suppressedBy: rule.ruleId,
      alert: { status: 'active' },
    });

    try {
      te.setClockOffset(2 * HOUR + 1000);
      await te.ticker.tick();
      expect(await accessOf()).toBe('block');
      const expired = await check();
      expect([expired.result.riskLevel, expired.endpoint]).toEqual(['medium', 'medium']);
      await engine.sync('manual');
      expect(await readSuppressions({ store, identity, logger: silentLogger() })).toEqual([]);
    } finally {
      te.setClockOffset(0);
    }
  });
});
