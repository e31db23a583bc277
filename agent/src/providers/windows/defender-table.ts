// The Windows Defender mapping table by catalog id (ASR rules and their exclusions are derived from the GUID in
// defender-mapping.ts). Bridge properties: MDM_Policy_Config01_Defender02 / …WindowsDefenderSecurityCenter02 (Policy CSP
// node names); registry: the Defender and Windows Security ADMX values (research §3); effective: Get-MpPreference.
// Source: https://learn.microsoft.com/windows/win32/dmwmibridgeprov/mdm-policy-config01-defender02
// Source: https://learn.microsoft.com/defender-endpoint/troubleshoot-microsoft-defender-antivirus-settings (Policy location)
// Source: https://github.com/microsoft/defender-updatecontrols WindowsDefender.admx (2022-10-07): every Windows Defender
// registry value and list below was checked against it; the Security Center and ATP values come from their own ADMX.
import type { BridgeClass, DefenderMapping, EffectiveRead, MpCodec, PolicyRegistry, RegistryCodec } from './defender-mapping.js';
import { ATP_KEY, SECURITY_CENTER_KEY, DEFENDER_POLICY_KEY as WD } from './defender-registry.js';

const RTP = `${WD}\\Real-Time Protection`;
const SCAN = `${WD}\\Scan`;
const SPYNET = `${WD}\\Spynet`;
const MPENGINE = `${WD}\\MpEngine`;
const SIGNATURES = `${WD}\\Signature Updates`;
const WDEG = `${WD}\\Windows Defender Exploit Guard`;
const NETWORK_PROTECTION = `${WDEG}\\Network Protection`;
const CFA = `${WDEG}\\Controlled Folder Access`;
const EXCLUSIONS = `${WD}\\Exclusions`;

const value = (key: string, name: string, codec: RegistryCodec = 'dword'): PolicyRegistry => ({ kind: 'value', key, name, codec });
const list = (key: string, subkey: string, flag: string): PolicyRegistry => ({ kind: 'list', key, subkey, flag });
const mp = (param: string, codec: MpCodec): EffectiveRead => ({ kind: 'mp', param, codec });

/** A Policy CSP Defender node: bridge property of the same name (AvgCPULoadFactor is spelled AVGCPULoadFactor there). */
function defender(node: string, registry: PolicyRegistry, effective?: EffectiveRead, property = node): DefenderMapping {
  return { via: 'policy', bridge: { cls: 'Defender', property }, registry, ...(effective ? { effective } : {}) };
}

/** A Defender CSP node (no bridge class): the ADMX registry value. */
function config(registry: PolicyRegistry, effective?: EffectiveRead): DefenderMapping {
  return { via: 'policy', registry, ...(effective ? { effective } : {}) };
}

function center(node: string, registry: PolicyRegistry, cls: BridgeClass = 'WindowsDefenderSecurityCenter'): DefenderMapping {
  return { via: 'policy', bridge: { cls, property: node }, registry };
}
const ui = (node: string, area: string, name = 'UILockdown') => center(node, value(`${SECURITY_CENTER_KEY}\\${area}`, name));
const contact = (node: string, name: string) => center(node, value(`${SECURITY_CENTER_KEY}\\Enterprise Customization`, name, 'string'));

const NO_POLICY_VALUE = 'no Policy CSP bridge property and no policy registry value exists for it (Defender ADMX)';
/** A Defender CSP node that only Set-MpPreference can set locally. */
function preference(param: string, codec: MpCodec | 'list', why = NO_POLICY_VALUE): DefenderMapping {
  return { via: 'preference', param, codec, reason: `local preference: ${why}` };
}
const LIST_MERGE_NOTE = `${NO_POLICY_VALUE}; Defender ignores this local list while DisableLocalAdminMerge is 1`;

const TAMPER_PROTECTION_REASON =
  'tamper protection can only be turned on or off from Microsoft Intune, Configuration Manager tenant attach, the Microsoft Defender portal ' +
  'or the Windows Security app: the Defender CSP value is a blob signed by Microsoft, and Windows has no local programmatic way to change it';
