// Antivirus settings: Defender Policy CSP (Windows) and mdatp managed-configuration keys (Linux, macOS).
// Names, values and defaults from ../shared/reference/mde-domain.md §2.2 (Policy CSP) and §3.1/§3.3 (mdatp_managed.json,
// com.microsoft.wdav). Ids are stable: add settings, never rename one.
import type { SettingDefinition } from './setting-definition.js';

const CSP = './Device/Vendor/MSFT/Policy/Config/Defender/';

/** A Policy CSP 0/1 switch ("Allow…" settings: 1 = on). */
function allow(name: string, title: string, def: 0 | 1, tamperProtected = false): SettingDefinition {
  return {
    id: `defender.${name}`,
    kind: 'antivirus',
    title,
    description: `Policy CSP Defender/${name}.`,
    platforms: ['windows'],
    type: 'integer',
    values: [
      { value: 0, label: 'Not allowed' },
      { value: 1, label: 'Allowed' },
    ],
    default: def,
    source: CSP + name,
    ...(tamperProtected ? { tamperProtected } : {}),
  };
}

function choice(name: string, title: string, values: [number, string][], def: number): SettingDefinition {
  return {
    id: `defender.${name}`,
    kind: 'antivirus',
    title,
    description: `Policy CSP Defender/${name}.`,
    platforms: ['windows'],
    type: 'integer',
    values: values.map(([value, label]) => ({ value, label })),
    default: def,
    source: CSP + name,
  };
}

function range(name: string, title: string, minimum: number, maximum: number, def: number): SettingDefinition {
  return {
    id: `defender.${name}`,
    kind: 'antivirus',
    title,
    description: `Policy CSP Defender/${name}.`,
    platforms: ['windows'],
    type: 'integer',
    minimum,
    maximum,
    default: def,
    source: CSP + name,
  };
}

function list(name: string, title: string): SettingDefinition {
  return {
    id: `defender.${name}`,
    kind: 'antivirus',
    title,
    description: `Policy CSP Defender/${name} ('|'-delimited on the device). Lists from several policies merge as a union.`,
    platforms: ['windows'],
    type: 'stringList',
    maxItems: 1000,
    default: [],
    source: CSP + name,
  };
}

/** An mdatp managed-configuration key shared by Linux and macOS (mdatp_managed.json / com.microsoft.wdav). */
function mdatp(
  key: string,
  def: Omit<SettingDefinition, 'id' | 'kind' | 'platforms' | 'source' | 'description'> & { description?: string },
): SettingDefinition {
  return { description: `mdatp managed configuration key ${key}.`, ...def, id: `mdatp.${key}`, kind: 'antivirus', platforms: ['linux', 'macos'], source: key };
}

function labels(...values: string[]) {
  return values.map((value) => ({ value, label: value }));
}

