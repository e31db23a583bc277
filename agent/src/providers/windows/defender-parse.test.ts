// Parsing recorded Defender output (testdata/, Windows PowerShell 5.1 ConvertTo-Json): Get-MpPreference into catalog
// values, Get-MpComputerStatus into health, and the value shapes PowerShell 5.1 produces.
import { describe, expect, it } from 'vitest';
import { parseMpComputerStatus, readDefenderHealth } from './defender-health.js';
import { DEFENDER_KINDS, defenderSettingIds } from './defender-mapping.js';
import { WindowsDefenderProvider } from './defender-provider.js';
import { psDateMs, psStringList, psTimeOfDayMinutes } from './defender-values.js';
import { DefenderEmulator, readGolden, recordedRuns } from './testing/defender-emulator.js';

async function observeAll(preference: Record<string, unknown>) {
  const host = new DefenderEmulator({ preference });
  const seen = new Map<string, unknown>();
  for (const kind of DEFENDER_KINDS) {
    const provider = new WindowsDefenderProvider(kind, { runner: host.runner });
    for (const [id, value] of await provider.observe(defenderSettingIds(kind))) seen.set(id, value);
  }
  return seen;
}

describe('Get-MpPreference (golden, Windows 11, nothing configured)', () => {
  it('reads the Defender defaults as catalog values', async () => {
    const seen = await observeAll(readGolden('defender-mppreference.json'));
    expect(Object.fromEntries([...seen].filter(([id]) => id.startsWith('defender.')))).toEqual({
      'defender.AllowRealtimeMonitoring': 1,
      'defender.AllowOnAccessProtection': undefined,
      'defender.AllowBehaviorMonitoring': 1,
      'defender.AllowIOAVProtection': 1,
      'defender.AllowScriptScanning': 1,
      'defender.AllowArchiveScanning': 1,
      'defender.AllowEmailScanning': 0,
      'defender.AllowFullScanOnMappedNetworkDrives': 0,
      'defender.AllowFullScanRemovableDriveScanning': 0,
      'defender.AllowScanningNetworkFiles': 1,
      'defender.AllowCloudProtection': 1,
      'defender.AllowUserUIAccess': 1,
      'defender.AllowIntrusionPreventionSystem': undefined,
      'defender.AvgCPULoadFactor': 50,
      'defender.CheckForSignaturesBeforeRunningScan': 0,
      'defender.CloudBlockLevel': 0,
      'defender.CloudExtendedTimeout': 0,
      'defender.DaysToRetainCleanedMalware': 90,
      'defender.DisableCatchupFullScan': 1,
      'defender.DisableCatchupQuickScan': 1,
      'defender.EnableLowCPUPriority': 0,
      'defender.EnableNetworkProtection': 0,
      'defender.EnableControlledFolderAccess': 0,
      'defender.ControlledFolderAccessAllowedApplications': [],
      'defender.ControlledFolderAccessProtectedFolders': [],
      'defender.PUAProtection': 0,
      'defender.RealTimeScanDirection': 0,
      'defender.ScanParameter': 1,
      'defender.ScheduleScanDay': 0,
      'defender.ScheduleScanTime': 120,
      'defender.ScheduleQuickScanTime': 0,
      'defender.SignatureUpdateInterval': 0,
      'defender.SignatureUpdateFallbackOrder': 'MicrosoftUpdateServer|MMPC',
      'defender.SignatureUpdateFileSharesSources': [],
      'defender.SecurityIntelligenceLocation': '',
      'defender.SubmitSamplesConsent': 1,
      'defender.ThreatSeverityDefaultAction': undefined,
      'defender.ExcludedPaths': [],
      'defender.ExcludedExtensions': [],
      'defender.ExcludedProcesses': [],
      'defender.AttackSurfaceReductionOnlyExclusions': [],
    });
    for (const [id, value] of seen) if (id.startsWith('asr.')) expect(value, id).toBe('notConfigured');
    for (const [id, value] of seen) if (id.startsWith('asrExclusions.')) expect(value, id).toBeUndefined();
    expect(seen.get('defenderConfig.ThrottleForScheduledScanOnly')).toBe(1);
    expect(seen.get('defenderConfig.SecurityIntelligenceUpdatesChannel')).toBe(0);
    expect(seen.get('defenderConfig.TamperProtection')).toBe(1);
    expect(seen.get('securityCenter.CompanyName')).toBe('');
    expect(seen.get('securityCenter.DisableVirusUI')).toBeUndefined();
    expect(seen.get('edr.SampleSharing')).toBeUndefined();
  });
});

