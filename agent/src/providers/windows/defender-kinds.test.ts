// Boundary tests of the Windows Defender providers for asr, defenderUpdate, securityExperience and edr: for a full
// policy, the exact JSON plan the constant apply script gets on stdin (MDM bridge writes with their Policies-key
// fallback, registry-only values); then what reads back and the status the core derives from it.
import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { DefenderApplyPlan } from './defender-plan.js';
import { applyPolicy, CENTER, DEFENDER, expectOnePowerShellApply, expectReadBack } from './testing/defender-apply.js';

const ATP = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Advanced Threat Protection';
const ASR = `${DEFENDER}\\Windows Defender Exploit Guard\\ASR`;

/** Every ASR rule with the mode this test gives it and the ASRRuleActionType number it must become (null: removed). */
const RULES: [guid: string, mode: string, action: number | null][] = [
  ['56a863a9-875e-4185-98a7-b882c64b5ce5', 'block', 1],
  ['9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2', 'block', 1],
  ['e6db77e5-3df2-4cf1-b95a-636979351e5b', 'block', 1],
  ['7674ba52-37eb-4a4f-a9a1-f0f9a1619a2c', 'audit', 2],
  ['d4f940ab-401b-4efc-aadc-ad5f3c50688a', 'notConfigured', null],
  ['be9ba2d9-53ea-4cdc-84e5-9b1eeee46550', 'off', 0],
  ['01443614-cd74-433a-b99e-2ecdc07bfc25', 'audit', 2],
  ['5beb7efe-fd9a-4556-801d-275e5ffc04cc', 'warn', 6],
  ['d3e037e1-3eb8-44c8-a917-57927947596d', 'block', 1],
  ['3b576869-a4ec-4529-8536-b80a7769e899', 'block', 1],
  ['75668c1f-73b5-4cf0-bb93-3ecf5cb7cc84', 'audit', 2],
  ['26190899-1602-49e8-8b27-eb1d0a1ce869', 'warn', 6],
  ['d1e49aac-8f56-4280-b9ba-993a6d77406c', 'audit', 2],
  ['33ddedf1-c6e0-47cb-833e-de6133960387', 'block', 1],
  ['b2b3f03d-6a65-4f7b-a9c7-1c7ef74a9ba4', 'block', 1],
  ['c0033c00-d16d-4114-a5a0-dc9b3a7d2ceb', 'audit', 2],
  ['a8f5898e-1dc8-49a9-9878-85004b8a61e6', 'off', 0],
  ['92e97fa1-2edf-4476-bdd6-9dd0b4dddc7b', 'block', 1],
  ['c1db55ab-c21a-4637-bb3f-a12568109d35', 'block', 1],
];

describe('asr: a full policy', () => {
  it('merges every rule into AttackSurfaceReductionRules in one bridge write; per-rule exclusions are notApplicable (no policy location)', async () => {
    const policy: Record<string, SettingValue> = Object.fromEntries(RULES.map(([guid, mode]) => [`asr.${guid}`, mode]));
    policy['defender.AttackSurfaceReductionOnlyExclusions'] = ['C:\\Tools\\build.exe', 'C:\\CI'];
    policy['asrExclusions.d3e037e1-3eb8-44c8-a917-57927947596d'] = ['C:\\Scripts\\deploy.js', '%ProgramFiles%\\LOB\\app.exe'];
    const { host, after, runs, statuses } = await applyPolicy('asr', policy);
    expect(runs[0]?.input).toEqual({
      registry: [],
      subkeys: [`${ASR}\\Rules`, `${ASR}\\ASROnlyExclusions`],
      bridge: ['Defender'],
      rsop: true,
      status: true,
    });
    const plan = expectOnePowerShellApply(runs) as DefenderApplyPlan;
    expect(plan.bridge.map((b) => b.property)).toEqual(['AttackSurfaceReductionOnlyExclusions', 'AttackSurfaceReductionRules']);
    expect(plan.bridge[1]?.merge).toEqual(RULES.map(([guid, , action]) => ({ guid, action })));
    expect(plan.registry).toEqual([]);
    expect(host.bridge.Defender?.AttackSurfaceReductionRules).toBe(
      RULES.filter(([, , a]) => a !== null)
        .map(([g, , a]) => `${g}=${a}`)
        .join('|'),
    );
    expect(host.subkey(`${ASR}\\ASROnlyPerRuleExclusions`)).toEqual([]);
    const perRule = 'asrExclusions.d3e037e1-3eb8-44c8-a917-57927947596d';
    expectReadBack(policy, after, [perRule]);
    for (const s of statuses) expect(s.state, s.settingId).toBe(s.settingId === perRule ? 'notApplicable' : 'succeeded');
    expect(statuses.find((s) => s.settingId === perRule)?.message).toContain('Configuration/ASROnlyPerRuleExclusions');
  });
});

