// The allow-lists and helper functions shared by the Defender apply and observe scripts (Windows PowerShell 5.1): the
// registry keys, Policies values and list operations, bridge classes and properties the mapping table uses (a test
// keeps them equal), RSoP's Group Policy owners, and the literal .NET registry access.
import { ps } from './powershell.js';

/** Allow-lists shared by apply and observe: registry keys, the two bridge classes and their properties. */
export const ALLOW_LISTS = ps('defender-allow-lists')`
$keyAllowed = @('HKLM:\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection\DeviceTagging',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Account protection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\App and Browser protection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Device performance and health',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Device security',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Enterprise Customization',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Family options',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Firewall and network protection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Notifications',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Systray',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Virus and threat protection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions\Extensions',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions\IpAddresses',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions\Paths',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions\Processes',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\MpEngine',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\NIS',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Quarantine',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Real-Time Protection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Signature Updates',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Spynet',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Threats',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Threats\ThreatSeverityDefaultAction',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\UX Configuration',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\ASROnlyExclusions',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\Rules',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\Controlled Folder Access',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\Controlled Folder Access\AllowedApplications',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\Controlled Folder Access\ProtectedFolders',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\Network Protection')
$defenderProperties = @('AVGCPULoadFactor', 'AllowArchiveScanning', 'AllowBehaviorMonitoring',
  'AllowCloudProtection', 'AllowEmailScanning', 'AllowFullScanOnMappedNetworkDrives',
  'AllowFullScanRemovableDriveScanning', 'AllowIOAVProtection', 'AllowOnAccessProtection', 'AllowRealtimeMonitoring',
  'AllowScanningNetworkFiles', 'AllowScriptScanning', 'AllowUserUIAccess', 'AttackSurfaceReductionOnlyExclusions',
  'AttackSurfaceReductionRules', 'CheckForSignaturesBeforeRunningScan', 'CloudBlockLevel', 'CloudExtendedTimeout',
  'ControlledFolderAccessAllowedApplications', 'ControlledFolderAccessProtectedFolders',
  'DaysToRetainCleanedMalware', 'DisableCatchupFullScan', 'DisableCatchupQuickScan', 'EnableControlledFolderAccess',
  'EnableLowCPUPriority', 'EnableNetworkProtection', 'ExcludedExtensions', 'ExcludedPaths', 'ExcludedProcesses',
  'PUAProtection', 'RealTimeScanDirection', 'ScanParameter', 'ScheduleQuickScanTime', 'ScheduleScanDay',
  'ScheduleScanTime', 'SecurityIntelligenceLocation', 'SignatureUpdateFallbackOrder',
  'SignatureUpdateFileSharesSources', 'SignatureUpdateInterval', 'SubmitSamplesConsent',
  'ThreatSeverityDefaultAction')
$securityCenterProperties = @('CompanyName', 'DisableAccountProtectionUI', 'DisableAppBrowserUI',
  'DisableClearTpmButton', 'DisableDeviceSecurityUI', 'DisableEnhancedNotifications', 'DisableFamilyUI',
  'DisableHealthUI', 'DisableNetworkUI', 'DisableNotifications', 'DisableTpmFirmwareUpdateWarning', 'DisableVirusUI',
  'DisallowExploitProtectionOverride', 'Email', 'EnableCustomizedToasts', 'EnableInAppCustomization',
  'HideRansomwareDataRecovery', 'HideSecureBoot', 'HideTPMTroubleshooting',
  'HideWindowsSecurityNotificationAreaControl', 'Phone', 'URL')
$bridgeClasses = @('Defender', 'WindowsDefenderSecurityCenter')
$bridgeNamespace = 'root\cimv2\mdm\dmmap'
$configClass = @{ 'Defender' = 'MDM_Policy_Config01_Defender02'; 'WindowsDefenderSecurityCenter' = 'MDM_Policy_Config01_WindowsDefenderSecurityCenter02' }
$resultClass = @{ 'Defender' = 'MDM_Policy_Result01_Defender02'; 'WindowsDefenderSecurityCenter' = 'MDM_Policy_Result01_WindowsDefenderSecurityCenter02' }
$configFilter = @{ 'Defender' = "ParentID='./Vendor/MSFT/Policy/Config' and InstanceID='Defender'";
  'WindowsDefenderSecurityCenter' = "ParentID='./Vendor/MSFT/Policy/Config' and InstanceID='WindowsDefenderSecurityCenter'" }
$resultFilter = @{ 'Defender' = "ParentID='./Vendor/MSFT/Policy/Result' and InstanceID='Defender'";
  'WindowsDefenderSecurityCenter' = "ParentID='./Vendor/MSFT/Policy/Result' and InstanceID='WindowsDefenderSecurityCenter'" }
$bridgeAllowed = @{ 'Defender' = $defenderProperties; 'WindowsDefenderSecurityCenter' = $securityCenterProperties }
# Policies values the table sets or deletes (<key>\<name>), and its list operations (<subkey>|<flagKey>|<flag>|exact or merge).
$valueAllowed = @('HKLM:\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection\AllowSampleCollection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection\DeviceTagging\Group',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Account protection\UILockdown',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\App and Browser protection\DisallowExploitProtectionOverride',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\App and Browser protection\UILockdown',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Device performance and health\UILockdown',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Device security\DisableClearTpmButton',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Device security\DisableTpmFirmwareUpdateWarning',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Device security\HideSecureBoot',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Device security\HideTPMTroubleshooting',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Device security\UILockdown',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Enterprise Customization\CompanyName',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Enterprise Customization\Email',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Enterprise Customization\EnableForToasts',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Enterprise Customization\EnableInApp',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Enterprise Customization\Phone',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Enterprise Customization\Url',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Family options\UILockdown',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Firewall and network protection\UILockdown',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Notifications\DisableEnhancedNotifications',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Notifications\DisableNotifications',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Systray\HideSystray',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Virus and threat protection\HideRansomwareRecovery',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Virus and threat protection\UILockdown',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\DisableLocalAdminMerge',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\EngineRing',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\HideExclusionsFromLocalAdmins',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\MpEngine\DisableGradualRelease',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\MpEngine\EnableFileHashComputation',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\MpEngine\MpBafsExtendedTimeout',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\MpEngine\MpCloudBlockLevel',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\NIS\DisableDatagramProcessing',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\PUAProtection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\PlatformRing',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Quarantine\PurgeItemsAfterDelay',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\RandomizeScheduleTaskTimes',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Real-Time Protection\DisableBehaviorMonitoring',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Real-Time Protection\DisableIOAVProtection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Real-Time Protection\DisableOnAccessProtection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Real-Time Protection\DisableRealtimeMonitoring',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Real-Time Protection\DisableScriptScanning',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Real-Time Protection\RealtimeScanDirection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\ArchiveMaxDepth',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\ArchiveMaxSize',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\AvgCPULoadFactor',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\CheckForSignaturesBeforeRunningScan',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\DisableArchiveScanning',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\DisableCatchupFullScan',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\DisableCatchupQuickScan',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\DisableEmailScanning',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\DisableRemovableDriveScanning',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\DisableScanningMappedNetworkDrivesForFullScan',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\DisableScanningNetworkFiles',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\LowCpuPriority',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\ScanOnlyIfIdle',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\ScanParameters',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\ScheduleDay',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\ScheduleQuickScanTime',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\ScheduleTime',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan\ThrottleForScheduledScanOnly',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\SchedulerRandomizationTime',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Signature Updates\DefinitionUpdateFileSharesSources',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Signature Updates\FallbackOrder',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Signature Updates\MeteredConnectionUpdates',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Signature Updates\ScheduleDay',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Signature Updates\ScheduleTime',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Signature Updates\SharedSignatureRoot',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Signature Updates\SignatureUpdateInterval',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\SignaturesRing',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Spynet\SpynetReporting',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Spynet\SubmitSamplesConsent',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\UX Configuration\UILockdown',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\Controlled Folder Access\EnableControlledFolderAccess',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\Network Protection\AllowNetworkProtectionOnWinServer',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\Network Protection\EnableNetworkProtection')
$listOpAllowed = @('HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions\Extensions|HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions|Exclusions_Extensions|exact',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions\IpAddresses|HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions|Exclusions_IpAddresses|exact',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions\Paths|HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions|Exclusions_Paths|exact',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions\Processes|HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Exclusions|Exclusions_Processes|exact',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Threats\ThreatSeverityDefaultAction|HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Threats|Threats_ThreatSeverityDefaultAction|exact',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\ASROnlyExclusions|HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR|ExploitGuard_ASR_ASROnlyExclusions|exact',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\Rules|HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR|ExploitGuard_ASR_Rules|merge',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\Controlled Folder Access\AllowedApplications|HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\Controlled Folder Access|ExploitGuard_ControlledFolderAccess_AllowedApplications|exact',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\Controlled Folder Access\ProtectedFolders|HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\Controlled Folder Access|ExploitGuard_ControlledFolderAccess_ProtectedFolders|exact')
$legacyListOp = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\ASROnlyPerRuleExclusions|HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR|ExploitGuard_ASR_ASROnlyPerRuleExclusions|merge'
function Get-Names($object) { if ($null -eq $object) { return @() }; return @($object.PSObject.Properties | ForEach-Object { $_.Name }) }
function Assert-Key([string]$key) { if ($keyAllowed -cnotcontains $key) { throw ('refusing registry key ' + $key + ': not in the allow-list') } }
function Assert-Class([string]$cls) { if ($bridgeClasses -cnotcontains $cls) { throw ('refusing bridge class ' + $cls + ': not in the allow-list') } }
# The .NET registry API takes names literally (the *-ItemProperty cmdlets would expand wildcards in exclusion paths).
function Open-PolicyKey([string]$key, [bool]$create) {
  $sub = $key.Substring(6)
  if ($create) { return [Microsoft.Win32.Registry]::LocalMachine.CreateSubKey($sub) }
  return [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey($sub, $true)
}
# RSoP: the winning GPO (precedence 1) of each Policies value under an allow-listed key, by lower-case '<key>\<name>'.
# A GPO that deletes a value (registry.pol **del.) owns it too: it forces the value absent. Errors reach the caller.
function Get-GpoOwners {
  $gpos = @{}
  foreach ($g in @(Get-CimInstance -Namespace 'root\rsop\computer' -ClassName RSOP_GPO -ErrorAction Stop)) { $gpos[[string]$g.id] = [string]$g.name }
  $owners = @{}
  foreach ($s in @(Get-CimInstance -Namespace 'root\rsop\computer' -ClassName RSOP_RegistryPolicySetting -ErrorAction Stop)) {
    if ($s.precedence -ne 1) { continue }
    $full = 'HKLM:\' + [string]$s.registryKey
    $key = @($keyAllowed | Where-Object { $_ -eq $full }) | Select-Object -First 1
    if ($null -eq $key) { continue }
    $owners[($key + '\' + [string]$s.valueName).ToLowerInvariant()] = @{ key = $key; name = [string]$s.valueName; gpo = $gpos[[string]$s.GPOID]; gpoId = [string]$s.GPOID; deleted = [bool]$s.deleted }
  }
  return $owners
}
# A build without the class (or the MDM namespace) has no bridge: the Policies key is used. Any other error (access
# denied, a broken WMI repository) is reported, never read as "no bridge" (that would write GPO-shaped values instead).
function Get-BridgeProperties([string]$cls) {
  try { return @((Get-CimClass -Namespace $bridgeNamespace -ClassName $configClass[$cls] -ErrorAction Stop).CimClassProperties | ForEach-Object { $_.Name }) }
  catch [Microsoft.Management.Infrastructure.CimException] {
    if (@('NotFound', 'InvalidClass', 'InvalidNamespace') -contains [string]$_.Exception.NativeErrorCode) { return @() }
    throw
  }
}
`;