const NO_LOCAL_PATH = (node: string) =>
  `${node} is a Defender CSP node with no MDM bridge property, no policy registry value and no Set-MpPreference parameter: only an MDM channel (Intune) can deliver it`;

export const DEFENDER_TABLE: Readonly<Record<string, DefenderMapping>> = {
  // Policy CSP Defender/* (antivirus)
  'defender.AllowRealtimeMonitoring': defender(
    'AllowRealtimeMonitoring',
    value(RTP, 'DisableRealtimeMonitoring', 'invertedDword'),
    mp('DisableRealtimeMonitoring', 'inverted'),
  ),
  'defender.AllowOnAccessProtection': defender('AllowOnAccessProtection', value(RTP, 'DisableOnAccessProtection', 'invertedDword')),
  'defender.AllowBehaviorMonitoring': defender(
    'AllowBehaviorMonitoring',
    value(RTP, 'DisableBehaviorMonitoring', 'invertedDword'),
    mp('DisableBehaviorMonitoring', 'inverted'),
  ),
  'defender.AllowIOAVProtection': defender(
    'AllowIOAVProtection',
    value(RTP, 'DisableIOAVProtection', 'invertedDword'),
    mp('DisableIOAVProtection', 'inverted'),
  ),
  'defender.AllowScriptScanning': defender(
    'AllowScriptScanning',
    value(RTP, 'DisableScriptScanning', 'invertedDword'),
    mp('DisableScriptScanning', 'inverted'),
  ),
  'defender.AllowArchiveScanning': defender(
    'AllowArchiveScanning',
    value(SCAN, 'DisableArchiveScanning', 'invertedDword'),
    mp('DisableArchiveScanning', 'inverted'),
  ),
  'defender.AllowEmailScanning': defender('AllowEmailScanning', value(SCAN, 'DisableEmailScanning', 'invertedDword'), mp('DisableEmailScanning', 'inverted')),
  'defender.AllowFullScanOnMappedNetworkDrives': defender(
    'AllowFullScanOnMappedNetworkDrives',
    value(SCAN, 'DisableScanningMappedNetworkDrivesForFullScan', 'invertedDword'),
    mp('DisableScanningMappedNetworkDrivesForFullScan', 'inverted'),
  ),
  'defender.AllowFullScanRemovableDriveScanning': defender(
    'AllowFullScanRemovableDriveScanning',
    value(SCAN, 'DisableRemovableDriveScanning', 'invertedDword'),
    mp('DisableRemovableDriveScanning', 'inverted'),
  ),
  'defender.AllowScanningNetworkFiles': defender(
    'AllowScanningNetworkFiles',
    value(SCAN, 'DisableScanningNetworkFiles', 'invertedDword'),
    mp('DisableScanningNetworkFiles', 'inverted'),
  ),
  'defender.AllowCloudProtection': defender('AllowCloudProtection', value(SPYNET, 'SpynetReporting', 'maps'), mp('MAPSReporting', 'maps')),
  'defender.AllowUserUIAccess': defender('AllowUserUIAccess', value(`${WD}\\UX Configuration`, 'UILockdown', 'invertedDword'), mp('UILockdown', 'inverted')),
  'defender.AllowIntrusionPreventionSystem': {
    via: 'unsupported',
    reason:
      'AllowIntrusionPreventionSystem is deprecated: current Defender platforms no longer report DisableIntrusionPreventionSystem in Get-MpPreference, so it can be neither enforced nor verified',
  },
  'defender.AvgCPULoadFactor': defender('AvgCPULoadFactor', value(SCAN, 'AvgCPULoadFactor'), mp('ScanAvgCPULoadFactor', 'int'), 'AVGCPULoadFactor'),
  'defender.CheckForSignaturesBeforeRunningScan': defender(
    'CheckForSignaturesBeforeRunningScan',
    value(SCAN, 'CheckForSignaturesBeforeRunningScan'),
    mp('CheckForSignaturesBeforeRunningScan', 'bool'),
  ),
  'defender.CloudBlockLevel': defender('CloudBlockLevel', value(MPENGINE, 'MpCloudBlockLevel'), mp('CloudBlockLevel', 'int')),
  'defender.CloudExtendedTimeout': defender('CloudExtendedTimeout', value(MPENGINE, 'MpBafsExtendedTimeout'), mp('CloudExtendedTimeout', 'int')),
  'defender.DaysToRetainCleanedMalware': defender(
    'DaysToRetainCleanedMalware',
    value(`${WD}\\Quarantine`, 'PurgeItemsAfterDelay'),
    mp('QuarantinePurgeItemsAfterDelay', 'int'),
  ),
  'defender.DisableCatchupFullScan': defender('DisableCatchupFullScan', value(SCAN, 'DisableCatchupFullScan'), mp('DisableCatchupFullScan', 'bool')),
  'defender.DisableCatchupQuickScan': defender('DisableCatchupQuickScan', value(SCAN, 'DisableCatchupQuickScan'), mp('DisableCatchupQuickScan', 'bool')),
  'defender.EnableLowCPUPriority': defender('EnableLowCPUPriority', value(SCAN, 'LowCpuPriority'), mp('EnableLowCpuPriority', 'bool')),
  'defender.EnableNetworkProtection': defender(
    'EnableNetworkProtection',
    value(NETWORK_PROTECTION, 'EnableNetworkProtection'),
    mp('EnableNetworkProtection', 'int'),
  ),
  'defender.EnableControlledFolderAccess': defender(
    'EnableControlledFolderAccess',
    value(CFA, 'EnableControlledFolderAccess'),
    mp('EnableControlledFolderAccess', 'int'),
  ),
  'defender.ControlledFolderAccessAllowedApplications': defender(
    'ControlledFolderAccessAllowedApplications',
    list(CFA, 'AllowedApplications', 'ExploitGuard_ControlledFolderAccess_AllowedApplications'),
    { kind: 'list', param: 'ControlledFolderAccessAllowedApplications' },
  ),
  'defender.ControlledFolderAccessProtectedFolders': defender(
    'ControlledFolderAccessProtectedFolders',
    list(CFA, 'ProtectedFolders', 'ExploitGuard_ControlledFolderAccess_ProtectedFolders'),
    { kind: 'list', param: 'ControlledFolderAccessProtectedFolders' },
  ),
  'defender.PUAProtection': defender('PUAProtection', value(WD, 'PUAProtection'), mp('PUAProtection', 'int')),
  'defender.RealTimeScanDirection': defender('RealTimeScanDirection', value(RTP, 'RealtimeScanDirection'), mp('RealTimeScanDirection', 'int')),
  'defender.ScanParameter': defender('ScanParameter', value(SCAN, 'ScanParameters'), mp('ScanParameters', 'int')),
  'defender.ScheduleScanDay': defender('ScheduleScanDay', value(SCAN, 'ScheduleDay'), mp('ScanScheduleDay', 'int')),
  // ScanScheduleOffset is the minutes-after-midnight form of the weekly scan time (Set-MpPreference doc, 2024).
  'defender.ScheduleScanTime': defender('ScheduleScanTime', value(SCAN, 'ScheduleTime'), mp('ScanScheduleOffset', 'int')),
  'defender.ScheduleQuickScanTime': defender('ScheduleQuickScanTime', value(SCAN, 'ScheduleQuickScanTime'), mp('ScanScheduleQuickScanTime', 'minutes')),
  'defender.SignatureUpdateInterval': defender('SignatureUpdateInterval', value(SIGNATURES, 'SignatureUpdateInterval'), mp('SignatureUpdateInterval', 'int')),
  'defender.SignatureUpdateFallbackOrder': defender(
    'SignatureUpdateFallbackOrder',
    value(SIGNATURES, 'FallbackOrder', 'string'),
    mp('SignatureFallbackOrder', 'string'),
  ),
  'defender.SignatureUpdateFileSharesSources': defender('SignatureUpdateFileSharesSources', value(SIGNATURES, 'DefinitionUpdateFileSharesSources', 'joined'), {
    kind: 'joined',
    param: 'SignatureDefinitionUpdateFileSharesSources',
  }),
  'defender.SecurityIntelligenceLocation': defender(
    'SecurityIntelligenceLocation',
    value(SIGNATURES, 'SharedSignatureRoot', 'string'),
    mp('SharedSignaturesPath', 'string'),
  ),
  'defender.SubmitSamplesConsent': defender('SubmitSamplesConsent', value(SPYNET, 'SubmitSamplesConsent'), mp('SubmitSamplesConsent', 'int')),
  'defender.ThreatSeverityDefaultAction': defender('ThreatSeverityDefaultAction', { kind: 'threatActions' }, { kind: 'threatActions' }),

  // Defender CSP Configuration/* (antivirus): ADMX registry values where the ADMX has one, else a local preference.
  'defenderConfig.DisableLocalAdminMerge': config(value(WD, 'DisableLocalAdminMerge')),
  'defenderConfig.AllowDatagramProcessingOnWinServer': preference(
    'AllowDatagramProcessingOnWinServer',
    'bool',
    'the ADMX has only the different NIS\\DisableDatagramProcessing; no bridge property',
  ),
  'defenderConfig.AllowNetworkProtectionDownLevel': preference('AllowNetworkProtectionDownLevel', 'bool'),
  'defenderConfig.AllowNetworkProtectionOnWinServer': config(
    value(NETWORK_PROTECTION, 'AllowNetworkProtectionOnWinServer'),
    mp('AllowNetworkProtectionOnWinServer', 'bool'),
  ),
  'defenderConfig.DisableDnsOverTcpParsing': preference('DisableDnsOverTcpParsing', 'bool'),
  'defenderConfig.DisableHttpParsing': preference('DisableHttpParsing', 'bool'),
  'defenderConfig.DisableSshParsing': preference('DisableSshParsing', 'bool'),
  'defenderConfig.DisableTlsParsing': preference('DisableTlsParsing', 'bool'),
  'defenderConfig.RandomizeScheduleTaskTimes': config(value(WD, 'RandomizeScheduleTaskTimes'), mp('RandomizeScheduleTaskTimes', 'bool')),
  'defenderConfig.SchedulerRandomizationTime': config(value(WD, 'SchedulerRandomizationTime'), mp('SchedulerRandomizationTime', 'int')),
  'defenderConfig.ArchiveMaxDepth': config(value(SCAN, 'ArchiveMaxDepth')),
  'defenderConfig.ArchiveMaxSize': config(value(SCAN, 'ArchiveMaxSize')),
  'defenderConfig.DisableCpuThrottleOnIdleScans': preference('DisableCpuThrottleOnIdleScans', 'bool'),
  'defenderConfig.EnableFileHashComputation': config(value(MPENGINE, 'EnableFileHashComputation'), mp('EnableFileHashComputation', 'bool')),
  'defenderConfig.HideExclusionsFromLocalAdmins': config(value(WD, 'HideExclusionsFromLocalAdmins')),
  'defenderConfig.ScanOnlyIfIdleEnabled': config(value(SCAN, 'ScanOnlyIfIdle'), mp('ScanOnlyIfIdleEnabled', 'bool')),
  'defenderConfig.ThrottleForScheduledScanOnly': config(value(SCAN, 'ThrottleForScheduledScanOnly'), mp('ThrottleForScheduledScanOnly', 'bool')),
  'defenderConfig.DaysUntilAggressiveCatchupQuickScan': { via: 'unsupported', reason: NO_LOCAL_PATH('DaysUntilAggressiveCatchupQuickScan') },
  'defenderConfig.QuickScanIncludeExclusions': preference('QuickScanIncludeExclusions', 'int'),
  'defenderConfig.HideExclusionsFromLocalUsers': { via: 'unsupported', reason: NO_LOCAL_PATH('HideExclusionsFromLocalUsers') },
  'defenderConfig.OobeEnableRtpAndSigUpdate': preference('OobeEnableRtpAndSigUpdate', 'bool'),
  'defenderConfig.ScheduleSecurityIntelligenceUpdateDay': config(value(SIGNATURES, 'ScheduleDay'), mp('SignatureScheduleDay', 'int')),
  'defenderConfig.ScheduleSecurityIntelligenceUpdateTime': config(value(SIGNATURES, 'ScheduleTime'), mp('SignatureScheduleTime', 'minutes')),
  'defenderConfig.AllowSwitchToAsyncInspection': preference('AllowSwitchToAsyncInspection', 'bool'),
  'defenderConfig.BruteForceProtectionConfiguredState': preference('BruteForceProtectionConfiguredState', 'int'),
  'defenderConfig.BruteForceProtectionAggressiveness': preference('BruteForceProtectionAggressiveness', 'int'),
  'defenderConfig.BruteForceProtectionMaxBlockTime': preference('BruteForceProtectionMaxBlockTime', 'int'),
  'defenderConfig.BruteForceProtectionExclusions': preference('BruteForceProtectionExclusions', 'list', LIST_MERGE_NOTE),
  'defenderConfig.RemoteEncryptionProtectionConfiguredState': preference('RemoteEncryptionProtectionConfiguredState', 'int'),
  'defenderConfig.RemoteEncryptionProtectionAggressiveness': preference('RemoteEncryptionProtectionAggressiveness', 'int'),
  'defenderConfig.RemoteEncryptionProtectionMaxBlockTime': preference('RemoteEncryptionProtectionMaxBlockTime', 'int'),
  'defenderConfig.RemoteEncryptionProtectionExclusions': preference('RemoteEncryptionProtectionExclusions', 'list', LIST_MERGE_NOTE),
  'defenderConfig.BruteForceProtectionLocalNetworkBlocking': preference('BruteForceProtectionLocalNetworkBlocking', 'bool'),
  'defenderConfig.BruteForceProtectionSkipLearningPeriod': preference('BruteForceProtectionSkipLearningPeriod', 'bool'),
  'defenderConfig.NetworkProtectionReputationMode': preference('NetworkProtectionReputationMode', 'int'),
  ...Object.fromEntries(
    [
      'DisableDnsParsing',
      'DisableFtpParsing',
      'DisableSmtpParsing',
      'DisableRdpParsing',
      'DisableQuicParsing',
      'DisableInboundConnectionFiltering',
      'DisableNetworkProtectionPerfTelemetry',
      'DisableCacheMaintenance',
      'DisableCoreServiceECSIntegration',
      'DisableCoreServiceTelemetry',
    ].map((name) => [`defenderConfig.${name}`, preference(name, 'bool')]),
  ),
  // The 2022 Defender ADMX has these two (NIS\DisableDatagramProcessing, MpEngine\DisableGradualRelease).
  'defenderConfig.DisableDatagramProcessing': config(value(`${WD}\\NIS`, 'DisableDatagramProcessing'), mp('DisableDatagramProcessing', 'bool')),
  'defenderConfig.DisableGradualRelease': config(value(MPENGINE, 'DisableGradualRelease'), mp('DisableGradualRelease', 'bool')),
  'defenderConfig.ExcludedIpAddresses': config(list(EXCLUSIONS, 'IpAddresses', 'Exclusions_IpAddresses'), { kind: 'list', param: 'ExclusionIpAddress' }),

  // antivirusExclusions
  'defender.ExcludedPaths': defender('ExcludedPaths', list(EXCLUSIONS, 'Paths', 'Exclusions_Paths'), { kind: 'list', param: 'ExclusionPath' }),
  'defender.ExcludedExtensions': defender('ExcludedExtensions', list(EXCLUSIONS, 'Extensions', 'Exclusions_Extensions'), {
    kind: 'list',
    param: 'ExclusionExtension',
  }),
  'defender.ExcludedProcesses': defender('ExcludedProcesses', list(EXCLUSIONS, 'Processes', 'Exclusions_Processes'), {
    kind: 'list',
    param: 'ExclusionProcess',
  }),

  // asr (the rules and their per-rule exclusions: defender-mapping.ts)
  'defender.AttackSurfaceReductionOnlyExclusions': defender(
    'AttackSurfaceReductionOnlyExclusions',
    list(`${WDEG}\\ASR`, 'ASROnlyExclusions', 'ExploitGuard_ASR_ASROnlyExclusions'),
    { kind: 'list', param: 'AttackSurfaceReductionOnlyExclusions' },
  ),

  // defenderUpdate: the ADMX rings use the CSP's channel numbers (2 Beta … 6 Critical).
  'defenderConfig.EngineUpdatesChannel': config(value(WD, 'EngineRing'), mp('EngineUpdatesChannel', 'int')),
  'defenderConfig.PlatformUpdatesChannel': config(value(WD, 'PlatformRing'), mp('PlatformUpdatesChannel', 'int')),
  'defenderConfig.SecurityIntelligenceUpdatesChannel': config(value(WD, 'SignaturesRing'), mp('DefinitionUpdatesChannel', 'int')),
  'defenderConfig.MeteredConnectionUpdates': config(value(SIGNATURES, 'MeteredConnectionUpdates'), mp('MeteredConnectionUpdates', 'bool')),

  // securityExperience: WindowsDefenderSecurityCenter bridge properties, else the ADMX values.
  'defenderConfig.TamperProtection': { via: 'unsupported', reason: TAMPER_PROTECTION_REASON, status: 'IsTamperProtected' },
  'securityCenter.DisableAccountProtectionUI': ui('DisableAccountProtectionUI', 'Account protection'),
  'securityCenter.DisableAppBrowserUI': ui('DisableAppBrowserUI', 'App and Browser protection'),
  'securityCenter.DisableClearTpmButton': ui('DisableClearTpmButton', 'Device security', 'DisableClearTpmButton'),
  'securityCenter.DisableDeviceSecurityUI': ui('DisableDeviceSecurityUI', 'Device security'),
  'securityCenter.DisableFamilyUI': ui('DisableFamilyUI', 'Family options'),
  'securityCenter.DisableHealthUI': ui('DisableHealthUI', 'Device performance and health'),
  'securityCenter.DisableNetworkUI': ui('DisableNetworkUI', 'Firewall and network protection'),
  'securityCenter.DisableEnhancedNotifications': ui('DisableEnhancedNotifications', 'Notifications', 'DisableEnhancedNotifications'),
  'securityCenter.DisableNotifications': ui('DisableNotifications', 'Notifications', 'DisableNotifications'),
  'securityCenter.DisableTpmFirmwareUpdateWarning': ui('DisableTpmFirmwareUpdateWarning', 'Device security', 'DisableTpmFirmwareUpdateWarning'),
  'securityCenter.DisableVirusUI': ui('DisableVirusUI', 'Virus and threat protection'),
  'securityCenter.DisallowExploitProtectionOverride': ui(
    'DisallowExploitProtectionOverride',
    'App and Browser protection',
    'DisallowExploitProtectionOverride',
  ),
  'securityCenter.HideRansomwareDataRecovery': ui('HideRansomwareDataRecovery', 'Virus and threat protection', 'HideRansomwareRecovery'),
  'securityCenter.HideSecureBoot': ui('HideSecureBoot', 'Device security', 'HideSecureBoot'),
  'securityCenter.HideTPMTroubleshooting': ui('HideTPMTroubleshooting', 'Device security', 'HideTPMTroubleshooting'),
  'securityCenter.HideWindowsSecurityNotificationAreaControl': ui('HideWindowsSecurityNotificationAreaControl', 'Systray', 'HideSystray'),
  'securityCenter.EnableCustomizedToasts': ui('EnableCustomizedToasts', 'Enterprise Customization', 'EnableForToasts'),
  'securityCenter.EnableInAppCustomization': ui('EnableInAppCustomization', 'Enterprise Customization', 'EnableInApp'),
  'securityCenter.CompanyName': contact('CompanyName', 'CompanyName'),
  'securityCenter.Email': contact('Email', 'Email'),
  'securityCenter.Phone': contact('Phone', 'Phone'),
  'securityCenter.URL': contact('URL', 'Url'),

  // edr: onboarding documentation ("Configure sample collection settings") and "Create and manage device tags".
  'edr.SampleSharing': config(value(ATP_KEY, 'AllowSampleCollection')),
  'edr.DeviceTagGroup': config(value(`${ATP_KEY}\\DeviceTagging`, 'Group', 'string')),
};
