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
});
