// Boundary tests of the Windows Defender providers (antivirus, exclusions, failures): for a full policy, the exact
// PowerShell process (constant script, by name) and the exact JSON plan it gets on stdin; then what reads back.
import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { createWindowsDefenderProviders, DEFENDER_NOT_INSTALLED, WindowsDefenderProvider } from './defender-provider.js';
import { applyPolicy, DEFENDER, expectOnePowerShellApply, expectReadBack } from './testing/defender-apply.js';
import { DefenderEmulator, defenderScriptOf, readGolden, recordedRuns } from './testing/defender-emulator.js';

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
  };

  it('runs Set-MpPreference with converted values, list additions and policy registry values, all on stdin', async () => {
    const { results, after, runs } = await applyPolicy('antivirus', policy);
    expect(runs[0]?.input).toEqual({
      registry: [
        { key: `${DEFENDER}\\Real-Time Protection`, name: 'DisableOnAccessProtection' },
        { key: DEFENDER, name: 'DisableLocalAdminMerge' },
        { key: `${DEFENDER}\\Scan`, name: 'ArchiveMaxDepth' },
        { key: `${DEFENDER}\\Scan`, name: 'ArchiveMaxSize' },
        { key: DEFENDER, name: 'HideExclusionsFromLocalAdmins' },
      ],
      status: false,
    });
    expect(expectOnePowerShellApply(runs)).toEqual({
      add: {
        ControlledFolderAccessAllowedApplications: ['C:\\Program Files\\Backup\\agent.exe'],
        ControlledFolderAccessProtectedFolders: ['D:\\Finance'],
      },
      remove: {},
      reset: [],
      mp: {
        DisableRealtimeMonitoring: false,
        DisableBehaviorMonitoring: false,
        DisableIOAVProtection: false,
        DisableScriptScanning: false,
        DisableArchiveScanning: false,
        DisableEmailScanning: false,
        DisableScanningMappedNetworkDrivesForFullScan: true,
        DisableRemovableDriveScanning: false,
        DisableScanningNetworkFiles: false,
        MAPSReporting: 2,
        UILockdown: true,
        ScanAvgCPULoadFactor: 30,
        CheckForSignaturesBeforeRunningScan: true,
        CloudBlockLevel: 4,
        CloudExtendedTimeout: 50,
        QuarantinePurgeItemsAfterDelay: 30,
        DisableCatchupFullScan: false,
        DisableCatchupQuickScan: false,
        EnableLowCpuPriority: true,
        EnableNetworkProtection: 1,
        EnableControlledFolderAccess: 2,
        PUAProtection: 1,
        RealTimeScanDirection: 0,
        ScanParameters: 2,
        ScanScheduleDay: 4,
        ScanScheduleOffset: 180,
        ScanScheduleQuickScanTime: 720,
        SignatureUpdateInterval: 4,
        SignatureFallbackOrder: 'InternalDefinitionUpdateServer|MicrosoftUpdateServer|MMPC',
        SignatureDefinitionUpdateFileSharesSources: '\\\\fs1\\defs|\\\\fs2\\defs',
        SharedSignaturesPath: '\\\\vdi-store\\defs',
        SubmitSamplesConsent: 3,
        LowThreatDefaultAction: 2,
        ModerateThreatDefaultAction: 2,
        HighThreatDefaultAction: 3,
        SevereThreatDefaultAction: 3,
        AllowDatagramProcessingOnWinServer: false,
        AllowNetworkProtectionDownLevel: false,
        AllowNetworkProtectionOnWinServer: true,
        DisableDnsOverTcpParsing: false,
        DisableHttpParsing: false,
        DisableSshParsing: true,
        DisableTlsParsing: false,
        RandomizeScheduleTaskTimes: true,
        SchedulerRandomizationTime: 6,
        DisableCpuThrottleOnIdleScans: true,
        EnableFileHashComputation: true,
        ScanOnlyIfIdleEnabled: true,
        ThrottleForScheduledScanOnly: true,
      },
      asr: { set: [], remove: [] },
      registry: [
        { key: `${DEFENDER}\\Real-Time Protection`, name: 'DisableOnAccessProtection', type: 'DWord', value: 1 },
        { key: DEFENDER, name: 'DisableLocalAdminMerge', type: 'DWord', value: 1 },
        { key: `${DEFENDER}\\Scan`, name: 'ArchiveMaxDepth', type: 'DWord', value: 8 },
        { key: `${DEFENDER}\\Scan`, name: 'ArchiveMaxSize', type: 'DWord', value: 0 },
        { key: DEFENDER, name: 'HideExclusionsFromLocalAdmins', type: 'DWord', value: 1 },
      ],
      syncAsrPerRuleFlag: false,
    });
    for (const r of results) {
      if (r.settingId === 'defender.AllowIntrusionPreventionSystem') expect(r).toMatchObject({ ok: false, code: 'SETTING_NOT_APPLICABLE' });
      else expect(r, r.settingId).toEqual({ settingId: r.settingId, ok: true });
    }
    expectReadBack(policy, after, ['defender.AllowIntrusionPreventionSystem']);
  });

  it('removing values resets preferences, removes only the items it was given and deletes policy values', async () => {
    const host = new DefenderEmulator({ preference: readGolden('defender-mppreference-managed.json') });
    host.registry.set(`${DEFENDER}\\Scan\\ArchiveMaxDepth`, { type: 'DWord', value: 8 });
    const provider = new WindowsDefenderProvider('antivirus', { runner: host.runner });
    const remove = (settingId: string, from: SettingValue): SettingChange => ({ settingId, kind: 'antivirus', from, to: undefined });
    const results = await provider.apply([
      remove('defender.AllowRealtimeMonitoring', 0),
      remove('defender.ThreatSeverityDefaultAction', '1=2|2=2|4=3|5=3'),
      remove('defender.ControlledFolderAccessProtectedFolders', ['D:\\Finance']),
      remove('defender.SignatureUpdateFileSharesSources', ['\\\\fs1\\defs', '\\\\fs2\\defs']),
      remove('defenderConfig.ArchiveMaxDepth', 8),
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(recordedRuns(host.runner).map((r) => [r.script, r.input])).toEqual([
      [
        'defender-apply',
        {
          add: {},
          remove: { ControlledFolderAccessProtectedFolders: ['D:\\Finance'] },
          reset: [
            'DisableRealtimeMonitoring',
            'LowThreatDefaultAction',
            'ModerateThreatDefaultAction',
            'HighThreatDefaultAction',
            'SevereThreatDefaultAction',
            'SignatureDefinitionUpdateFileSharesSources',
          ],
          mp: {},
          asr: { set: [], remove: [] },
          registry: [{ key: `${DEFENDER}\\Scan`, name: 'ArchiveMaxDepth', delete: true }],
          syncAsrPerRuleFlag: false,
        },
      ],
    ]);
    const after = await provider.observe(['defender.AllowRealtimeMonitoring', 'defender.ThreatSeverityDefaultAction', 'defenderConfig.ArchiveMaxDepth']);
    expect(Object.fromEntries(after)).toEqual({
      'defender.AllowRealtimeMonitoring': 1,
      'defender.ThreatSeverityDefaultAction': undefined,
      'defenderConfig.ArchiveMaxDepth': undefined,
    });
  });
});

