// The constant PowerShell scripts of the Windows Defender providers (Windows PowerShell 5.1, run as SYSTEM by the agent
// service). They read their plan from `$in` (JSON on stdin). Every bridge class and property, registry key, value name
// and cmdlet parameter is checked against fixed allow-lists in the script before it is used; values are only ever
// bound as data. The allow-lists mirror the mapping table (defender-mapping.ts); a test keeps them equal.
import { ps, psJoin } from './powershell.js';

/** Allow-lists shared by apply and observe: registry keys, the two bridge classes and their properties. */
const ALLOW_LISTS = ps('defender-allow-lists')`
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
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\ASROnlyPerRuleExclusions',
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
$valueNamePattern = '^[A-Za-z0-9_-]{1,64}$'
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
function Get-BridgeProperties([string]$cls) {
  try { return @((Get-CimClass -Namespace $bridgeNamespace -ClassName $configClass[$cls] -ErrorAction Stop).CimClassProperties | ForEach-Object { $_.Name }) }
  catch { return @() }
}
`;

/**
 * Applies a DefenderApplyPlan (defender-plan.ts). Order: bridge writes per class (one New-/Set-CimInstance each; a
 * property this build's class lacks runs its registry fallback instead), registry-only settings, then local
 * preferences. A Policies value (or list item, or list flag) that RSoP says a GPO owns is left as it is. A failing step is recorded and the rest still runs; the output is `{ errors: [{ step, message }] }`.
 * A plan naming anything outside the allow-lists is refused as a whole before anything changes.
 */
