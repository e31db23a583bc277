// Antivirus settings for Windows: Defender Policy CSP (defender.*) and Defender CSP configuration (defenderConfig.*),
// mde-domain.md §2.2. The mdatp (Linux, macOS) keys are in antivirus-mdatp.ts. Ids are stable: add, never rename.

import { DEFENDER_CONFIG_ANTIVIRUS_SETTINGS } from './antivirus-defender-config.js';
import { MDATP_ANTIVIRUS_SETTINGS } from './antivirus-mdatp.js';
import { choices, defender, defenderConfig, type EntryRest, switch01, weekdays } from './builders.js';
import type { SettingDefinition } from './setting-definition.js';
import { describedPattern, PIPE_LIST_ITEM_PATTERN } from './text.js';

const ALLOW = switch01('Not allowed', 'Allowed');
const DISABLE = switch01('Enabled', 'Disabled');

function allow(name: string, title: string, def: 0 | 1, tamperProtected = false): SettingDefinition {
  return defender('antivirus', name, { title, type: 'integer', values: ALLOW, default: def, ...(tamperProtected ? { tamperProtected } : {}) });
}

function choice(name: string, title: string, values: [number, string][], def: number): SettingDefinition {
  return defender('antivirus', name, { title, type: 'integer', values: choices(values), default: def });
}

function range(name: string, title: string, minimum: number, maximum: number, def: number): SettingDefinition {
  return defender('antivirus', name, { title, type: 'integer', minimum, maximum, default: def });
}

function list(name: string, title: string): SettingDefinition {
  return defender('antivirus', name, {
    title,
    description: `Policy CSP Defender/${name} ('|'-delimited on the device). Lists from several policies merge as a union.`,
    type: 'stringList',
    pattern: PIPE_LIST_ITEM_PATTERN,
    maxItems: 1000,
    default: [],
  });
}

function config(name: string, rest: EntryRest): SettingDefinition {
  return defenderConfig('antivirus', name, rest);
}

/**
 * Levels 1 Low, 2 Moderate, 4 High, 5 Severe; actions as Intune's Antivirus profile offers them per level: 1 Clean,
 * 2 Quarantine, 3 Remove, 6 Allow (Ignore), 8 User defined, 10 Block — the ThreatAction numbers of Set-MpPreference.
 * Each level at most once and in level order: the order the device reports them in, so a value reads back the same.
 */
