// Compliance-policy import from exports written from the published Graph schema (windows10CompliancePolicy,
// macOSCompliancePolicy): Defender checks map onto our compliance settings, everything else configured is reported.
import { describe, expect, it } from 'vitest';
import { importIntunePolicy } from './import-policy.js';
import { compliancePolicy } from './testing/graph-fixtures.js';

const block = (hours: number) => [
  { ruleName: 'PasswordRequired', scheduledActionConfigurations: [{ actionType: 'block', gracePeriodHours: hours, notificationTemplateId: '' }] },
];

describe('Intune compliance policy import', () => {
  it('maps the Windows Defender checks, machine risk and the noncompliance grace period', () => {
    const r = importIntunePolicy(
      compliancePolicy('windows10CompliancePolicy', {
        deviceThreatProtectionEnabled: true,
        deviceThreatProtectionRequiredSecurityLevel: 'medium',
        rtpEnabled: true,
        signatureOutOfDate: true,
        activeFirewallRequired: true,
        defenderEnabled: true,
        antivirusRequired: true,
        bitLockerEnabled: true,
        osMinimumVersion: '10.0.22631',
        passwordRequired: true,
        passwordRequiredType: 'deviceDefault',
        tpmRequired: false,
        defenderVersion: null,
        validOperatingSystemBuildRanges: [],
        scheduledActionsForRule: block(24),
      }),
    );
    expect(r.compliancePolicies).toEqual([
      {
        name: 'Test compliance',
        description: 'Imported from Intune compliance policy 99999999-8888-7777-6666-555555555555. Defender requirements',
        settings: { maxRiskLevel: 'medium', requireRealTimeProtection: true, requireSignaturesUpToDate: true, requireFirewall: true },
        gracePeriodHours: 24,
      },
    ]);
    expect(r.mapped.map((m) => m.settingDefinitionId).sort()).toEqual(
      [
        'activeFirewallRequired',
        'deviceThreatProtectionEnabled',
        'deviceThreatProtectionRequiredSecurityLevel',
        'rtpEnabled',
        'scheduledActionsForRule',
        'signatureOutOfDate',
      ].sort(),
    );
    expect(Object.fromEntries(r.unmapped.map((u) => [u.settingDefinitionId, u.reason]))).toEqual({
      defenderEnabled: 'notInCatalog',
      antivirusRequired: 'notInCatalog',
      bitLockerEnabled: 'notInCatalog',
      osMinimumVersion: 'notInCatalog',
      passwordRequired: 'outOfScope',
    });
    expect(r.instances).toBe(r.mapped.length + r.unmapped.length);
  });

  it('maps "secured" to a clear machine and ignores a risk level Intune does not enforce', () => {
    const secured = importIntunePolicy(
      compliancePolicy('windows10CompliancePolicy', { deviceThreatProtectionEnabled: true, deviceThreatProtectionRequiredSecurityLevel: 'secured' }),
    );
    expect(secured.compliancePolicies[0]?.settings).toEqual({ maxRiskLevel: 'clear' });
    const off = importIntunePolicy(compliancePolicy('windows10CompliancePolicy', { deviceThreatProtectionRequiredSecurityLevel: 'high' }));
    expect(off.compliancePolicies).toEqual([]);
    expect(off.unmapped).toEqual([expect.objectContaining({ reason: 'unknown', settingDefinitionId: 'deviceThreatProtectionRequiredSecurityLevel' })]);
  });

  it('maps macOS: the Defender for Endpoint risk level and the firewall, not the partner threat level or Gatekeeper', () => {
    const r = importIntunePolicy(
      compliancePolicy('macOSCompliancePolicy', {
        advancedThreatProtectionRequiredSecurityLevel: 'low',
        deviceThreatProtectionEnabled: true,
        deviceThreatProtectionRequiredSecurityLevel: 'high',
        firewallEnabled: true,
        firewallEnableStealthMode: true,
        gatekeeperAllowedAppSource: 'macAppStoreAndIdentifiedDevelopers',
        systemIntegrityProtectionEnabled: true,
      }),
    );
    expect(r.compliancePolicies[0]?.settings).toEqual({ maxRiskLevel: 'low', requireFirewall: true });
    expect(Object.fromEntries(r.unmapped.map((u) => [u.settingDefinitionId, u.reason]))).toEqual({
      deviceThreatProtectionEnabled: 'outOfScope',
      deviceThreatProtectionRequiredSecurityLevel: 'outOfScope',
      firewallEnableStealthMode: 'notInCatalog',
      gatekeeperAllowedAppSource: 'notInCatalog',
      systemIntegrityProtectionEnabled: 'notInCatalog',
    });
  });

  it('creates nothing when no Defender check is configured, and still says what was dropped', () => {
    const r = importIntunePolicy(compliancePolicy('windows10CompliancePolicy', { bitLockerEnabled: true }));
    expect(r.compliancePolicies).toEqual([]);
    expect(r.unmapped).toHaveLength(1);
  });

  it('names a display name the API would refuse as a fault of the export', () => {
    expect(() => importIntunePolicy(compliancePolicy('windows10CompliancePolicy', { displayName: 'bad\u0007name', rtpEnabled: true }))).toThrow(
      /INTUNE_EXPORT_INVALID|Intune compliance policy/,
    );
  });

  it('counts deviceThreatProtectionEnabled as mapped only when its level produces a risk ceiling (review 16c B5)', () => {
    for (const level of ['unavailable', 'notSet', undefined]) {
      const r = importIntunePolicy(
        compliancePolicy('windows10CompliancePolicy', {
          deviceThreatProtectionEnabled: true,
          ...(level ? { deviceThreatProtectionRequiredSecurityLevel: level } : {}),
          rtpEnabled: true,
        }),
      );
      expect(r.compliancePolicies[0]?.settings).toEqual({ requireRealTimeProtection: true });
      expect(r.mapped.map((m) => m.settingDefinitionId)).toEqual(['rtpEnabled']);
      expect(r.unmapped).toEqual([
        expect.objectContaining({ settingDefinitionId: 'deviceThreatProtectionEnabled', reason: 'unknown', detail: expect.stringMatching(/without a level/) }),
      ]);
    }
  });

  it('a boolean check given anything but true is unmapped "expected a boolean", never a requirement (review 16c B4)', () => {
    const r = importIntunePolicy(
      compliancePolicy('windows10CompliancePolicy', {
        rtpEnabled: 'no',
        activeFirewallRequired: {},
        signatureOutOfDate: [1],
        deviceThreatProtectionEnabled: 1,
        deviceThreatProtectionRequiredSecurityLevel: 'high',
      }),
    );
    expect(r.compliancePolicies).toEqual([]);
    expect(r.mapped).toEqual([]);
    expect(Object.fromEntries(r.unmapped.map((u) => [u.settingDefinitionId, u.detail]))).toEqual({
      rtpEnabled: 'expected a boolean, got "no"',
      activeFirewallRequired: 'expected a boolean, got an object',
      signatureOutOfDate: 'expected a boolean, got an array',
      deviceThreatProtectionEnabled: 'expected a boolean, got 1',
      deviceThreatProtectionRequiredSecurityLevel: expect.stringMatching(/without deviceThreatProtectionEnabled/),
    });
  });

  it('a deeply nested value or an oversized export is INTUNE_EXPORT_INVALID before mapping, not a RangeError (review 16c B4)', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const text = `{"@odata.type":"#microsoft.graph.windows10CompliancePolicy","id":"99999999-8888-7777-6666-555555555555","displayName":"n","rtpEnabled":${deep}}`;
    expect(() => importIntunePolicy(text)).toThrow(
      expect.objectContaining({ code: 'INTUNE_EXPORT_INVALID', message: expect.stringMatching(/nests deeper than 300/) }),
    );
    const big = `{"@odata.type":"#microsoft.graph.windows10CompliancePolicy","description":"${'x'.repeat(32 * 1024 * 1024)}"}`;
    expect(() => importIntunePolicy(big)).toThrow(
      expect.objectContaining({ code: 'INTUNE_EXPORT_INVALID', message: expect.stringMatching(/at most 33554432/) }),
    );
  });
});
