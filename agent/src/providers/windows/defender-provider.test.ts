// Boundary tests of the Windows Defender providers (antivirus, exclusions, failures): for a full policy, the exact
// PowerShell process (constant script, by name) and the exact JSON plan it gets on stdin; then what reads back.
import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import type { DefenderApplyPlan } from './defender-plan.js';
import { createWindowsDefenderProviders, DEFENDER_NOT_INSTALLED, WindowsDefenderProvider } from './defender-provider.js';
import { applyPolicy, DEFENDER, expectOnePowerShellApply, expectReadBack } from './testing/defender-apply.js';
import { DefenderEmulator, defenderScriptOf, recordedRuns } from './testing/defender-emulator.js';

describe('antivirus: a full policy', () => {
  const policy: Record<string, SettingValue> = {
    'defender.AllowRealtimeMonitoring': 1,
    'defender.AllowOnAccessProtection': 0,
    'defender.AllowBehaviorMonitoring': 1,
    'defender.AllowIOAVProtection': 1,
    'defender.AllowScriptScanning': 1,
    'defender.AllowArchiveScanning': 1,
    'defender.AllowEmailScanning': 1,
    'defender.AllowFullScanOnMappedNetworkDrives': 0,
    'defender.AllowFullScanRemovableDriveScanning': 1,
    'defender.AllowScanningNetworkFiles': 1,
    'defender.AllowCloudProtection': 1,
    'defender.AllowUserUIAccess': 0,
    'defender.AllowIntrusionPreventionSystem': 1,
    'defender.AvgCPULoadFactor': 30,
    'defender.CheckForSignaturesBeforeRunningScan': 1,
    'defender.CloudBlockLevel': 4,
    'defender.CloudExtendedTimeout': 50,
    'defender.DaysToRetainCleanedMalware': 30,
    'defender.DisableCatchupFullScan': 0,
    'defender.DisableCatchupQuickScan': 0,
    'defender.EnableLowCPUPriority': 1,
    'defender.EnableNetworkProtection': 1,
    'defender.EnableControlledFolderAccess': 2,
    'defender.ControlledFolderAccessAllowedApplications': ['C:\\Program Files\\Backup\\agent.exe'],
    'defender.ControlledFolderAccessProtectedFolders': ['D:\\Finance'],
    'defender.PUAProtection': 1,
    'defender.RealTimeScanDirection': 0,
    'defender.ScanParameter': 2,
    'defender.ScheduleScanDay': 4,
    'defender.ScheduleScanTime': 180,
    'defender.ScheduleQuickScanTime': 720,
    'defender.SignatureUpdateInterval': 4,
    'defender.SignatureUpdateFallbackOrder': 'InternalDefinitionUpdateServer|MicrosoftUpdateServer|MMPC',
    'defender.SignatureUpdateFileSharesSources': ['\\\\fs1\\defs', '\\\\fs2\\defs'],
    'defender.SecurityIntelligenceLocation': '\\\\vdi-store\\defs',
    'defender.SubmitSamplesConsent': 3,
    'defender.ThreatSeverityDefaultAction': '1=2|2=2|4=3|5=3',
    'defenderConfig.DisableLocalAdminMerge': 1,
    'defenderConfig.AllowDatagramProcessingOnWinServer': 0,
    'defenderConfig.AllowNetworkProtectionDownLevel': 0,
    'defenderConfig.AllowNetworkProtectionOnWinServer': 1,
    'defenderConfig.DisableDnsOverTcpParsing': 0,
    'defenderConfig.DisableHttpParsing': 0,
    'defenderConfig.DisableSshParsing': 1,
    'defenderConfig.DisableTlsParsing': 0,
    'defenderConfig.RandomizeScheduleTaskTimes': 1,
    'defenderConfig.SchedulerRandomizationTime': 6,
    'defenderConfig.ArchiveMaxDepth': 8,
    'defenderConfig.ArchiveMaxSize': 0,
    'defenderConfig.DisableCpuThrottleOnIdleScans': 1,
    'defenderConfig.EnableFileHashComputation': 1,
    'defenderConfig.HideExclusionsFromLocalAdmins': 1,
    'defenderConfig.ScanOnlyIfIdleEnabled': 1,
    'defenderConfig.ThrottleForScheduledScanOnly': 1,
    'defenderConfig.ExcludedIpAddresses': ['10.0.0.5', 'fe80::1'],
    'defenderConfig.NetworkProtectionReputationMode': 1,
  };

  it('writes the MDM store for Policy CSP nodes, the Policies key for Defender CSP nodes, and preferences only where marked', async () => {
    const { results, after, runs, statuses } = await applyPolicy('antivirus', policy);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const plan = expectOnePowerShellApply(runs) as DefenderApplyPlan;
    expect(plan.bridge.find((b) => b.property === 'AllowRealtimeMonitoring')).toMatchObject({ cls: 'Defender', value: 1 });
    expect(plan.bridge.find((b) => b.property === 'AVGCPULoadFactor')).toMatchObject({
      value: 30,
      fallback: [{ op: 'set', key: `${DEFENDER}\\Scan`, name: 'AvgCPULoadFactor', type: 'DWord', value: 30 }],
    });
    expect(plan.bridge.find((b) => b.property === 'SignatureUpdateFileSharesSources')).toMatchObject({ value: '\\\\fs1\\defs|\\\\fs2\\defs' });
    expect(plan.registry.find((r) => r.step === 'defenderConfig.DisableLocalAdminMerge')).toEqual({
      step: 'defenderConfig.DisableLocalAdminMerge',
      ops: [{ op: 'set', key: DEFENDER, name: 'DisableLocalAdminMerge', type: 'DWord', value: 1 }],
    });
    expect(plan.preference.mp).toEqual({
      AllowDatagramProcessingOnWinServer: false,
      AllowNetworkProtectionDownLevel: false,
      DisableDnsOverTcpParsing: false,
      DisableHttpParsing: false,
      DisableSshParsing: true,
      DisableTlsParsing: false,
      DisableCpuThrottleOnIdleScans: true,
      NetworkProtectionReputationMode: 1,
    });
    expect(plan.registry.find((r) => r.step === 'defenderConfig.ExcludedIpAddresses')?.ops).toEqual([
      {
        op: 'values',
        key: `${DEFENDER}\\Exclusions\\IpAddresses`,
        set: [
          { name: '10.0.0.5', data: '0' },
          { name: 'fe80::1', data: '0' },
        ],
        exact: true,
        flagKey: `${DEFENDER}\\Exclusions`,
        flag: 'Exclusions_IpAddresses',
      },
    ]);
    expectReadBack(policy, after, ['defender.AllowIntrusionPreventionSystem']);
    for (const s of statuses) if (s.settingId !== 'defender.AllowIntrusionPreventionSystem') expect(s.state, `${s.settingId}: ${s.message}`).toBe('succeeded');
  });

  it('stopping management clears the bridge property ($null), deletes the policy value and resets the preference', async () => {
    const { host } = await applyPolicy('antivirus', policy);
    const provider = new WindowsDefenderProvider('antivirus', { runner: host.runner });
    const ids = [
      'defender.PUAProtection',
      'defenderConfig.ArchiveMaxDepth',
      'defenderConfig.DisableSshParsing',
      'defender.ControlledFolderAccessProtectedFolders',
    ];
    const results = await provider.apply(ids.map((settingId) => ({ settingId, kind: 'antivirus', from: policy[settingId], to: undefined })));
    expect(results.every((r) => r.ok)).toBe(true);
    const plan = recordedRuns(host.runner).at(-1)?.input as DefenderApplyPlan;
    expect(plan.bridge.map((b) => [b.property, b.value])).toEqual([
      ['PUAProtection', null],
      ['ControlledFolderAccessProtectedFolders', null],
    ]);
    expect(plan.registry).toEqual([{ step: 'defenderConfig.ArchiveMaxDepth', ops: [{ op: 'delete', key: `${DEFENDER}\\Scan`, name: 'ArchiveMaxDepth' }] }]);
    expect(plan.preference.reset).toEqual(['DisableSshParsing']);
    const after = await provider.observe(ids);
    expect(after.get('defender.PUAProtection')).toBe(0);
    expect(after.get('defenderConfig.ArchiveMaxDepth')).toBeUndefined();
    expect(after.get('defender.ControlledFolderAccessProtectedFolders')).toEqual([]);
  });
});