describe('defenderUpdate: a full policy', () => {
  it('writes the update rings and metered updates as Policies-key values (no bridge class for the Defender CSP)', async () => {
    const policy = {
      'defenderConfig.EngineUpdatesChannel': 3,
      'defenderConfig.PlatformUpdatesChannel': 5,
      'defenderConfig.SecurityIntelligenceUpdatesChannel': 4,
      'defenderConfig.MeteredConnectionUpdates': 1,
    };
    const { after, runs, statuses } = await applyPolicy('defenderUpdate', policy);
    const plan = expectOnePowerShellApply(runs) as DefenderApplyPlan;
    expect(plan.bridge).toEqual([]);
    expect(plan.registry.map((r) => r.ops[0])).toEqual([
      { op: 'set', key: DEFENDER, name: 'EngineRing', type: 'DWord', value: 3 },
      { op: 'set', key: DEFENDER, name: 'PlatformRing', type: 'DWord', value: 5 },
      { op: 'set', key: DEFENDER, name: 'SignaturesRing', type: 'DWord', value: 4 },
      { op: 'set', key: `${DEFENDER}\\Signature Updates`, name: 'MeteredConnectionUpdates', type: 'DWord', value: 1 },
    ]);
    expectReadBack(policy, after);
    for (const s of statuses) expect(s.state, s.settingId).toBe('succeeded');
  });
});

describe('securityExperience: a full policy', () => {
  it('writes the WindowsDefenderSecurityCenter bridge; tamper protection and macOS settings are not applicable', async () => {
    const policy: Record<string, SettingValue> = {
      'defenderConfig.TamperProtection': 1,
      'securityCenter.DisableAccountProtectionUI': 1,
      'securityCenter.DisableNotifications': 1,
      'securityCenter.DisallowExploitProtectionOverride': 1,
      'securityCenter.HideSecureBoot': 1,
      'securityCenter.HideTPMTroubleshooting': 1,
      'securityCenter.CompanyName': 'Contoso',
      'securityCenter.Phone': '',
      'mdatp.tamperProtection.enforcementLevel': 'block',
    };
    const { host, after, runs, statuses } = await applyPolicy('securityExperience', policy);
    expect(runs[0]?.input).toMatchObject({ status: true, bridge: ['WindowsDefenderSecurityCenter'] });
    const plan = expectOnePowerShellApply(runs) as DefenderApplyPlan;
    expect(plan.bridge.map((b) => [b.property, b.value])).toEqual([
      ['DisableAccountProtectionUI', 1],
      ['DisableNotifications', 1],
      ['DisallowExploitProtectionOverride', 1],
      ['HideSecureBoot', 1],
      ['HideTPMTroubleshooting', 1],
      ['CompanyName', 'Contoso'],
      ['Phone', null],
    ]);
    expect(plan.bridge[4]?.fallback).toEqual([{ op: 'set', key: `${CENTER}\\Device security`, name: 'HideTPMTroubleshooting', type: 'DWord', value: 1 }]);
    expect(host.bridge.WindowsDefenderSecurityCenter).toMatchObject({ InstanceID: 'WindowsDefenderSecurityCenter', HideTPMTroubleshooting: 1 });
    const state = Object.fromEntries(statuses.map((s) => [s.settingId, s.state]));
    expect(state['defenderConfig.TamperProtection']).toBe('notApplicable');
    expect(state['mdatp.tamperProtection.enforcementLevel']).toBe('notApplicable');
    expectReadBack(policy, after, ['mdatp.tamperProtection.enforcementLevel']);
  });
});

describe('edr: a full policy', () => {
  it('writes AllowSampleCollection and the device tag as policy values; mdatp tags do not apply to Windows', async () => {
    const policy = { 'edr.SampleSharing': 0, 'edr.DeviceTagGroup': 'Finance-EU', 'mdatp.edr.tags': ['finance'] };
    const { after, runs, statuses } = await applyPolicy('edr', policy);
    expect(runs[0]?.input).toEqual({
      registry: [
        { key: ATP, name: 'AllowSampleCollection' },
        { key: `${ATP}\\DeviceTagging`, name: 'Group' },
      ],
      subkeys: [],
      bridge: [],
      rsop: true,
      status: false,
    });
    const plan = expectOnePowerShellApply(runs) as DefenderApplyPlan;
    expect(plan.registry).toEqual([
      { step: 'edr.SampleSharing', ops: [{ op: 'set', key: ATP, name: 'AllowSampleCollection', type: 'DWord', value: 0 }] },
      { step: 'edr.DeviceTagGroup', ops: [{ op: 'set', key: `${ATP}\\DeviceTagging`, name: 'Group', type: 'String', value: 'Finance-EU' }] },
    ]);
    expect(after.get('edr.DeviceTagGroup')).toBe('Finance-EU');
    expect(after.get('edr.SampleSharing')).toBe(0);
    expect(Object.fromEntries(statuses.map((s) => [s.settingId, s.state]))).toEqual({
      'edr.SampleSharing': 'succeeded',
      'edr.DeviceTagGroup': 'succeeded',
      'mdatp.edr.tags': 'notApplicable',
    });
  });
});
