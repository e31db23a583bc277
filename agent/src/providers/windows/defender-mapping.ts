// The Windows Defender mapping table (pure data): for every Windows setting of the Defender kinds, how it is applied
// and read back — a Set-/Add-/Remove-MpPreference parameter, the ASR rule arrays, or a Group Policy registry value —
// and what "remove" means for it. Sources: mde-domain.md §2.2, §2.5, §2.6, §5.1 and the CSP/ADMX pages cited there.
import { type PolicyKind, SETTINGS, settingById } from '../../../../policy-schemas/src/index.js';

/** How a CSP value becomes a Set-MpPreference value and back. */
export type MpCodec =
  /** CSP 1 ↔ $true (e.g. DisableCatchupFullScan, MeteredConnectionUpdates). */
  | 'bool'
  /** CSP 1 ↔ $false: the CSP says "Allow…", the cmdlet says "Disable…" (AllowRealtimeMonitoring ↔ -DisableRealtimeMonitoring). */
  | 'inverted'
  /** The same number on both sides (CSP enums whose cmdlet enum has the same values, counts, percentages). */
  | 'int'
  | 'string'
  /** AllowCloudProtection 0 ↔ MAPSReporting 0 (Disabled), 1 ↔ 2 (Advanced); Windows 10+ treats Basic (1) as Advanced. */
  | 'maps'
  /** Minutes after midnight ↔ a time of day (the cmdlet takes a DateTime, Get-MpPreference reports a TimeSpan). */
  | 'minutes';

/** Registry value type and CSP conversion. */
export type RegistryCodec = 'dword' | 'invertedDword' | 'string';

export type DefenderMapping =
  /** Scalar preference: Set-MpPreference -<param>; removed with the switch Remove-MpPreference -<param> (Defender default again). */
  | { readonly via: 'mp'; readonly param: string; readonly codec: MpCodec }
  /** String list preference: Add-/Remove-MpPreference -<param> of exactly the items that differ. */
  | { readonly via: 'mpList'; readonly param: string }
  /** A list the cmdlet takes as one '|'-separated string (Set-MpPreference -<param> "a|b"); removed with the switch. */
  | { readonly via: 'mpJoined'; readonly param: string }
  /** ThreatSeverityDefaultAction "1=2|2=2|4=3|5=3" ↔ Low/Moderate/High/SevereThreatDefaultAction. */
  | { readonly via: 'threatActions' }
  /** One ASR rule in the -AttackSurfaceReductionRules_Ids/_Actions pair arrays. */
  | { readonly via: 'asrRule'; readonly guid: string }
  /** A Group Policy registry value (New-ItemProperty); removed by deleting the value (policy not configured). */
  | { readonly via: 'registry'; readonly key: string; readonly name: string; readonly codec: RegistryCodec }
  /** ASR per-rule exclusions: REG_SZ named after the rule GUID, items joined with '>' (GPO format). */
  | { readonly via: 'asrRuleExclusions'; readonly guid: string }
  /** No local write path on Windows: notApplicable with this reason; `status` names a Get-MpComputerStatus field to report. */
  | { readonly via: 'unsupported'; readonly reason: string; readonly status?: 'IsTamperProtected' };

/** Group Policy keys this provider writes; the apply and observe scripts refuse any other key (same list, by value). */
export const DEFENDER_POLICY_KEY = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender';
export const REAL_TIME_PROTECTION_KEY = `${DEFENDER_POLICY_KEY}\\Real-Time Protection`;
export const SCAN_KEY = `${DEFENDER_POLICY_KEY}\\Scan`;
export const ASR_KEY = `${DEFENDER_POLICY_KEY}\\Windows Defender Exploit Guard\\ASR`;
export const ASR_PER_RULE_KEY = `${ASR_KEY}\\ASROnlyPerRuleExclusions`;
/** Set to 1 while the per-rule list has values, like gpedit's "Enabled" (name by analogy with ExploitGuard_ASR_ASROnlyExclusions). */
export const ASR_PER_RULE_FLAG = 'ExploitGuard_ASR_ASROnlyPerRuleExclusions';
export const SECURITY_CENTER_KEY = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender Security Center';
export const ATP_KEY = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Advanced Threat Protection';

/** ASR modes as the catalog spells them ↔ the ASRRuleActionType numbers (mde-domain.md §2.5). */
export const ASR_ACTIONS: Readonly<Record<string, number>> = { off: 0, block: 1, audit: 2, notConfigured: 5, warn: 6 };

