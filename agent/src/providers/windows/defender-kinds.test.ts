// Boundary tests of the Windows Defender providers for asr, defenderUpdate, securityExperience and edr: for a full
// policy, the exact PowerShell process (constant script, by name) and JSON plan on stdin; then what reads back.
import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import { applyPolicy, CENTER, DEFENDER, expectOnePowerShellApply, expectReadBack, PER_RULE } from './testing/defender-apply.js';
import { DefenderEmulator, readGolden } from './testing/defender-emulator.js';

/** Every ASR rule with the mode this test gives it and the ASRRuleActionType number it must become. */
const RULES: [guid: string, mode: string, action: number | 'removed'][] = [
  ['56a863a9-875e-4185-98a7-b882c64b5ce5', 'block', 1],
  ['9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2', 'block', 1],
  ['e6db77e5-3df2-4cf1-b95a-636979351e5b', 'block', 1],
  ['7674ba52-37eb-4a4f-a9a1-f0f9a1619a2c', 'audit', 2],
  ['d4f940ab-401b-4efc-aadc-ad5f3c50688a', 'notConfigured', 'removed'],
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
  it('adds or updates each rule with its action, drops not-configured rules and writes per-rule exclusions', async () => {
    const policy: Record<string, SettingValue> = Object.fromEntries(RULES.map(([guid, mode]) => [`asr.${guid}`, mode]));
    policy['defender.AttackSurfaceReductionOnlyExclusions'] = ['C:\\Tools\\build.exe', 'C:\\CI'];
    policy['asrExclusions.d3e037e1-3eb8-44c8-a917-57927947596d'] = ['C:\\Scripts\\deploy.js', '%ProgramFiles%\\LOB\\app.exe'];
    policy['asrExclusions.56a863a9-875e-4185-98a7-b882c64b5ce5'] = [];
    const host = new DefenderEmulator({ preference: readGolden('defender-mppreference-managed.json') });
    const { results, after, runs } = await applyPolicy('asr', policy, host);
    expect(runs[0]?.input).toEqual({
      registry: [
        { key: PER_RULE, name: 'd3e037e1-3eb8-44c8-a917-57927947596d' },
        { key: PER_RULE, name: '56a863a9-875e-4185-98a7-b882c64b5ce5' },
      ],
      status: false,
    });
    expect(expectOnePowerShellApply(runs)).toEqual({
      add: { AttackSurfaceReductionOnlyExclusions: ['C:\\CI'] },
      remove: {},
      reset: [],
      mp: {},
      asr: {
        set: RULES.filter(([, , action]) => action !== 'removed').map(([id, , action]) => ({ id, action })),
        remove: ['d4f940ab-401b-4efc-aadc-ad5f3c50688a'],
      },
      registry: [
        { key: PER_RULE, name: 'd3e037e1-3eb8-44c8-a917-57927947596d', type: 'String', value: 'C:\\Scripts\\deploy.js>%ProgramFiles%\\LOB\\app.exe' },
        { key: PER_RULE, name: '56a863a9-875e-4185-98a7-b882c64b5ce5', delete: true },
      ],
      syncAsrPerRuleFlag: true,
    });
    expect(results.every((r) => r.ok)).toBe(true);
    expectReadBack(policy, after);
    expect(host.registry.get(`${DEFENDER}\\Windows Defender Exploit Guard\\ASR\\ExploitGuard_ASR_ASROnlyPerRuleExclusions`)).toEqual({
      type: 'DWord',
      value: 1,
    });
  });
});

describe('defenderUpdate: a full policy', () => {
  it('sets the update channels through Set-MpPreference', async () => {
    const policy = {
      'defenderConfig.EngineUpdatesChannel': 3,
      'defenderConfig.PlatformUpdatesChannel': 4,
      'defenderConfig.SecurityIntelligenceUpdatesChannel': 5,
      'defenderConfig.MeteredConnectionUpdates': 1,
    };
    const { results, after, runs } = await applyPolicy('defenderUpdate', policy);
    expect(expectOnePowerShellApply(runs)).toEqual({
      add: {},
      remove: {},
      reset: [],
      mp: { EngineUpdatesChannel: 3, PlatformUpdatesChannel: 4, DefinitionUpdatesChannel: 5, MeteredConnectionUpdates: true },
      asr: { set: [], remove: [] },
      registry: [],
      syncAsrPerRuleFlag: false,
    });
    expect(results.every((r) => r.ok)).toBe(true);
    expectReadBack(policy, after);
  });
});