// Source: https://learn.microsoft.com/windows/client-management/mdm/policy-csp-defender#threatseveritydefaultaction
// Source: https://learn.microsoft.com/powershell/module/defender/set-mppreference (ThreatAction: 1 Clean … 10 Block)
const pair = (level: number) => `${level}=(10|[12368])`;
const LEVELS = [1, 2, 4, 5];
const THREAT_SEVERITY_ACTIONS = describedPattern(
  `^(${LEVELS.map(
    (first, i) =>
      pair(first) +
      LEVELS.slice(i + 1)
        .map((l) => `(\\|${pair(l)})?`)
        .join(''),
  ).join('|')})$`,
  'must be level=action pairs separated by "|", each level (1, 2, 4, 5) at most once and in that order, actions 1, 2, 3, 6, 8 or 10 (e.g. "1=2|2=2|4=3|5=3")',
);
const UPDATE_SOURCE = '(InternalDefinitionUpdateServer|MicrosoftUpdateServer|MMPC|FileShares)';

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
  {
    ...allow('AllowIntrusionPreventionSystem', 'Network intrusion prevention (deprecated)', 1, true),
    description: 'Policy CSP Defender/AllowIntrusionPreventionSystem. Deprecated; not supported through the MDE channel.',
  },
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
  defender('antivirus', 'DisableCatchupFullScan', { title: 'Catch-up full scan', type: 'integer', values: DISABLE, default: 1 }),
  defender('antivirus', 'DisableCatchupQuickScan', { title: 'Catch-up quick scan', type: 'integer', values: DISABLE, default: 1 }),
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
  list('ControlledFolderAccessAllowedApplications', 'Controlled folder access: allowed applications'),
  list('ControlledFolderAccessProtectedFolders', 'Controlled folder access: additional protected folders'),
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
  defender('antivirus', 'ScheduleScanDay', { title: 'Scheduled scan day', type: 'integer', values: weekdays('Every day', 'No scheduled scan'), default: 0 }),
  range('ScheduleScanTime', 'Scheduled scan time (minutes after midnight)', 0, 1380, 120),
  range('ScheduleQuickScanTime', 'Daily quick scan time (minutes after midnight)', 0, 1380, 120),
  range('SignatureUpdateInterval', 'Security intelligence update interval (hours)', 0, 24, 8),
  defender('antivirus', 'SignatureUpdateFallbackOrder', {
    title: 'Security intelligence update sources, in fallback order',
    description: "Policy CSP Defender/SignatureUpdateFallbackOrder: '|'-separated sources. Ordered, so it is a single value (conflicts, never merged).",
    type: 'string',
    pattern: `^${UPDATE_SOURCE}(\\|${UPDATE_SOURCE})*$`,
    default: 'MicrosoftUpdateServer|MMPC',
  }),
  list('SignatureUpdateFileSharesSources', 'Security intelligence update file shares (UNC paths)'),
  defender('antivirus', 'SecurityIntelligenceLocation', { title: 'Shared security intelligence location (VDI)', type: 'string', default: '' }),
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
  defender('antivirus', 'ThreatSeverityDefaultAction', {
    title: 'Default action per threat severity',
    description:
      "Policy CSP Defender/ThreatSeverityDefaultAction: '|'-separated level=action pairs; levels 1 Low, 2 Moderate, 4 High, 5 Severe; actions 1 Clean, 2 Quarantine, 3 Remove, 6 Allow, 8 User defined, 10 Block. No default: a level left out takes the action the security intelligence update recommends.",
    type: 'string',
    pattern: THREAT_SEVERITY_ACTIONS,
    tamperProtected: true,
  }),

  config('DisableLocalAdminMerge', {
    title: 'Ignore local administrator lists (exclusions)',
    type: 'integer',
    values: switch01('Merge local lists', 'Do not merge'),
    default: 0,
  }),
  config('AllowDatagramProcessingOnWinServer', {
    title: 'Datagram processing on Windows Server',
    type: 'integer',
    values: switch01('Disabled', 'Enabled'),
    default: 0,
  }),
  config('AllowNetworkProtectionDownLevel', {
    title: 'Network protection on down-level OS',
    type: 'integer',
    values: switch01('Disabled', 'Enabled'),
    default: 0,
  }),
  // The default is the Defender CSP's (DDF "Default Value 1", 11/2024). Defender itself reports network protection off
  // on a fresh Windows Server until this is set, which is why the network-protection article tells admins to set it.
  // Source: https://learn.microsoft.com/windows/client-management/mdm/defender-csp#configurationallownetworkprotectiononwinserver
  config('AllowNetworkProtectionOnWinServer', {
    title: 'Network protection on Windows Server',
    description:
      'Defender CSP Configuration/AllowNetworkProtectionOnWinServer (0: EnableNetworkProtection is ignored on Windows Server). Default as the CSP DDF states.',
    type: 'integer',
    values: switch01('Disabled', 'Enabled'),
    default: 1,
  }),
  config('DisableDnsOverTcpParsing', { title: 'DNS over TCP parsing', type: 'integer', values: DISABLE, default: 0 }),
  config('DisableHttpParsing', { title: 'HTTP parsing', type: 'integer', values: DISABLE, default: 0 }),
  config('DisableSshParsing', { title: 'SSH parsing', type: 'integer', values: DISABLE, default: 0 }),
  config('DisableTlsParsing', { title: 'TLS parsing', type: 'integer', values: DISABLE, default: 0 }),
  config('RandomizeScheduleTaskTimes', { title: 'Randomize scheduled task times', type: 'integer', values: switch01('Disabled', 'Enabled'), default: 1 }),
  config('SchedulerRandomizationTime', { title: 'Scheduler randomization window (hours)', type: 'integer', minimum: 1, maximum: 23, default: 4 }),
  // Range [0-4294967295] (an unsigned DWORD). Source: https://learn.microsoft.com/windows/client-management/mdm/defender-csp#configurationarchivemaxdepth
  config('ArchiveMaxDepth', { title: 'Maximum archive depth scanned (0 = no limit)', type: 'integer', minimum: 0, maximum: 4294967295, default: 0 }),
  // Source: https://learn.microsoft.com/windows/client-management/mdm/defender-csp#configurationarchivemaxsize
  config('ArchiveMaxSize', { title: 'Maximum archive size scanned (KB, 0 = no limit)', type: 'integer', minimum: 0, maximum: 4294967295, default: 0 }),
  config('DisableCpuThrottleOnIdleScans', {
    title: 'CPU throttling on idle scans',
    type: 'integer',
    values: switch01('Throttle', 'Do not throttle'),
    default: 1,
  }),
  config('EnableFileHashComputation', { title: 'File hash computation', type: 'integer', values: switch01('Disabled', 'Enabled'), default: 0 }),
  config('HideExclusionsFromLocalAdmins', {
    title: 'Hide exclusions from local administrators',
    type: 'integer',
    values: switch01('Visible', 'Hidden'),
    default: 0,
  }),
  config('ScanOnlyIfIdleEnabled', { title: 'Scheduled scans only when idle', type: 'integer', values: switch01('Disabled', 'Enabled'), default: 1 }),
  config('ThrottleForScheduledScanOnly', {
    title: 'CPU throttle for scheduled scans only',
    type: 'integer',
    values: switch01('All scans', 'Scheduled scans only'),
    default: 1,
  }),
  ...DEFENDER_CONFIG_ANTIVIRUS_SETTINGS,

  ...MDATP_ANTIVIRUS_SETTINGS,
];