/** Severity level (CSP) → the cmdlet parameter holding its default action. */
export const THREAT_LEVELS: readonly (readonly [level: number, param: string])[] = [
  [1, 'LowThreatDefaultAction'],
  [2, 'ModerateThreatDefaultAction'],
  [4, 'HighThreatDefaultAction'],
  [5, 'SevereThreatDefaultAction'],
];

const mp = (param: string, codec: MpCodec): DefenderMapping => ({ via: 'mp', param, codec });
const list = (param: string): DefenderMapping => ({ via: 'mpList', param });
const reg = (key: string, name: string, codec: RegistryCodec = 'dword'): DefenderMapping => ({ via: 'registry', key, name, codec });
const ui = (area: string, name = 'UILockdown'): DefenderMapping => reg(`${SECURITY_CENTER_KEY}\\${area}`, name);
const contact = (name: string): DefenderMapping => reg(`${SECURITY_CENTER_KEY}\\Enterprise Customization`, name, 'string');

const TAMPER_PROTECTION_REASON =
  'tamper protection can only be turned on or off from Microsoft Intune, Configuration Manager tenant attach, the Microsoft Defender portal ' +
  'or the Windows Security app; Windows has no local programmatic way to change it (Set-MpPreference -DisableTamperProtection is reserved for Microsoft)';