export const ANTIVIRUS_SETTINGS: readonly SettingDefinition[] = [
  allow('AllowRealtimeMonitoring', 'Real-time monitoring', 1, true),
  allow('AllowOnAccessProtection', 'On-access protection', 1, true),
  allow('AllowBehaviorMonitoring', 'Behavior monitoring', 1, true),
  allow('AllowIOAVProtection', 'Scan downloaded files and attachments', 1, true),
  allow('AllowScriptScanning', 'Script scanning', 1, true),
  allow('AllowArchiveScanning', 'Archive scanning', 1, true),
  allow('AllowEmailScanning', 'E-mail scanning', 0),
  allow('AllowFullScanOnMappedNetworkDrives', 'Scan mapped network drives during full scan', 0),
  allow('AllowFullScanRemovableDriveScanning', 'Scan removable drives during full scan', 0),
  allow('AllowScanningNetworkFiles', 'Scan network files', 0),
  allow('AllowCloudProtection', 'Cloud-delivered protection (MAPS)', 1, true),
  allow('AllowUserUIAccess', 'User access to the Defender UI', 1),
  range('AvgCPULoadFactor', 'Average CPU load factor during scans (%)', 0, 100, 50),
  allow('CheckForSignaturesBeforeRunningScan', 'Check for signatures before running a scan', 0),
  choice(
    'CloudBlockLevel',
    'Cloud block level',
    [
      [0, 'Not configured'],
      [2, 'High'],
      [4, 'High plus'],
      [6, 'Zero tolerance'],
    ],
    0,
  ),
  range('CloudExtendedTimeout', 'Cloud extended timeout (seconds)', 0, 50, 0),
  range('DaysToRetainCleanedMalware', 'Days to keep quarantined malware (0 = forever)', 0, 90, 0),
  choice(
    'DisableCatchupFullScan',
    'Catch-up full scan',
    [
      [0, 'Enabled'],
      [1, 'Disabled'],
    ],
    1,
  ),
  choice(
    'DisableCatchupQuickScan',
    'Catch-up quick scan',
    [
      [0, 'Enabled'],
      [1, 'Disabled'],
    ],
    1,
  ),
  allow('EnableLowCPUPriority', 'Low CPU priority for scheduled scans', 0),
  choice(
    'EnableNetworkProtection',
    'Network protection',
    [
      [0, 'Disabled'],
      [1, 'Enabled (block mode)'],
      [2, 'Enabled (audit mode)'],
    ],
    0,
  ),
  choice(
    'EnableControlledFolderAccess',
    'Controlled folder access',
    [
      [0, 'Disabled'],
      [1, 'Enabled'],
      [2, 'Audit mode'],
      [3, 'Block disk modification only'],
      [4, 'Audit disk modification only'],
    ],
    0,
  ),
  choice(
    'PUAProtection',
    'Potentially unwanted app protection',
    [
      [0, 'Off'],
      [1, 'Block'],
      [2, 'Audit'],
    ],
    0,
  ),
  choice(
    'RealTimeScanDirection',
    'Real-time scan direction',
    [
      [0, 'Incoming and outgoing'],
      [1, 'Incoming only'],
      [2, 'Outgoing only'],
    ],
    0,
  ),
  choice(
    'ScanParameter',
    'Scheduled scan type',
    [
      [1, 'Quick scan'],
      [2, 'Full scan'],
    ],
    1,
  ),
  choice(
    'ScheduleScanDay',
    'Scheduled scan day',
    [
      [0, 'Every day'],
      [1, 'Sunday'],
      [2, 'Monday'],
      [3, 'Tuesday'],
      [4, 'Wednesday'],
      [5, 'Thursday'],
      [6, 'Friday'],
      [7, 'Saturday'],
      [8, 'No scheduled scan'],
    ],
    0,
  ),
  range('ScheduleScanTime', 'Scheduled scan time (minutes after midnight)', 0, 1380, 120),
  range('ScheduleQuickScanTime', 'Daily quick scan time (minutes after midnight)', 0, 1380, 120),
  range('SignatureUpdateInterval', 'Security intelligence update interval (hours)', 0, 24, 8),
  choice(
    'SubmitSamplesConsent',
    'Sample submission consent',
    [
      [0, 'Always prompt'],
      [1, 'Send safe samples automatically'],
      [2, 'Never send'],
      [3, 'Send all samples automatically'],
    ],
    1,
  ),
  list('ExcludedPaths', 'Excluded paths'),
  list('ExcludedExtensions', 'Excluded file extensions'),
  list('ExcludedProcesses', 'Excluded processes'),

  mdatp('antivirusEngine.enforcementLevel', {
    title: 'Enforcement level',
    type: 'string',
    values: labels('real_time', 'on_demand', 'passive'),
    default: 'passive',
    platformDefaults: { macos: 'real_time' },
  }),
  mdatp('antivirusEngine.behaviorMonitoring', {
    title: 'Behavior monitoring',
    type: 'string',
    values: labels('disabled', 'enabled'),
    default: 'disabled',
    platformDefaults: { macos: 'enabled' },
  }),
  mdatp('antivirusEngine.scanAfterDefinitionUpdate', { title: 'Scan after definition update', type: 'boolean', default: true }),
  mdatp('antivirusEngine.scanArchives', { title: 'Scan archives (on-demand scans)', type: 'boolean', default: true }),
  mdatp('antivirusEngine.maximumOnDemandScanThreads', { title: 'Maximum on-demand scan threads', type: 'integer', minimum: 1, maximum: 64, default: 2 }),
  mdatp('antivirusEngine.exclusionsMergePolicy', { title: 'Exclusions merge policy', type: 'string', values: labels('merge', 'admin_only'), default: 'merge' }),
  mdatp('antivirusEngine.enableFileHashComputation', { title: 'File hash computation', type: 'boolean', default: false }),
  mdatp('antivirusEngine.scanResultsRetentionDays', { title: 'Scan results retention (days)', type: 'integer', minimum: 1, maximum: 180, default: 90 }),
  mdatp('cloudService.enabled', { title: 'Cloud-delivered protection', type: 'boolean', default: true }),
  mdatp('cloudService.diagnosticLevel', { title: 'Diagnostic data level', type: 'string', values: labels('optional', 'required'), default: 'required' }),
  mdatp('cloudService.cloudBlockLevel', {
    title: 'Cloud block level',
    type: 'string',
    values: labels('normal', 'moderate', 'high', 'high_plus', 'zero_tolerance'),
    default: 'normal',
  }),
  mdatp('cloudService.automaticSampleSubmissionConsent', {
    title: 'Automatic sample submission',
    type: 'string',
    values: labels('none', 'safe', 'all'),
    default: 'safe',
  }),
  mdatp('cloudService.automaticDefinitionUpdateEnabled', { title: 'Automatic security intelligence updates', type: 'boolean', default: true }),
  mdatp('networkProtection.enforcementLevel', {
    title: 'Network protection',
    type: 'string',
    values: labels('disabled', 'audit', 'block'),
    default: 'disabled',
  }),
];