export const DEFENDER_APPLY = psJoin(
  'defender-apply',
  ALLOW_LISTS,
  ps('defender-apply-body')`
$mpAllowed = @('AllowDatagramProcessingOnWinServer', 'AllowNetworkProtectionDownLevel',
  'AllowSwitchToAsyncInspection', 'BruteForceProtectionAggressiveness', 'BruteForceProtectionConfiguredState',
  'BruteForceProtectionLocalNetworkBlocking', 'BruteForceProtectionMaxBlockTime',
  'BruteForceProtectionSkipLearningPeriod', 'DisableCacheMaintenance', 'DisableCoreServiceECSIntegration',
  'DisableCoreServiceTelemetry', 'DisableCpuThrottleOnIdleScans', 'DisableDnsOverTcpParsing', 'DisableDnsParsing',
  'DisableFtpParsing', 'DisableHttpParsing', 'DisableInboundConnectionFiltering',
  'DisableNetworkProtectionPerfTelemetry', 'DisableQuicParsing', 'DisableRdpParsing', 'DisableSmtpParsing',
  'DisableSshParsing', 'DisableTlsParsing', 'NetworkProtectionReputationMode', 'OobeEnableRtpAndSigUpdate',
  'QuickScanIncludeExclusions', 'RemoteEncryptionProtectionAggressiveness',
  'RemoteEncryptionProtectionConfiguredState', 'RemoteEncryptionProtectionMaxBlockTime')
$listAllowed = @('BruteForceProtectionExclusions', 'RemoteEncryptionProtectionExclusions')
# Upgrade clean-up only (defender-legacy.ts): the previous agent's local preferences, set back, reset or items removed.
$legacyMpAllowed = @('AllowNetworkProtectionOnWinServer', 'CheckForSignaturesBeforeRunningScan', 'CloudBlockLevel',
  'CloudExtendedTimeout', 'DefinitionUpdatesChannel', 'DisableArchiveScanning', 'DisableBehaviorMonitoring',
  'DisableCatchupFullScan', 'DisableCatchupQuickScan', 'DisableEmailScanning', 'DisableIOAVProtection',
  'DisableRealtimeMonitoring', 'DisableRemovableDriveScanning', 'DisableScanningMappedNetworkDrivesForFullScan',
  'DisableScanningNetworkFiles', 'DisableScriptScanning', 'EnableControlledFolderAccess', 'EnableFileHashComputation',
  'EnableLowCpuPriority', 'EnableNetworkProtection', 'EngineUpdatesChannel', 'HighThreatDefaultAction',
  'LowThreatDefaultAction', 'MAPSReporting', 'MeteredConnectionUpdates', 'ModerateThreatDefaultAction', 'PUAProtection',
  'PlatformUpdatesChannel', 'QuarantinePurgeItemsAfterDelay', 'RandomizeScheduleTaskTimes', 'RealTimeScanDirection',
  'ScanAvgCPULoadFactor', 'ScanOnlyIfIdleEnabled', 'ScanParameters', 'ScanScheduleDay', 'ScanScheduleOffset',
  'ScanScheduleQuickScanTime', 'SchedulerRandomizationTime', 'SevereThreatDefaultAction', 'SharedSignaturesPath',
  'SignatureDefinitionUpdateFileSharesSources', 'SignatureFallbackOrder', 'SignatureUpdateInterval',
  'SubmitSamplesConsent', 'ThrottleForScheduledScanOnly', 'UILockdown')
$legacyListAllowed = @('AttackSurfaceReductionOnlyExclusions', 'AttackSurfaceReductionRules_Ids',
  'ControlledFolderAccessAllowedApplications', 'ControlledFolderAccessProtectedFolders', 'ExclusionExtension',
  'ExclusionPath', 'ExclusionProcess')
$guidPattern = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
$errors = New-Object System.Collections.ArrayList
function Add-StepError([string]$step, $record) { [void]$errors.Add(@{ step = $step; message = $record.Exception.Message }) }
function Assert-Allowed([string]$name, $allowed, [string]$what) {
  if ($allowed -cnotcontains $name) { throw ('refusing ' + $what + ' ' + $name + ': not in the allow-list') }
}
function Assert-Op($op) {
  Assert-Key ([string]$op.key)
  if ($op.op -ceq 'values') {
    Assert-Key ([string]$op.flagKey)
    if ([string]$op.flag -cnotmatch $valueNamePattern) { throw 'refusing a flag value name outside [A-Za-z0-9_-]' }
    foreach ($item in @($op.set | Where-Object { $null -ne $_ })) { if ([string]$item.name -eq '') { throw 'refusing an empty value name' } }
  } elseif (($op.op -ceq 'set') -or ($op.op -ceq 'delete')) {
    if ([string]$op.name -cnotmatch $valueNamePattern) { throw 'refusing a registry value name outside [A-Za-z0-9_-]' }
  } else { throw 'refusing an unknown registry operation' }
}
# A Policies value a GPO owns is never written or deleted (GP refresh would fight it and admins could not tell the
# two apart); the read-back reports the GPO as overriding the setting. Unknown ownership (RSoP unreadable) refuses.
function Test-GpoOwned([string]$key, [string]$name) {
  if ($null -ne $rsopError) { throw ('cannot tell whether Group Policy owns ' + $key + '\' + $name + ' (RSoP unavailable: ' + $rsopError + ')') }
  return $gpoOwners.ContainsKey(($key + '\' + $name).ToLowerInvariant())
}
function Invoke-RegistryOp($op) {
  if (($op.op -ceq 'set') -or ($op.op -ceq 'delete')) { if (Test-GpoOwned ([string]$op.key) ([string]$op.name)) { return } }
  if ($op.op -ceq 'set') {
    $k = Open-PolicyKey ([string]$op.key) $true
    try {
      # REG_DWORD is unsigned: 0..4294967295 is stored by its bit pattern (SetValue takes a signed Int32).
      if ($op.type -ceq 'DWord') { $k.SetValue([string]$op.name, [BitConverter]::ToInt32([BitConverter]::GetBytes([uint32]$op.value), 0), [Microsoft.Win32.RegistryValueKind]::DWord) }
      elseif ($op.type -ceq 'String') { $k.SetValue([string]$op.name, [string]$op.value, [Microsoft.Win32.RegistryValueKind]::String) }
      else { throw 'unknown registry value type' }
    } finally { $k.Close() }
  } elseif ($op.op -ceq 'delete') {
    $k = Open-PolicyKey ([string]$op.key) $false
    if ($null -ne $k) { try { $k.DeleteValue([string]$op.name, $false) } finally { $k.Close() } }
  } else {
    $k = Open-PolicyKey ([string]$op.key) $true
    try {
      $items = @($op.set | Where-Object { $null -ne $_ })
      $names = @($items | ForEach-Object { [string]$_.name })
      if ($op.exact -eq $true) {
        foreach ($present in @($k.GetValueNames())) { if ($names -notcontains $present -and -not (Test-GpoOwned ([string]$op.key) $present)) { $k.DeleteValue($present, $false) } }
      }
      foreach ($item in $items) {
        if (Test-GpoOwned ([string]$op.key) ([string]$item.name)) { continue }
        if ($null -eq $item.data) { $k.DeleteValue([string]$item.name, $false) }
        else { $k.SetValue([string]$item.name, [string]$item.data, [Microsoft.Win32.RegistryValueKind]::String) }
      }
      $left = @($k.GetValueNames() | Where-Object { $_ -ne '' }).Count
    } finally { $k.Close() }
    # The ADMX list is enabled (flag 1) while it holds values; the flag goes with the last one.
    if (Test-GpoOwned ([string]$op.flagKey) ([string]$op.flag)) { return }
    $f = Open-PolicyKey ([string]$op.flagKey) $true
    try {
      if ($left -gt 0) { $f.SetValue([string]$op.flag, 1, [Microsoft.Win32.RegistryValueKind]::DWord) } else { $f.DeleteValue([string]$op.flag, $false) }
    } finally { $f.Close() }
  }
}
function Merge-AsrRules($current, $merge) {
  $pairs = [ordered]@{}
  foreach ($pair in @(([string]$current) -split '\|')) {
    $kv = @($pair -split '=', 2)
    if ($kv.Count -eq 2 -and $kv[0].Trim() -ne '') { $pairs[$kv[0].Trim().ToLowerInvariant()] = $kv[1].Trim() }
  }
  foreach ($m in @($merge | Where-Object { $null -ne $_ })) {
    $guid = ([string]$m.guid).ToLowerInvariant()
    if ($null -eq $m.action) { $pairs.Remove($guid) } else { $pairs[$guid] = [string][int]$m.action }
  }
  if ($pairs.Count -eq 0) { return $null }
  return (@($pairs.Keys | ForEach-Object { $_ + '=' + $pairs[$_] }) -join '|')
}

# Validate every name first, so a plan naming anything else changes nothing.
foreach ($b in @($in.bridge | Where-Object { $null -ne $_ })) {
  Assert-Class ([string]$b.cls)
  Assert-Allowed ([string]$b.property) $bridgeAllowed[[string]$b.cls] 'bridge property'
  foreach ($m in @($b.merge | Where-Object { $null -ne $_ })) { if ([string]$m.guid -cnotmatch $guidPattern) { throw 'refusing an ASR rule id that is not a GUID' } }
  foreach ($op in @($b.fallback | Where-Object { $null -ne $_ })) { Assert-Op $op }
}
foreach ($r in @($in.registry | Where-Object { $null -ne $_ })) { foreach ($op in @($r.ops | Where-Object { $null -ne $_ })) { Assert-Op $op } }
foreach ($name in @(Get-Names $in.preference.add)) { Assert-Allowed $name $listAllowed 'list parameter' }
foreach ($name in @(Get-Names $in.preference.remove)) { Assert-Allowed $name ($listAllowed + $legacyListAllowed) 'list parameter' }
foreach ($name in @($in.preference.reset | Where-Object { $null -ne $_ }) + @(Get-Names $in.preference.mp)) { Assert-Allowed $name ($mpAllowed + $legacyMpAllowed) 'parameter' }

# Group Policy owners of Policies values, read once before any registry write.
$gpoOwners = @{}
$rsopError = $null
try { $gpoOwners = Get-GpoOwners } catch { $rsopError = $_.Exception.Message }

# 1. The MDM store through the WMI bridge, one instance per class: created when absent, else modified.
foreach ($cls in $bridgeClasses) {
  $entries = @($in.bridge | Where-Object { $null -ne $_ -and $_.cls -ceq $cls })
  if ($entries.Count -eq 0) { continue }
  $available = @(Get-BridgeProperties $cls)
  $instance = $null
  if ($available.Count -gt 0) { $instance = Get-CimInstance -Namespace $bridgeNamespace -ClassName $configClass[$cls] -Filter $configFilter[$cls] -ErrorAction SilentlyContinue }
  $values = [ordered]@{}
  $steps = @()
  foreach ($e in $entries) {
    $property = [string]$e.property
    if ($available -cnotcontains $property) {
      try { foreach ($op in @($e.fallback | Where-Object { $null -ne $_ })) { Invoke-RegistryOp $op } } catch { Add-StepError ([string]$e.step) $_ }
      continue
    }
    $value = $e.value
    if ($null -ne $e.merge) { $current = $null; if ($null -ne $instance) { $current = $instance.$property }; $value = Merge-AsrRules $current $e.merge }
    if ($value -is [long]) { $value = [int]$value }
    $values[$property] = $value
    $steps += [string]$e.step
  }
  if ($values.Count -eq 0) { continue }
  try {
    if ($null -eq $instance) {
      $bag = @{ ParentID = './Vendor/MSFT/Policy/Config'; InstanceID = $cls }
      foreach ($p in @($values.Keys)) { if ($null -ne $values[$p]) { $bag[$p] = $values[$p] } }
      New-CimInstance -Namespace $bridgeNamespace -ClassName $configClass[$cls] -Property $bag -ErrorAction Stop | Out-Null
    } else {
      foreach ($p in @($values.Keys)) { $instance.$p = $values[$p] }
      Set-CimInstance -CimInstance $instance -ErrorAction Stop
    }
  } catch { foreach ($s in $steps) { Add-StepError $s $_ } }
}

# 2. Settings whose only policy location is the Policies key.
foreach ($r in @($in.registry | Where-Object { $null -ne $_ })) {
  try { foreach ($op in @($r.ops | Where-Object { $null -ne $_ })) { Invoke-RegistryOp $op } } catch { Add-StepError ([string]$r.step) $_ }
}

# 3. Local preferences (settings with no policy path). Remove-MpPreference errors on items that are not there.
$pref = $in.preference
$current = Get-MpPreference
foreach ($name in @(Get-Names $pref.remove)) {
  $present = @($current.$name | Where-Object { $null -ne $_ })
  $items = @($pref.remove.$name | Where-Object { $present -contains $_ })
  if ($items.Count -eq 0) { continue }
  $splat = @{ $name = [string[]]$items }
  try { Remove-MpPreference @splat -Force } catch { Add-StepError ('remove:' + $name) $_ }
}
foreach ($name in @(Get-Names $pref.add)) {
  $splat = @{ $name = [string[]]@($pref.add.$name) }
  try { Add-MpPreference @splat -Force } catch { Add-StepError ('add:' + $name) $_ }
}
foreach ($name in @($pref.reset | Where-Object { $null -ne $_ })) {
  $splat = @{ $name = $true }
  try { Remove-MpPreference @splat -Force } catch { Add-StepError ('reset:' + $name) $_ }
}
$set = @{}
foreach ($name in @(Get-Names $pref.mp)) { $set[$name] = $pref.mp.$name }
if ($set.Count -gt 0) {
  try { Set-MpPreference @set -Force } catch {
    foreach ($name in @($set.Keys)) {
      $one = @{ $name = $set[$name] }
      try { Set-MpPreference @one -Force } catch { Add-StepError ('mp:' + $name) $_ }
    }
  }
}

@{ errors = @($errors) }
`,
);