describe('antivirusExclusions: a full policy', () => {
  it('replaces the whole policy list in the MDM store; mdatp exclusions do not apply to Windows', async () => {
    const host = new DefenderEmulator();
    const first = await applyPolicy(
      'antivirusExclusions',
      { 'defender.ExcludedPaths': ['C:\\Build', 'D:\\Cache'], 'defender.ExcludedProcesses': ['build.exe'] },
      host,
    );
    expect(first.results.every((r) => r.ok)).toBe(true);
    const second = await applyPolicy(
      'antivirusExclusions',
      { 'defender.ExcludedPaths': ['C:\\Build'], 'mdatp.antivirusEngine.exclusions': [{ $type: 'excludedFileExtension', extension: '.log' }] },
      host,
    );
    expect(host.bridge.Defender?.ExcludedPaths).toBe('C:\\Build');
    expect(second.after.get('defender.ExcludedPaths')).toEqual(['C:\\Build']);
    expect(second.statuses.find((s) => s.settingId === 'mdatp.antivirusEngine.exclusions')).toMatchObject({ state: 'notApplicable' });
  });
});

describe('failures are per setting', () => {
  it('a failing cmdlet step fails only the setting that owns it', async () => {
    const host = new DefenderEmulator();
    host.failSteps.set('defenderConfig.ArchiveMaxDepth', 'Requested registry access is not allowed.');
    const provider = new WindowsDefenderProvider('antivirus', { runner: host.runner });
    const results = await provider.apply([
      { settingId: 'defenderConfig.ArchiveMaxDepth', kind: 'antivirus', from: 0, to: 4 },
      { settingId: 'defender.CloudBlockLevel', kind: 'antivirus', from: 0, to: 2 },
    ]);
    expect(results).toEqual([
      {
        settingId: 'defenderConfig.ArchiveMaxDepth',
        ok: false,
        code: 'SETTING_APPLY_FAILED',
        message: 'defenderConfig.ArchiveMaxDepth: Requested registry access is not allowed.',
      },
      { settingId: 'defender.CloudBlockLevel', ok: true },
    ]);
  });

  it('a failing bridge write fails every setting written to that class instance, and no other', async () => {
    const host = new DefenderEmulator();
    host.failSteps.set('defender.PUAProtection', 'Access denied (run as SYSTEM)');
    const provider = new WindowsDefenderProvider('antivirus', { runner: host.runner });
    const results = await provider.apply([
      { settingId: 'defender.PUAProtection', kind: 'antivirus', from: 0, to: 1 },
      { settingId: 'defender.CloudBlockLevel', kind: 'antivirus', from: 0, to: 2 },
      { settingId: 'defenderConfig.ArchiveMaxSize', kind: 'antivirus', from: 0, to: 10 },
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, false, true]);
    expect(host.bridge.Defender).toBeNull();
  });

  it('reads the golden apply output: each reported step fails only the settings that own it', async () => {
    const golden = (await import('./testdata/defender-apply-errors.json', { with: { type: 'json' } })).default;
    const runner = new ScriptedCommandRunner(() => ({ code: 0, stdout: JSON.stringify(golden) }));
    const av = new WindowsDefenderProvider('antivirus', { runner });
    const results = await av.apply([
      { settingId: 'defenderConfig.ArchiveMaxDepth', kind: 'antivirus', from: 0, to: 3 },
      { settingId: 'defenderConfig.DisableSshParsing', kind: 'antivirus', from: 0, to: 1 },
      { settingId: 'defender.PUAProtection', kind: 'antivirus', from: 0, to: 1 },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.message))).toEqual([
      'defenderConfig.ArchiveMaxDepth: Requested registry access is not allowed.',
      'mp:DisableSshParsing: Operation failed with the following error: 0x%1!x!',
      'ok',
    ]);
    // One bridge property holds every ASR rule, and one Set-CimInstance writes the class: its failure fails each rule of
    // the change and every other property of that instance (here the global ASR exclusions).
    const host = new DefenderEmulator();
    host.failSteps.set('asrRules', 'Access denied (the WMI bridge requires the SYSTEM account)');
    const asr = new WindowsDefenderProvider('asr', { runner: host.runner });
    const rules = await asr.apply([
      { settingId: 'asr.be9ba2d9-53ea-4cdc-84e5-9b1eeee46550', kind: 'asr', from: 'notConfigured', to: 'block' },
      { settingId: 'asr.d4f940ab-401b-4efc-aadc-ad5f3c50688a', kind: 'asr', from: 'notConfigured', to: 'audit' },
      { settingId: 'defender.AttackSurfaceReductionOnlyExclusions', kind: 'asr', from: [], to: ['C:\\CI'] },
    ]);
    expect(rules.map((r) => r.ok)).toEqual([false, false, false]);
  });

  it('a PowerShell run that fails as a whole fails every planned setting with its message, and is no exception', async () => {
    const host = new DefenderEmulator();
    const runner = new ScriptedCommandRunner(() => ({ code: 1, stdout: '{"ok":false,"error":"The term \'Set-MpPreference\' is not recognized"}' }));
    const provider = new WindowsDefenderProvider('antivirus', { runner });
    const results = await provider.apply([
      { settingId: 'defender.CloudBlockLevel', kind: 'antivirus', from: 0, to: 2 },
      { settingId: 'defender.AllowIntrusionPreventionSystem', kind: 'antivirus', from: undefined, to: 1 },
    ]);
    expect(results[0]).toEqual({
      settingId: 'defender.CloudBlockLevel',
      ok: false,
      code: 'SETTING_APPLY_FAILED',
      message: "defender-apply: The term 'Set-MpPreference' is not recognized",
    });
    expect(results[1]).toMatchObject({ ok: false, code: 'SETTING_NOT_APPLICABLE', message: expect.stringMatching(/deprecated/) });
    expect(host.runner.calls).toHaveLength(0);
  });

  it('a list whose device items cannot be read fails alone, and nothing is removed blindly', async () => {
    const host = new DefenderEmulator();
    const runner = new ScriptedCommandRunner((spec) =>
      defenderScriptOf(spec) === 'defender-observe' ? { code: 1, stdout: '{"ok":false,"error":"Access is denied."}' } : host.runner.run(spec),
    );
    const provider = new WindowsDefenderProvider('antivirus', { runner });
    const results = await provider.apply([
      { settingId: 'defenderConfig.BruteForceProtectionExclusions', kind: 'antivirus', from: undefined, to: ['10.0.0.5'] },
    ]);
    expect(results).toEqual([
      {
        settingId: 'defenderConfig.BruteForceProtectionExclusions',
        ok: false,
        code: 'SETTING_APPLY_FAILED',
        message: 'cannot read the current list: defender-observe: Access is denied.',
      },
    ]);
    expect(runner.calls.map((c) => defenderScriptOf(c))).toEqual(['defender-observe']);
  });

  it('runs nothing when no change can be applied', async () => {
    const host = new DefenderEmulator();
    const provider = new WindowsDefenderProvider('securityExperience', { runner: host.runner });
    const results = await provider.apply([{ settingId: 'defenderConfig.TamperProtection', kind: 'securityExperience', from: 1, to: 0 }]);
    expect(results).toEqual([expect.objectContaining({ ok: false, code: 'SETTING_NOT_APPLICABLE', message: expect.stringMatching(/Intune/) })]);
    expect(host.runner.calls).toHaveLength(0);
  });
});