describe('Get-MpPreference (golden, locally managed device)', () => {
  it('reads lists, ASR pairs (any GUID case), threat actions, inverted switches and TimeSpan times', async () => {
    const seen = await observeAll(readGolden('defender-mppreference-managed.json'));
    expect(seen.get('defender.ExcludedPaths')).toEqual(['C:\\Build', 'D:\\Data\\cache']);
    expect(seen.get('defender.ExcludedExtensions')).toEqual(['.log']);
    expect(seen.get('defender.ExcludedProcesses')).toEqual([]);
    expect(seen.get('defender.AttackSurfaceReductionOnlyExclusions')).toEqual(['C:\\Tools\\build.exe']);
    expect(seen.get('asr.56a863a9-875e-4185-98a7-b882c64b5ce5')).toBe('block');
    expect(seen.get('asr.d4f940ab-401b-4efc-aadc-ad5f3c50688a')).toBe('audit');
    expect(seen.get('asr.d3e037e1-3eb8-44c8-a917-57927947596d')).toBe('warn');
    expect(seen.get('asr.9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2')).toBe('notConfigured');
    expect(seen.get('defender.ThreatSeverityDefaultAction')).toBe('1=2|2=2|4=3|5=3');
    expect(seen.get('defender.AllowRealtimeMonitoring')).toBe(0);
    expect(seen.get('defender.AllowUserUIAccess')).toBe(0);
    expect(seen.get('defender.AllowCloudProtection')).toBe(0);
    expect(seen.get('defender.EnableNetworkProtection')).toBe(2);
    expect(seen.get('defender.ScheduleQuickScanTime')).toBe(13 * 60 + 30);
    expect(seen.get('defender.ScheduleScanTime')).toBe(1380);
    expect(seen.get('defender.SignatureUpdateFileSharesSources')).toEqual(['\\\\fs1\\defs', '\\\\fs2\\defs']);
    expect(seen.get('defender.SecurityIntelligenceLocation')).toBe('\\\\vdi-store\\defs');
    expect(seen.get('defender.ControlledFolderAccessProtectedFolders')).toEqual(['D:\\Finance']);
  });
});

describe('PowerShell 5.1 value shapes', () => {
  it('reads a time of day from a TimeSpan object, hh:mm:ss text or a \\/Date()\\/ string', () => {
    expect(psTimeOfDayMinutes({ Ticks: 72_000_000_000, Hours: 2, Minutes: 0 })).toBe(120);
    expect(psTimeOfDayMinutes({ TotalMinutes: 105 })).toBe(105);
    expect(psTimeOfDayMinutes('01:45:00')).toBe(105);
    expect(psTimeOfDayMinutes('/Date(1705285800000)/')).toBe(2 * 60 + 30);
    expect(psTimeOfDayMinutes(null)).toBeUndefined();
    expect(psTimeOfDayMinutes('whenever')).toBeUndefined();
  });
  it('reads dates in the 5.1, ETS-wrapped and ISO forms', () => {
    expect(psDateMs('/Date(1730282466000)/')).toBe(1730282466000);
    expect(psDateMs({ value: '/Date(1730282466000)/', DisplayHint: 2, DateTime: 'Wednesday, October 30, 2024 10:01:06 AM' })).toBe(1730282466000);
    expect(psDateMs('2024-10-30T10:01:06Z')).toBe(1730282466000);
    expect(psDateMs(null)).toBeUndefined();
    expect(psDateMs('')).toBeUndefined();
  });
  it('reads a list given as null, a lone string or an array', () => {
    expect(psStringList(null)).toEqual([]);
    expect(psStringList('C:\\Temp')).toEqual(['C:\\Temp']);
    expect(psStringList(['a', 'b'])).toEqual(['a', 'b']);
  });
});

describe('Get-MpComputerStatus (golden)', () => {
  it('parses an active, up-to-date, tamper-protected Windows 11 device', () => {
    expect(parseMpComputerStatus(readGolden('defender-mpcomputerstatus.json'))).toEqual({
      runningMode: 'Normal',
      serviceEnabled: true,
      antivirusEnabled: true,
      antispywareEnabled: true,
      realTimeProtectionEnabled: true,
      onAccessProtectionEnabled: true,
      behaviorMonitorEnabled: true,
      ioavProtectionEnabled: true,
      networkInspectionEnabled: true,
      tamperProtected: true,
      tamperProtectionSource: 'Signature',
      productVersion: '4.18.24090.11',
      engineVersion: '1.1.24090.11',
      signatureVersion: '1.421.164.0',
      signatureAgeDays: 0,
      signatureLastUpdated: '2024-10-30T10:01:06.000Z',
      signaturesOutOfDate: false,
      quickScanAgeDays: 1,
      quickScanEndTime: '2024-10-29T10:23:05.000Z',
      quickScanOverdue: false,
      fullScanOverdue: false,
      fullScanRequired: false,
      rebootRequired: false,
      computerState: 0,
      isVirtualMachine: false,
      computerId: '6A8C2F41-3D5B-4E7A-9C10-2B4D6E8F0A13',
    });
  });

  it('parses a passive-mode device with stale signatures that never scanned', () => {
    const health = parseMpComputerStatus(readGolden('defender-mpcomputerstatus-passive.json'));
    expect(health).toMatchObject({
      runningMode: 'Passive Mode',
      antivirusEnabled: true,
      realTimeProtectionEnabled: false,
      tamperProtected: false,
      tamperProtectionSource: 'N/A',
      signatureAgeDays: 9,
      signaturesOutOfDate: true,
      rebootRequired: true,
      computerState: 2,
    });
    expect(health.quickScanAgeDays).toBeUndefined();
    expect(health.fullScanAgeDays).toBeUndefined();
    expect(health.quickScanEndTime).toBeUndefined();
  });

  it('refuses output that is not an object', () => {
    expect(() => parseMpComputerStatus(null)).toThrow(/did not return an object/);
    expect(() => parseMpComputerStatus([{}])).toThrow(/did not return an object/);
  });

  it('readDefenderHealth runs the constant status script with an empty input', async () => {
    const host = new DefenderEmulator();
    expect((await readDefenderHealth(host.runner)).runningMode).toBe('Normal');
    expect(recordedRuns(host.runner).map((r) => [r.script, r.input])).toEqual([['defender-status', {}]]);
  });
});