/** Settings with one fixed mapping, by catalog id. ASR rules and per-rule exclusions are derived from their GUIDs below. */
const FIXED: Readonly<Record<string, DefenderMapping>> = {
  // Policy CSP Defender/* (antivirus)
  'defender.AllowRealtimeMonitoring': mp('DisableRealtimeMonitoring', 'inverted'),
  'defender.AllowOnAccessProtection': reg(REAL_TIME_PROTECTION_KEY, 'DisableOnAccessProtection', 'invertedDword'),
  'defender.AllowBehaviorMonitoring': mp('DisableBehaviorMonitoring', 'inverted'),
  'defender.AllowIOAVProtection': mp('DisableIOAVProtection', 'inverted'),
  'defender.AllowScriptScanning': mp('DisableScriptScanning', 'inverted'),
  'defender.AllowArchiveScanning': mp('DisableArchiveScanning', 'inverted'),
  'defender.AllowEmailScanning': mp('DisableEmailScanning', 'inverted'),
  'defender.AllowFullScanOnMappedNetworkDrives': mp('DisableScanningMappedNetworkDrivesForFullScan', 'inverted'),
  'defender.AllowFullScanRemovableDriveScanning': mp('DisableRemovableDriveScanning', 'inverted'),
  'defender.AllowScanningNetworkFiles': mp('DisableScanningNetworkFiles', 'inverted'),
  'defender.AllowCloudProtection': mp('MAPSReporting', 'maps'),
  'defender.AllowUserUIAccess': mp('UILockdown', 'inverted'),
  'defender.AllowIntrusionPreventionSystem': {
    via: 'unsupported',
    reason:
      'AllowIntrusionPreventionSystem is deprecated: current Defender platforms no longer report DisableIntrusionPreventionSystem in Get-MpPreference, so it can be neither enforced nor verified',
  },
  'defender.AvgCPULoadFactor': mp('ScanAvgCPULoadFactor', 'int'),
  'defender.CheckForSignaturesBeforeRunningScan': mp('CheckForSignaturesBeforeRunningScan', 'bool'),
  'defender.CloudBlockLevel': mp('CloudBlockLevel', 'int'),
  'defender.CloudExtendedTimeout': mp('CloudExtendedTimeout', 'int'),
  'defender.DaysToRetainCleanedMalware': mp('QuarantinePurgeItemsAfterDelay', 'int'),
  'defender.DisableCatchupFullScan': mp('DisableCatchupFullScan', 'bool'),
  'defender.DisableCatchupQuickScan': mp('DisableCatchupQuickScan', 'bool'),
  'defender.EnableLowCPUPriority': mp('EnableLowCpuPriority', 'bool'),
  'defender.EnableNetworkProtection': mp('EnableNetworkProtection', 'int'),
  'defender.EnableControlledFolderAccess': mp('EnableControlledFolderAccess', 'int'),
  'defender.ControlledFolderAccessAllowedApplications': list('ControlledFolderAccessAllowedApplications'),
  'defender.ControlledFolderAccessProtectedFolders': list('ControlledFolderAccessProtectedFolders'),
  'defender.PUAProtection': mp('PUAProtection', 'int'),
  'defender.RealTimeScanDirection': mp('RealTimeScanDirection', 'int'),
  'defender.ScanParameter': mp('ScanParameters', 'int'),
  'defender.ScheduleScanDay': mp('ScanScheduleDay', 'int'),
  // ScanScheduleOffset is the minutes-after-midnight form of the weekly scan time (Set-MpPreference doc, 2024).
  'defender.ScheduleScanTime': mp('ScanScheduleOffset', 'int'),
  'defender.ScheduleQuickScanTime': mp('ScanScheduleQuickScanTime', 'minutes'),
  'defender.SignatureUpdateInterval': mp('SignatureUpdateInterval', 'int'),
  'defender.SignatureUpdateFallbackOrder': mp('SignatureFallbackOrder', 'string'),
  'defender.SignatureUpdateFileSharesSources': { via: 'mpJoined', param: 'SignatureDefinitionUpdateFileSharesSources' },
  'defender.SecurityIntelligenceLocation': mp('SharedSignaturesPath', 'string'),
  'defender.SubmitSamplesConsent': mp('SubmitSamplesConsent', 'int'),
  'defender.ThreatSeverityDefaultAction': { via: 'threatActions' },

  // Defender CSP Configuration/* (antivirus)
  'defenderConfig.DisableLocalAdminMerge': reg(DEFENDER_POLICY_KEY, 'DisableLocalAdminMerge'),
  'defenderConfig.AllowDatagramProcessingOnWinServer': mp('AllowDatagramProcessingOnWinServer', 'bool'),
  'defenderConfig.AllowNetworkProtectionDownLevel': mp('AllowNetworkProtectionDownLevel', 'bool'),
  'defenderConfig.AllowNetworkProtectionOnWinServer': mp('AllowNetworkProtectionOnWinServer', 'bool'),
  'defenderConfig.DisableDnsOverTcpParsing': mp('DisableDnsOverTcpParsing', 'bool'),
  'defenderConfig.DisableHttpParsing': mp('DisableHttpParsing', 'bool'),
  'defenderConfig.DisableSshParsing': mp('DisableSshParsing', 'bool'),
  'defenderConfig.DisableTlsParsing': mp('DisableTlsParsing', 'bool'),
  'defenderConfig.RandomizeScheduleTaskTimes': mp('RandomizeScheduleTaskTimes', 'bool'),
  'defenderConfig.SchedulerRandomizationTime': mp('SchedulerRandomizationTime', 'int'),
  'defenderConfig.ArchiveMaxDepth': reg(SCAN_KEY, 'ArchiveMaxDepth'),
  'defenderConfig.ArchiveMaxSize': reg(SCAN_KEY, 'ArchiveMaxSize'),
  'defenderConfig.DisableCpuThrottleOnIdleScans': mp('DisableCpuThrottleOnIdleScans', 'bool'),
  'defenderConfig.EnableFileHashComputation': mp('EnableFileHashComputation', 'bool'),
  'defenderConfig.HideExclusionsFromLocalAdmins': reg(DEFENDER_POLICY_KEY, 'HideExclusionsFromLocalAdmins'),
  'defenderConfig.ScanOnlyIfIdleEnabled': mp('ScanOnlyIfIdleEnabled', 'bool'),
  'defenderConfig.ThrottleForScheduledScanOnly': mp('ThrottleForScheduledScanOnly', 'bool'),

  // antivirusExclusions
  'defender.ExcludedPaths': list('ExclusionPath'),
  'defender.ExcludedExtensions': list('ExclusionExtension'),
  'defender.ExcludedProcesses': list('ExclusionProcess'),

  // asr
  'defender.AttackSurfaceReductionOnlyExclusions': list('AttackSurfaceReductionOnlyExclusions'),

  // defenderUpdate
  'defenderConfig.EngineUpdatesChannel': mp('EngineUpdatesChannel', 'int'),
  'defenderConfig.PlatformUpdatesChannel': mp('PlatformUpdatesChannel', 'int'),
  'defenderConfig.SecurityIntelligenceUpdatesChannel': mp('DefinitionUpdatesChannel', 'int'),
  'defenderConfig.MeteredConnectionUpdates': mp('MeteredConnectionUpdates', 'bool'),

  // securityExperience: WindowsDefenderSecurityCenter ADMX registry values (policy-csp-windowsdefendersecuritycenter)
  'defenderConfig.TamperProtection': { via: 'unsupported', reason: TAMPER_PROTECTION_REASON, status: 'IsTamperProtected' },
  'securityCenter.DisableAccountProtectionUI': ui('Account protection'),
  'securityCenter.DisableAppBrowserUI': ui('App and Browser protection'),
  'securityCenter.DisableClearTpmButton': ui('Device security', 'DisableClearTpmButton'),
  'securityCenter.DisableDeviceSecurityUI': ui('Device security'),
  'securityCenter.DisableFamilyUI': ui('Family options'),
  'securityCenter.DisableHealthUI': ui('Device performance and health'),
  'securityCenter.DisableNetworkUI': ui('Firewall and network protection'),
  'securityCenter.DisableEnhancedNotifications': ui('Notifications', 'DisableEnhancedNotifications'),
  'securityCenter.DisableTpmFirmwareUpdateWarning': ui('Device security', 'DisableTpmFirmwareUpdateWarning'),
  'securityCenter.DisableVirusUI': ui('Virus and threat protection'),
  'securityCenter.HideRansomwareDataRecovery': ui('Virus and threat protection', 'HideRansomwareRecovery'),
  'securityCenter.HideWindowsSecurityNotificationAreaControl': ui('Systray', 'HideSystray'),
  'securityCenter.EnableCustomizedToasts': ui('Enterprise Customization', 'EnableForToasts'),
  'securityCenter.EnableInAppCustomization': ui('Enterprise Customization', 'EnableInApp'),
  'securityCenter.CompanyName': contact('CompanyName'),
  'securityCenter.Email': contact('Email'),
  'securityCenter.Phone': contact('Phone'),
  'securityCenter.URL': contact('Url'),

  // edr: onboarding documentation, "Configure sample collection settings"
  'edr.SampleSharing': reg(ATP_KEY, 'AllowSampleCollection'),
};

