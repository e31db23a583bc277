// Every catalog setting says where it comes from in Intune (decision D6): profile and setting ids, or why there is none;
// the exact-id table names only catalog settings.
import { describe, expect, it } from 'vitest';
import { SETTINGS, settingById } from '../index.js';
import { INTUNE_SETTING_IDS, intuneSourceOf, NO_INTUNE_COUNTERPART } from './intune-sources.js';

describe('intune-sources', () => {
  it('has an entry for every catalog setting', () => {
    const missing = SETTINGS.filter((s) => intuneSourceOf(s) === undefined).map((s) => s.id);
    expect(missing).toEqual([]);
  });

  it('gives each Intune-delivered setting at least one profile and setting id, and each other one a reason', () => {
    for (const s of SETTINGS) {
      const source = intuneSourceOf(s);
      if (source?.kind === 'intune') {
        expect(source.profiles.length, s.id).toBeGreaterThan(0);
        expect(source.settingDefinitionIds.length, s.id).toBeGreaterThan(0);
      } else expect(source?.why.length, s.id).toBeGreaterThan(20);
    }
  });

  it('names only settings the catalog has', () => {
    const targets = new Set([...Object.values(INTUNE_SETTING_IDS).map((t) => t.settingId), ...Object.keys(NO_INTUNE_COUNTERPART)]);
    expect([...targets].filter((id) => !settingById(id))).toEqual([]);
  });

  it('derives CSP-family, ASR and threat-severity ids', () => {
    const of = (id: string) => {
      const s = settingById(id);
      return s ? intuneSourceOf(s) : undefined;
    };
    expect(of('defender.AllowRealtimeMonitoring')).toEqual({
      kind: 'intune',
      profiles: ['Microsoft Defender Antivirus (Windows)'],
      settingDefinitionIds: ['device_vendor_msft_policy_config_defender_allowrealtimemonitoring'],
    });
    expect(of('asr.7674ba52-37eb-4a4f-a9a1-f0f9a1619a2c')).toMatchObject({
      profiles: ['Attack Surface Reduction Rules'],
      settingDefinitionIds: ['device_vendor_msft_policy_config_defender_attacksurfacereductionrules_blockadobereaderfromcreatingchildprocesses'],
    });
    expect(of('defender.EnableControlledFolderAccess')).toMatchObject({ profiles: ['Attack Surface Reduction Rules'] });
    expect(of('mdatp.cloudService.enabled')).toMatchObject({
      settingDefinitionIds: ['linux_mdatp_managed_cloudservice_enabled', 'com.apple.managedclient.preferences_enabled'],
    });
    expect(of('indicators.items')).toMatchObject({ kind: 'none' });
  });
});
