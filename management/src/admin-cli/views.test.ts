// Unit tests of the admin CLI's views: the device status view shows our code with Intune's beside it; the Intune source
// of policies and compliance policies, one unit per Intune policy, with the export's strings escaped.
import { describe, expect, it } from 'vitest';
import type { CompliancePolicy, PolicySource } from '../../../policy-schemas/src/index.js';
import { compliancePolicyDetails, importedCompliance } from './compliance-views.js';
import { deviceStatusView, type ImportedItem, intuneSourcesSection } from './views.js';

describe('deviceStatusView', () => {
  it("prints Intune's hex code beside ours where the endpoint gave one, and our code alone elsewhere", () => {
    const setting = { kind: 'antivirus' as const, policyIds: [], reportedAt: '2025-01-10T12:00:00.000Z' };
    const text = deviceStatusView({
      deviceId: '11111111-1111-4111-8111-111111111111',
      lastReportAt: '2025-01-10T12:00:00.000Z',
      lastSyncError: null,
      policies: [],
      settings: [
        {
          ...setting,
          settingId: 'defender.AllowRealtimeMonitoring',
          state: 'error',
          code: 'SETTING_NOT_ENFORCED',
          intuneCode: -2016281112,
          intuneHex: '0x87D1FDE8',
          message: 'read back 0',
        },
        { ...setting, settingId: 'defender.PUAProtection', state: 'conflict', code: 'SETTING_CONFLICT', message: 'two policies' },
        { ...setting, settingId: 'defender.AllowBehaviorMonitoring', state: 'succeeded' },
      ],
    });
    expect(text).toContain('SETTING_NOT_ENFORCED (Intune 0x87D1FDE8 = -2016281112): read back 0');
    expect(text).toContain('SETTING_CONFLICT: two policies');
    expect(text).not.toContain('SETTING_CONFLICT (Intune');
  });
});

describe('Intune sources', () => {
  const source: PolicySource = { system: 'intune', id: 'abc-1', name: 'Win\u202e - AV\nforged row', description: 'line one\nline two' };
  const compliance: CompliancePolicy = {
    compliancePolicyId: '22222222-2222-4222-8222-222222222222',
    name: 'Defender risk',
    settings: { maxRiskLevel: 'low' },
    gracePeriodHours: 0,
    version: 3,
    createdAt: '2025-01-10T12:00:00.000Z',
    updatedAt: '2025-01-10T12:00:00.000Z',
    source,
  };

  it('lists what one Intune policy produced under it, whatever the kind, and nothing for items authored here', () => {
    const policy: ImportedItem = { source, kind: 'antivirus', id: 'p-1', name: 'Win AV', version: 1 };
    const text = intuneSourcesSection([policy, importedCompliance(compliance), { kind: 'asr', id: 'p-2', name: 'local', version: 1 }]);
    expect(text).toBe(
      '\nImported from Intune\nIntune policy "Win\\u202e - AV\\nforged row" (abc-1)\n  antivirus: p-1 "Win AV" v1\n  compliance: 22222222-2222-4222-8222-222222222222 "Defender risk" v3\n',
    );
    expect(intuneSourcesSection([{ ...policy, source: undefined }])).toBe('');
  });

  it("shows a compliance policy's Intune name, id and description", () => {
    const text = compliancePolicyDetails(compliance);
    expect(text).toMatch(/intune policy: +Win\\u202e - AV\\nforged row \(abc-1\)\n/);
    expect(text).toMatch(/intune description: +line one\\nline two\n/);
    expect(compliancePolicyDetails({ ...compliance, source: undefined })).not.toContain('intune');
  });
});