describe('antivirusExclusions: a full policy', () => {
  it('adds and removes exactly the items that differ from the device list', async () => {
    const policy = {
      'defender.ExcludedPaths': ['C:\\Build', 'E:\\VMs'],
      'defender.ExcludedExtensions': ['.log', 'tmp'],
      'defender.ExcludedProcesses': ['C:\\Tools\\scanner.exe'],
    };
    const host = new DefenderEmulator({ preference: readGolden('defender-mppreference-managed.json') });
    const { results, after, runs } = await applyPolicy('antivirusExclusions', policy, host);
    expect(runs[0]?.input).toEqual({ registry: [], status: false });
    expect(expectOnePowerShellApply(runs)).toEqual({
      add: { ExclusionPath: ['E:\\VMs'], ExclusionExtension: ['tmp'], ExclusionProcess: ['C:\\Tools\\scanner.exe'] },
      remove: { ExclusionPath: ['D:\\Data\\cache'] },
      reset: [],
      mp: {},
      asr: { set: [], remove: [] },
      registry: [],
      syncAsrPerRuleFlag: false,
    });
    expect(results.every((r) => r.ok)).toBe(true);
    expectReadBack(policy, after);
  });

  it('reads the device list first when the caller does not know it, and says why mdatp exclusions do not apply', async () => {
    const host = new DefenderEmulator({ preference: readGolden('defender-mppreference-managed.json') });
    const provider = new WindowsDefenderProvider('antivirusExclusions', { runner: host.runner });
    const results = await provider.apply([
      { settingId: 'defender.ExcludedPaths', kind: 'antivirusExclusions', from: undefined, to: ['C:\\Build'] },
      { settingId: 'mdatp.antivirusEngine.exclusions', kind: 'antivirusExclusions', from: undefined, to: [] },
    ]);
    expect(results[0]).toEqual({ settingId: 'defender.ExcludedPaths', ok: true });
    expect(results[1]).toMatchObject({ ok: false, code: 'SETTING_NOT_APPLICABLE', message: expect.stringMatching(/linux, macos/) });
    const runs = recordedRuns(host.runner);
    expect(runs.map((r) => r.script)).toEqual(['defender-observe', 'defender-apply']);
    const input = runs[1]?.input as { remove?: unknown; add?: unknown } | undefined;
    expect([input?.remove, input?.add]).toEqual([{ ExclusionPath: ['D:\\Data\\cache'] }, {}]);
  });
});

describe('failures are per setting', () => {
  it('a failing cmdlet step fails only the setting that owns it', async () => {
    const host = new DefenderEmulator();
    host.failSteps.set('mp:DisableRealtimeMonitoring', 'Operation failed with the following error: 0x800106ba');
    const provider = new WindowsDefenderProvider('antivirus', { runner: host.runner });
    const results = await provider.apply([
      { settingId: 'defender.AllowRealtimeMonitoring', kind: 'antivirus', from: 1, to: 0 },
      { settingId: 'defender.CloudBlockLevel', kind: 'antivirus', from: 0, to: 2 },
    ]);
    expect(results).toEqual([
      {
        settingId: 'defender.AllowRealtimeMonitoring',
        ok: false,
        code: 'SETTING_APPLY_FAILED',
        message: 'mp:DisableRealtimeMonitoring: Operation failed with the following error: 0x800106ba',
      },
      { settingId: 'defender.CloudBlockLevel', ok: true },
    ]);
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
    const provider = new WindowsDefenderProvider('antivirusExclusions', { runner });
    const results = await provider.apply([{ settingId: 'defender.ExcludedPaths', kind: 'antivirusExclusions', from: undefined, to: ['C:\\Build'] }]);
    expect(results).toEqual([
      {
        settingId: 'defender.ExcludedPaths',
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
