// Integration test of the admin CLI's signal, compliance and access commands against a real endpoint: a device uploads
// health, inventory and a high alert; the admin creates and assigns a compliance policy, then reads alerts, health,
// inventory, compliance (reasons and transitions) and the access decision, and manages access tokens.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AccessDecision,
  AccessTokenCreated,
  ComplianceAssignment,
  ComplianceOverview,
  CompliancePolicy,
  DeviceAlerts,
  DeviceCompliance,
  DeviceHealthView,
  DeviceInventoryView,
} from '../../../policy-schemas/src/index.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { adminCliRunner } from './testing/cli-runner.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t.close();
});

const { cli, json } = adminCliRunner(() => t.dir);

describe('attache-admin signals, compliance and access', () => {
  it('shows a device’s risk, alerts, health, inventory, compliance and access decision', async () => {
    const device = await t.enrolledDevice();
    const now = new Date().toISOString();
    await device.post('/v1/device/health', {
      deviceId: device.deviceId,
      health: {
        collectedAt: now,
        antivirus: {
          source: 'simulated',
          mode: 'active',
          realTimeProtection: true,
          tamperProtection: true,
          signatureVersion: '1.421.0.0',
          signatureAgeHours: 5,
        },
        firewall: { source: 'simulated', enabled: false, profiles: { Domain: true, Public: false } },
      },
    });
    await device.post('/v1/device/inventory', {
      deviceId: device.deviceId,
      inventory: {
        collectedAt: now,
        hash: 'd'.repeat(64),
        agentVersion: '0.1.0',
        hostname: 'ws-042',
        os: { platform: 'windows', release: '11', build: '22631', arch: 'x64' },
        hardware: { manufacturer: 'Contoso', model: 'Laptop 7', serial: 'SN-77', memoryBytes: 17179869184 },
        network: [{ iface: 'Ethernet', mac: '00:11:22:33:44:55', addresses: ['192.0.2.7'] }],
        diskEncryption: { state: 'encrypted', method: 'bitlocker' },
      },
    });
    await device.post('/v1/device/alerts', {
      reportId: randomUUID(),
      deviceId: device.deviceId,
      generatedAt: now,
      riskLevel: 'high',
      alerts: [
        {
          alertId: 'indicator.abc',
          category: 'indicator',
          severity: 'high',
          title: 'Process matches indicator',
          evidence: { path: '/tmp/x' },
          firstSeen: now,
          lastSeen: now,
          status: 'active',
          action: { type: 'killProcess', ok: true },
        },
      ],
    });

    const file = join(t.dir, 'compliance.json');
    await writeFile(file, JSON.stringify({ name: 'Workstations', settings: { maxRiskLevel: 'medium', requireFirewall: true }, gracePeriodHours: 0 }));
    const policy = await json<CompliancePolicy>('compliance', 'create', '--file', file);
    expect(policy).toMatchObject({ name: 'Workstations', version: 1, gracePeriodHours: 0 });
    expect((await json<{ compliancePolicies: CompliancePolicy[] }>('compliance', 'list')).compliancePolicies.map((p) => p.name)).toEqual(['Workstations']);
    expect((await cli('compliance', 'list')).out).toContain('maxRiskLevel=medium requireFirewall=true');
    expect((await json<CompliancePolicy>('compliance', 'show', policy.compliancePolicyId)).settings).toEqual({ maxRiskLevel: 'medium', requireFirewall: true });

    expect((await json<AccessDecision>('access', 'check', device.deviceId)).decision).toBe('allow');
    await json('group', 'create', 'Desks');
    await json('group', 'add-device', 'Desks', device.deviceId);
    const assignment = await json<ComplianceAssignment>('compliance', 'assign', policy.compliancePolicyId, 'Desks');
    expect(assignment.mode).toBe('include');
    expect((await json<{ assignments: ComplianceAssignment[] }>('compliance', 'assignments')).assignments).toEqual([assignment]);

    const decision = await json<AccessDecision>('access', 'check', device.deviceId);
    expect(decision).toMatchObject({ decision: 'block', complianceState: 'noncompliant', riskLevel: 'high' });
    const human = await cli('access', 'check', device.deviceId);
    expect(human.out).toMatch(/decision:\s+BLOCK/);
    expect(human.out).toContain('machine risk high is above the allowed medium');
    expect(human.out).toContain('firewall is off (off: Public)');

    const overview = await json<ComplianceOverview>('compliance', 'devices');
    expect(overview.devices.find((x) => x.deviceId === device.deviceId)).toMatchObject({ decision: 'block', riskLevel: 'high', hostname: 'ws-042' });
    expect((await cli('compliance', 'devices')).out).toMatch(new RegExp(`${device.deviceId}\\s+ws-042\\s+windows\\s+high\\s+noncompliant\\s+block`));

    const alerts = await json<DeviceAlerts>('device', 'alerts', device.deviceId);
    expect(alerts).toMatchObject({ riskLevel: 'high', activeCount: 1 });
    expect((await cli('device', 'alerts', device.deviceId)).out).toMatch(/indicator\.abc\s+high\s+active\s+active\s+Process matches indicator/);

    expect((await json<DeviceHealthView>('device', 'health', device.deviceId)).health?.firewall.enabled).toBe(false);
    const healthText = (await cli('device', 'health', device.deviceId)).out;
    expect(healthText).toMatch(/real-time protection:\s+on/);
    expect(healthText).toContain('Public off');
    expect((await json<DeviceInventoryView>('device', 'inventory', device.deviceId)).inventory?.hardware.serial).toBe('SN-77');
    const inventoryText = (await cli('device', 'inventory', device.deviceId)).out;
    expect(inventoryText).toContain('encrypted (bitlocker)');
    expect(inventoryText).toContain('16384 MiB');

    const compliance = await json<DeviceCompliance>('device', 'compliance', device.deviceId);
    expect(compliance.reasons.map((r) => r.setting)).toEqual(['maxRiskLevel', 'requireFirewall']);
    expect(compliance.transitions.map((x) => x.to)).toEqual(['noncompliant', 'compliant']);
    const complianceText = (await cli('device', 'compliance', device.deviceId)).out;
    expect(complianceText).toMatch(/compliance:\s+noncompliant/);
    expect(complianceText).toContain('[noncompliant] compliance policy "Workstations": requireFirewall: firewall is off');

    await json('compliance', 'unassign', assignment.assignmentId);
    expect((await json<AccessDecision>('access', 'check', device.deviceId)).decision).toBe('allow');
    await json('compliance', 'delete', policy.compliancePolicyId);
    expect((await cli('compliance', 'show', policy.compliancePolicyId)).err).toMatch(/^error NOT_FOUND: /);
  });

  it('checks compliance files locally and manages access tokens', async () => {
    const bad = join(t.dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ name: 'x', settings: { maxRiskLevel: 'severe' } }));
    const res = await cli('compliance', 'create', '--file', bad);
    expect(res.code).toBe(65);
    expect(res.err).toMatch(/^error SCHEMA_INVALID: .*\/settings\/maxRiskLevel/);
    expect((await json<{ compliancePolicies: unknown[] }>('compliance', 'list')).compliancePolicies).toEqual([]);
    expect((await cli('access', 'check', 'not-a-device')).err).toMatch(/^error NOT_FOUND: /);

    const created = await json<AccessTokenCreated>('access-token', 'create', '--description', 'gateway');
    expect(created.token).toMatch(/^att_acc_/);
    const listed = await cli('access-token', 'list');
    expect(listed.out).toContain(created.tokenId);
    expect(listed.out).not.toContain(created.token);
    await json('access-token', 'revoke', created.tokenId);
    expect((await cli('access-token', 'revoke', created.tokenId)).err).toMatch(/^error NOT_FOUND: /);
  });
});