describe('securityExperience: a full policy', () => {
  it('writes the Windows Security policy values; tamper protection and macOS settings are not applicable', async () => {
    const policy: Record<string, SettingValue> = {
      'defenderConfig.TamperProtection': 1,
      'securityCenter.DisableAccountProtectionUI': 1,
      'securityCenter.DisableAppBrowserUI': 0,
      'securityCenter.DisableClearTpmButton': 1,
      'securityCenter.DisableDeviceSecurityUI': 0,
      'securityCenter.DisableFamilyUI': 1,
      'securityCenter.DisableHealthUI': 0,
      'securityCenter.DisableNetworkUI': 0,
      'securityCenter.DisableEnhancedNotifications': 1,
      'securityCenter.DisableTpmFirmwareUpdateWarning': 1,
      'securityCenter.DisableVirusUI': 0,
      'securityCenter.HideRansomwareDataRecovery': 1,
      'securityCenter.HideWindowsSecurityNotificationAreaControl': 1,
      'securityCenter.EnableCustomizedToasts': 1,
      'securityCenter.EnableInAppCustomization': 1,
      'securityCenter.CompanyName': 'Contoso',
      'securityCenter.Email': 'help@contoso.example',
      'securityCenter.Phone': '',
      'securityCenter.URL': 'https://help.contoso.example',
      'mdatp.tamperProtection.enforcementLevel': 'block',
    };
    const { results, after, runs } = await applyPolicy('securityExperience', policy);
    expect(runs[0]?.input).toMatchObject({ status: true });
    const dword = (area: string, name: string, value: number) => ({ key: `${CENTER}\\${area}`, name, type: 'DWord', value });
    const text = (name: string, value: string) => ({ key: `${CENTER}\\Enterprise Customization`, name, type: 'String', value });
    expect(expectOnePowerShellApply(runs)).toEqual({
      add: {},
      remove: {},
      reset: [],
      mp: {},
      asr: { set: [], remove: [] },
      registry: [
        dword('Account protection', 'UILockdown', 1),
        dword('App and Browser protection', 'UILockdown', 0),
        dword('Device security', 'DisableClearTpmButton', 1),
        dword('Device security', 'UILockdown', 0),
        dword('Family options', 'UILockdown', 1),
        dword('Device performance and health', 'UILockdown', 0),
        dword('Firewall and network protection', 'UILockdown', 0),
        dword('Notifications', 'DisableEnhancedNotifications', 1),
        dword('Device security', 'DisableTpmFirmwareUpdateWarning', 1),
        dword('Virus and threat protection', 'UILockdown', 0),
        dword('Virus and threat protection', 'HideRansomwareRecovery', 1),
        dword('Systray', 'HideSystray', 1),
        dword('Enterprise Customization', 'EnableForToasts', 1),
        dword('Enterprise Customization', 'EnableInApp', 1),
        text('CompanyName', 'Contoso'),
        text('Email', 'help@contoso.example'),
        { key: `${CENTER}\\Enterprise Customization`, name: 'Phone', delete: true },
        text('Url', 'https://help.contoso.example'),
      ],
      syncAsrPerRuleFlag: false,
    });
    for (const r of results) {
      if (r.settingId === 'defenderConfig.TamperProtection' || r.settingId.startsWith('mdatp.'))
        expect(r, r.settingId).toMatchObject({ ok: false, code: 'SETTING_NOT_APPLICABLE' });
      else expect(r, r.settingId).toEqual({ settingId: r.settingId, ok: true });
    }
    expectReadBack(policy, after, ['mdatp.tamperProtection.enforcementLevel']);
  });
});

describe('edr: a full policy', () => {
  it('writes AllowSampleCollection; mdatp tags do not apply to Windows', async () => {
    const policy = { 'edr.SampleSharing': 0, 'mdatp.edr.tags': ['finance'] };
    const { results, after, runs } = await applyPolicy('edr', policy);
    expect(runs[0]?.input).toEqual({
      registry: [{ key: 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Advanced Threat Protection', name: 'AllowSampleCollection' }],
      status: false,
    });
    expect(expectOnePowerShellApply(runs)).toEqual({
      add: {},
      remove: {},
      reset: [],
      mp: {},
      asr: { set: [], remove: [] },
      registry: [{ key: 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Advanced Threat Protection', name: 'AllowSampleCollection', type: 'DWord', value: 0 }],
      syncAsrPerRuleFlag: false,
    });
    expect(results).toEqual([{ settingId: 'edr.SampleSharing', ok: true }, expect.objectContaining({ ok: false, code: 'SETTING_NOT_APPLICABLE' })]);
    expect(after.get('edr.SampleSharing')).toBe(0);
    expect(after.get('mdatp.edr.tags')).toBeUndefined();
  });
});