/** The policy kinds this provider family serves. */
export const DEFENDER_KINDS: readonly PolicyKind[] = ['antivirus', 'antivirusExclusions', 'asr', 'defenderUpdate', 'securityExperience', 'edr'];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The mapping of a catalog setting, or undefined when it is not a Windows setting of a Defender kind. */
export function defenderMapping(settingId: string): DefenderMapping | undefined {
  const setting = settingById(settingId);
  if (!setting?.platforms.includes('windows') || !DEFENDER_KINDS.includes(setting.kind)) return undefined;
  const fixed = FIXED[settingId];
  if (fixed) return fixed;
  const [prefix, guid] = settingId.split(/\.(.*)/s);
  if (guid && GUID.test(guid) && prefix === 'asr') return { via: 'asrRule', guid };
  if (guid && GUID.test(guid) && prefix === 'asrExclusions') return { via: 'asrRuleExclusions', guid };
  return undefined;
}

/** Every Windows Defender setting of the given kind, in catalog order. */
export function defenderSettingIds(kind: PolicyKind): string[] {
  return SETTINGS.filter((s) => s.kind === kind && s.platforms.includes('windows')).map((s) => s.id);
}

/** Set-MpPreference parameters of the table (the apply script's allow-list must be exactly these). */
export function mpParameters(): string[] {
  const params = allMappings().flatMap((m) =>
    m.via === 'mp' || m.via === 'mpJoined' ? [m.param] : m.via === 'threatActions' ? THREAT_LEVELS.map(([, p]) => p) : [],
  );
  return [...new Set(params)].sort();
}

/** Add-/Remove-MpPreference list parameters of the table (the apply script's list allow-list). */
export function mpListParameters(): string[] {
  return [...new Set(allMappings().flatMap((m) => (m.via === 'mpList' ? [m.param] : [])))].sort();
}

/** Registry keys of the table (the scripts' key allow-list). */
export function registryKeys(): string[] {
  const keys = allMappings().flatMap((m) => (m.via === 'registry' ? [m.key] : m.via === 'asrRuleExclusions' ? [ASR_PER_RULE_KEY, ASR_KEY] : []));
  return [...new Set(keys)].sort();
}

function allMappings(): DefenderMapping[] {
  return DEFENDER_KINDS.flatMap((kind) => defenderSettingIds(kind).flatMap((id) => defenderMapping(id) ?? []));
}