describe('unsupportedReason', () => {
  const av = new WindowsDefenderProvider('antivirus', { runner: new DefenderEmulator().runner });
  it('names the real reason for settings with no local write path', () => {
    expect(
      new WindowsDefenderProvider('securityExperience', { runner: new DefenderEmulator().runner }).unsupportedReason('defenderConfig.TamperProtection'),
    ).toMatch(/only be turned on or off from Microsoft Intune/);
    expect(av.unsupportedReason('defender.AllowIntrusionPreventionSystem')).toMatch(/deprecated/);
  });
  it('supports every other Windows setting of its kind and refuses foreign ones', () => {
    expect(av.unsupportedReason('defender.AllowRealtimeMonitoring')).toBeUndefined();
    expect(av.unsupportedReason('mdatp.antivirusEngine.enforcementLevel')).toMatch(/does not apply to Windows/);
    expect(av.unsupportedReason('defender.ExcludedPaths')).toMatch(/antivirusExclusions setting, not antivirus/);
    expect(av.unsupportedReason('defender.NoSuchThing')).toMatch(/unknown setting/);
  });
});

describe('Defender presence', () => {
  it('reports every Defender setting notApplicable when the module and service are missing, after prepare', async () => {
    const emulator = new DefenderEmulator();
    emulator.installed = false;
    const [antivirus] = createWindowsDefenderProviders({ runner: emulator.runner });
    expect(antivirus?.unsupportedReason('defender.PUAProtection')).toBeUndefined();
    await antivirus?.prepare?.();
    expect(antivirus?.unsupportedReason('defender.PUAProtection')).toBe(DEFENDER_NOT_INSTALLED);
  });

  it('runs one probe for all six providers of a host', async () => {
    const emulator = new DefenderEmulator();
    const providers = createWindowsDefenderProviders({ runner: emulator.runner });
    for (const p of providers) await p.prepare?.();
    expect(emulator.runner.calls.length).toBe(1);
    expect(providers[0]?.unsupportedReason('defender.PUAProtection')).toBeUndefined();
  });
});
