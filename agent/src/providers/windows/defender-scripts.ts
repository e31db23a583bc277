// The constant PowerShell scripts of the Windows Defender providers (Windows PowerShell 5.1, run as SYSTEM by the agent
// service). They read their plan from `$in` (JSON on stdin). Every bridge class and property, Policies value
// (<key>\<name>), list operation (subkey, flag, exact or merge) and cmdlet parameter is checked against fixed allow-lists
// (defender-script-lists.ts, equal to the mapping table by test) before anything changes; values are only ever data.
import { ALLOW_LISTS } from './defender-script-lists.js';
import { ps, psJoin } from './powershell.js';

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
# Every field is cast to [string] once: an array would otherwise match -ceq element-wise and pass as another op.
function Get-ListMode($op) {
  if ($null -eq $op.exact) { return 'merge' }
  if (-not ($op.exact -is [bool])) { throw 'refusing a list operation whose exact flag is not a boolean' }
  if ($op.exact) { return 'exact' } else { return 'merge' }
}
function Assert-Op($op) {
  $kind = [string]$op.op
  if ($kind -ceq 'values') {
    $signature = [string]$op.key + '|' + [string]$op.flagKey + '|' + [string]$op.flag + '|' + (Get-ListMode $op)
    $items = @($op.set | Where-Object { $null -ne $_ })
    foreach ($item in $items) {
      if (-not ($item.name -is [string]) -or $item.name -eq '') { throw 'refusing a list value name that is not a non-empty string' }
      if ($null -ne $item.data -and -not ($item.data -is [string])) { throw 'refusing list value data that is not a string' }
    }
    if ($signature -ceq $legacyListOp) {
      foreach ($item in $items) { if ($null -ne $item.data) { throw 'refusing a write to the previous agent per-rule exclusions key (deletions only)' } }
    } elseif ($listOpAllowed -cnotcontains $signature) { throw ('refusing list operation ' + $signature + ': not in the allow-list') }
  } elseif (($kind -ceq 'set') -or ($kind -ceq 'delete')) {
    $path = [string]$op.key + '\' + [string]$op.name
    if ($valueAllowed -cnotcontains $path) { throw ('refusing registry value ' + $path + ': not in the allow-list') }
    $type = [string]$op.type
    if ($kind -ceq 'set' -and $type -cne 'DWord' -and $type -cne 'String') { throw 'refusing an unknown registry value type' }
  } else { throw 'refusing an unknown registry operation' }
}
# A Policies value a GPO owns is never written or deleted (GP refresh would fight it and admins could not tell the
# two apart); the read-back reports the GPO as overriding the setting. Unknown ownership (RSoP unreadable) refuses.
function Test-GpoOwned([string]$key, [string]$name) {
  if ($null -ne $rsopError) { throw ('cannot tell whether Group Policy owns ' + $key + '\' + $name + ' (RSoP unavailable: ' + $rsopError + ')') }
  return $gpoOwners.ContainsKey(($key + '\' + $name).ToLowerInvariant())
}
function Invoke-RegistryOp($op) {
  $kind = [string]$op.op
  if (($kind -ceq 'set') -or ($kind -ceq 'delete')) { if (Test-GpoOwned ([string]$op.key) ([string]$op.name)) { return } }
  if ($kind -ceq 'set') {
    $k = Open-PolicyKey ([string]$op.key) $true
    try {
      # REG_DWORD is unsigned: 0..4294967295 is stored by its bit pattern (SetValue takes a signed Int32).
      if ([string]$op.type -ceq 'DWord') { $k.SetValue([string]$op.name, [BitConverter]::ToInt32([BitConverter]::GetBytes([uint32]$op.value), 0), [Microsoft.Win32.RegistryValueKind]::DWord) }
      elseif ([string]$op.type -ceq 'String') { $k.SetValue([string]$op.name, [string]$op.value, [Microsoft.Win32.RegistryValueKind]::String) }
      else { throw 'unknown registry value type' }
    } finally { $k.Close() }
  } elseif ($kind -ceq 'delete') {
    $k = Open-PolicyKey ([string]$op.key) $false
    if ($null -ne $k) { try { $k.DeleteValue([string]$op.name, $false) } finally { $k.Close() } }
  } else {
    $k = Open-PolicyKey ([string]$op.key) $true
    try {
      $items = @($op.set | Where-Object { $null -ne $_ })
      $names = @($items | ForEach-Object { [string]$_.name })
      if ((Get-ListMode $op) -ceq 'exact') {
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
  foreach ($m in @($b.merge | Where-Object { $null -ne $_ })) {
    if (-not ($m.guid -is [string]) -or $m.guid -cnotmatch $guidPattern) { throw 'refusing an ASR rule id that is not a GUID' }
    if ($null -ne $m.action -and -not ($m.action -is [int] -or $m.action -is [long])) { throw 'refusing an ASR rule action that is not a number' }
  }
  if ($null -ne $b.value -and -not ($b.value -is [string] -or $b.value -is [int] -or $b.value -is [long])) { throw ('refusing a value for bridge property ' + [string]$b.property + ' that is not a number or a string') }
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
  if ($valueAllowed -cnotcontains ([string]$r.key + '\' + [string]$r.name)) { throw ('refusing registry value ' + [string]$r.key + '\' + [string]$r.name + ': not in the allow-list') }
  $k = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey(([string]$r.key).Substring(6))
  if ($null -eq $k) { continue }
  try { $v = $k.GetValue([string]$r.name, $null, 'DoNotExpandEnvironmentNames') } finally { $k.Close() }
  if ($null -ne $v) { [void]$registry.Add(@{ key = [string]$r.key; name = [string]$r.name; value = $v }) }
}

$subkeys = New-Object System.Collections.ArrayList
foreach ($key in @($in.subkeys | Where-Object { $null -ne $_ })) {
  Assert-Key ([string]$key)
  $k = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey(([string]$key).Substring(6))
  if ($null -eq $k) { continue }
  try { $values = @($k.GetValueNames() | Where-Object { $_ -ne '' } | ForEach-Object { @{ name = $_; data = $k.GetValue($_, $null, 'DoNotExpandEnvironmentNames') } }) } finally { $k.Close() }
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