/**
 * Reads the three stores and the effective state: Get-MpPreference (every CIM property), the requested Policies-key
 * values and list subkeys, per requested bridge class its properties on this build and the MDM result instance's
 * values, RSoP's Group Policy owners of allow-listed Policies keys, and (if asked) IsTamperProtected. Output:
 * `{ preference, registry: [{key,name,value}], subkeys: [{key, values: [{name,data}]}], bridge: [{cls, properties,
 * values}], rsop: [{key,name,gpo,gpoId,deleted}], rsopError, status }`.
 */
export const DEFENDER_OBSERVE = psJoin(
  'defender-observe',
  ALLOW_LISTS,
  ps('defender-observe-body')`
$preference = [ordered]@{}
foreach ($property in (Get-MpPreference).CimInstanceProperties) { $preference[$property.Name] = $property.Value }

$registry = New-Object System.Collections.ArrayList
foreach ($r in @($in.registry | Where-Object { $null -ne $_ })) {
  Assert-Key ([string]$r.key)
  if ([string]$r.name -cnotmatch $valueNamePattern) { throw 'refusing a registry value name outside [A-Za-z0-9_-]' }
  $k = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey(([string]$r.key).Substring(6))
  if ($null -eq $k) { continue }
  try { $v = $k.GetValue([string]$r.name) } finally { $k.Close() }
  if ($null -ne $v) { [void]$registry.Add(@{ key = [string]$r.key; name = [string]$r.name; value = $v }) }
}

$subkeys = New-Object System.Collections.ArrayList
foreach ($key in @($in.subkeys | Where-Object { $null -ne $_ })) {
  Assert-Key ([string]$key)
  $k = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey(([string]$key).Substring(6))
  if ($null -eq $k) { continue }
  try { $values = @($k.GetValueNames() | Where-Object { $_ -ne '' } | ForEach-Object { @{ name = $_; data = $k.GetValue($_) } }) } finally { $k.Close() }
  [void]$subkeys.Add(@{ key = [string]$key; values = $values })
}

$bridge = New-Object System.Collections.ArrayList
foreach ($cls in @($in.bridge | Where-Object { $null -ne $_ })) {
  Assert-Class ([string]$cls)
  $available = @(Get-BridgeProperties ([string]$cls))
  $values = @{}
  if ($available.Count -gt 0) {
    $result = Get-CimInstance -Namespace $bridgeNamespace -ClassName $resultClass[[string]$cls] -Filter $resultFilter[[string]$cls] -ErrorAction SilentlyContinue
    if ($null -ne $result) { foreach ($p in $available) { if ($p -cne 'InstanceID' -and $p -cne 'ParentID' -and $null -ne $result.$p) { $values[$p] = $result.$p } } }
  }
  [void]$bridge.Add(@{ cls = [string]$cls; properties = $available; values = $values })
}

# RSoP names the GPO that set each Policies value (precedence 1 = the winning GPO); an unreadable RSoP is reported.
$rsop = @()
$rsopError = $null
if ($in.rsop -eq $true) {
  try { $rsop = @((Get-GpoOwners).Values) } catch { $rsopError = $_.Exception.Message }
}

$status = $null
if ($in.status -eq $true) { $status = @{ IsTamperProtected = (Get-MpComputerStatus).IsTamperProtected } }

@{ preference = $preference; registry = @($registry); subkeys = @($subkeys); bridge = @($bridge); rsop = @($rsop); rsopError = $rsopError; status = $status }
`,
);

/** Every Get-MpComputerStatus property, as ConvertTo-Json renders it (the same shape as the golden file). */
export const DEFENDER_STATUS = ps('defender-status')`
$status = [ordered]@{}
foreach ($property in (Get-MpComputerStatus).CimInstanceProperties) { $status[$property.Name] = $property.Value }
$status
`;

/** Whether the Defender module and service exist (Windows Server without the Defender feature has neither). */
export const DEFENDER_PROBE = ps('defender-probe')`
$service = Get-Service -Name WinDefend -ErrorAction SilentlyContinue
@{ module = [bool](Get-Module -ListAvailable -Name Defender); service = [bool]$service }
`;

/** The scripts, by name (boundary tests and the emulator identify a run by its decoded script text). */
export const DEFENDER_SCRIPTS = [DEFENDER_APPLY, DEFENDER_OBSERVE, DEFENDER_STATUS, DEFENDER_PROBE] as const;
