// The constant PowerShell scripts of the Windows Defender providers (module Defender, Windows PowerShell 5.1). They
// read their plan from `$in` (JSON on stdin). Every parameter name, registry key and value name is checked against a
// fixed allow-list in the script before it is splatted or used; values are only ever bound as data. The allow-lists
// mirror the mapping table (defender-mapping.ts); a test keeps them equal.
import { ps, psJoin } from './powershell.js';

/** The registry keys both scripts may touch ($keyAllowed), one constant shared by apply and observe. */
const REGISTRY_KEY_ALLOW_LIST = ps('defender-registry-keys')`
$keyAllowed = @('HKLM:\SOFTWARE\Policies\Microsoft\Windows Advanced Threat Protection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Real-Time Protection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Scan',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\ASROnlyPerRuleExclusions',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Account protection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\App and Browser protection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Device performance and health',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Device security',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Enterprise Customization',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Family options',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Firewall and network protection',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Notifications',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Systray',
  'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender Security Center\Virus and threat protection')
`;

/**
 * Applies a DefenderApplyPlan (defender-plan.ts). Order: list removals, list additions, resets, scalars, ASR rules,
 * registry values, the ASR per-rule flag. A failing step is recorded and the rest still runs; the output is
 * `{ errors: [{ step, message }] }` with the step keys of `stepKey`. A plan naming anything outside the allow-lists
 * is refused as a whole.
 */
export const DEFENDER_APPLY = psJoin(
  'defender-apply',
  REGISTRY_KEY_ALLOW_LIST,
  ps('defender-apply-body')`
$mpAllowed = @('AllowDatagramProcessingOnWinServer', 'AllowNetworkProtectionDownLevel', 'AllowNetworkProtectionOnWinServer',
  'CheckForSignaturesBeforeRunningScan', 'CloudBlockLevel', 'CloudExtendedTimeout', 'DefinitionUpdatesChannel',
  'DisableArchiveScanning', 'DisableBehaviorMonitoring', 'DisableCatchupFullScan', 'DisableCatchupQuickScan',
  'DisableCpuThrottleOnIdleScans', 'DisableDnsOverTcpParsing', 'DisableEmailScanning', 'DisableHttpParsing',
  'DisableIOAVProtection', 'DisableRealtimeMonitoring', 'DisableRemovableDriveScanning',
  'DisableScanningMappedNetworkDrivesForFullScan', 'DisableScanningNetworkFiles', 'DisableScriptScanning',
  'DisableSshParsing', 'DisableTlsParsing', 'EnableControlledFolderAccess', 'EnableFileHashComputation',
  'EnableLowCpuPriority', 'EnableNetworkProtection', 'EngineUpdatesChannel', 'HighThreatDefaultAction',
  'LowThreatDefaultAction', 'MAPSReporting', 'MeteredConnectionUpdates', 'ModerateThreatDefaultAction', 'PUAProtection',
  'PlatformUpdatesChannel', 'QuarantinePurgeItemsAfterDelay', 'RandomizeScheduleTaskTimes', 'RealTimeScanDirection',
  'ScanAvgCPULoadFactor', 'ScanOnlyIfIdleEnabled', 'ScanParameters', 'ScanScheduleDay', 'ScanScheduleOffset',
  'ScanScheduleQuickScanTime', 'SchedulerRandomizationTime', 'SevereThreatDefaultAction', 'SharedSignaturesPath',
  'SignatureDefinitionUpdateFileSharesSources', 'SignatureFallbackOrder', 'SignatureUpdateInterval',
  'SubmitSamplesConsent', 'ThrottleForScheduledScanOnly', 'UILockdown')
$listAllowed = @('AttackSurfaceReductionOnlyExclusions', 'ControlledFolderAccessAllowedApplications',
  'ControlledFolderAccessProtectedFolders', 'ExclusionExtension', 'ExclusionPath', 'ExclusionProcess')
$timeParams = @('ScanScheduleQuickScanTime')
$asrKey = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR'
$asrPerRuleKey = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\ASROnlyPerRuleExclusions'
$asrPerRuleFlag = 'ExploitGuard_ASR_ASROnlyPerRuleExclusions'
$guidPattern = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
$valueNamePattern = '^[A-Za-z0-9_-]{1,64}$'
$errors = New-Object System.Collections.ArrayList

function Add-StepError([string]$step, $record) { [void]$errors.Add(@{ step = $step; message = $record.Exception.Message }) }
function Get-Names($object) { if ($null -eq $object) { return @() }; return @($object.PSObject.Properties | ForEach-Object { $_.Name }) }
function Assert-Allowed([string]$name, $allowed, [string]$what) {
  if ($allowed -cnotcontains $name) { throw ('refusing ' + $what + ' ' + $name + ': not in the allow-list') }
}
function Test-Value([string]$key, [string]$name) { return $null -ne (Get-ItemProperty -LiteralPath $key -Name $name -ErrorAction SilentlyContinue) }

# Validate every name first, so a plan naming anything else changes nothing.
foreach ($name in @(Get-Names $in.remove) + @(Get-Names $in.add)) { Assert-Allowed $name $listAllowed 'list parameter' }
foreach ($name in @($in.reset | Where-Object { $null -ne $_ }) + @(Get-Names $in.mp)) { Assert-Allowed $name $mpAllowed 'parameter' }
foreach ($id in @($in.asr.set | Where-Object { $null -ne $_ } | ForEach-Object { $_.id }) + @($in.asr.remove | Where-Object { $null -ne $_ })) {
  if ([string]$id -cnotmatch $guidPattern) { throw 'refusing an ASR rule id that is not a GUID' }
}
foreach ($r in @($in.registry | Where-Object { $null -ne $_ })) {
  Assert-Allowed ([string]$r.key) $keyAllowed 'registry key'
  if ([string]$r.name -cnotmatch $valueNamePattern) { throw 'refusing a registry value name outside [A-Za-z0-9_-]' }
}

$current = Get-MpPreference

# 1. List items. Remove-MpPreference reports an error for an item that is not there, so only present items go.
foreach ($name in @(Get-Names $in.remove)) {
  $present = @($current.$name | Where-Object { $null -ne $_ })
  $items = @($in.remove.$name | Where-Object { $present -contains $_ })
  if ($items.Count -eq 0) { continue }
  $splat = @{ $name = [string[]]$items }
  try { Remove-MpPreference @splat -Force } catch { Add-StepError ('remove:' + $name) $_ }
}
foreach ($name in @(Get-Names $in.add)) {
  $splat = @{ $name = [string[]]@($in.add.$name) }
  try { Add-MpPreference @splat -Force } catch { Add-StepError ('add:' + $name) $_ }
}

# 2. Scalars back to the Defender default (switch parameters of Remove-MpPreference).
foreach ($name in @($in.reset | Where-Object { $null -ne $_ })) {
  $splat = @{ $name = $true }
  try { Remove-MpPreference @splat -Force } catch { Add-StepError ('reset:' + $name) $_ }
}

# 3. Scalars in one Set-MpPreference call; if it fails, one call per parameter so each error names its setting.
$set = @{}
foreach ($name in @(Get-Names $in.mp)) {
  $value = $in.mp.$name
  if ($timeParams -ccontains $name) { $value = [datetime]::Today.AddMinutes([double]$value) }
  $set[$name] = $value
}
if ($set.Count -gt 0) {
  try { Set-MpPreference @set -Force } catch {
    foreach ($name in @($set.Keys)) {
      $one = @{ $name = $set[$name] }
      try { Set-MpPreference @one -Force } catch { Add-StepError ('mp:' + $name) $_ }
    }
  }
}

# 4. ASR rules: Add-MpPreference adds a rule or updates its action; Remove-MpPreference drops rules that are present.
$ids = @($in.asr.set | Where-Object { $null -ne $_ } | ForEach-Object { [string]$_.id })
$actions = @($in.asr.set | Where-Object { $null -ne $_ } | ForEach-Object { [int]$_.action })
if ($ids.Count -gt 0) {
  try { Add-MpPreference -AttackSurfaceReductionRules_Ids $ids -AttackSurfaceReductionRules_Actions $actions -Force } catch {
    for ($i = 0; $i -lt $ids.Count; $i++) {
      try { Add-MpPreference -AttackSurfaceReductionRules_Ids $ids[$i] -AttackSurfaceReductionRules_Actions $actions[$i] -Force } catch { Add-StepError ('asr:' + $ids[$i]) $_ }
    }
  }
}
$presentRules = @($current.AttackSurfaceReductionRules_Ids | Where-Object { $null -ne $_ })
foreach ($id in @($in.asr.remove | Where-Object { $presentRules -contains $_ })) {
  try { Remove-MpPreference -AttackSurfaceReductionRules_Ids ([string]$id) -Force } catch { Add-StepError ('asr:' + $id) $_ }
}

# 5. Group Policy registry values.
foreach ($r in @($in.registry | Where-Object { $null -ne $_ })) {
  $key = [string]$r.key
  $name = [string]$r.name
  try {
    if ($r.delete -eq $true) {
      if (Test-Value $key $name) { Remove-ItemProperty -LiteralPath $key -Name $name }
    } else {
      if (-not (Test-Path -LiteralPath $key)) { New-Item -Path $key -Force | Out-Null }
      if ($r.type -ceq 'DWord') { New-ItemProperty -LiteralPath $key -Name $name -PropertyType DWord -Value ([int]$r.value) -Force | Out-Null }
      elseif ($r.type -ceq 'String') { New-ItemProperty -LiteralPath $key -Name $name -PropertyType String -Value ([string]$r.value) -Force | Out-Null }
      else { throw 'unknown registry value type' }
    }
  } catch { Add-StepError ('reg:' + $key + '\' + $name) $_ }
}

# 6. The per-rule exclusion list is enabled (flag 1) while it holds values, and the flag goes when it is empty.
if ($in.syncAsrPerRuleFlag -eq $true) {
  try {
    $names = @()
    if (Test-Path -LiteralPath $asrPerRuleKey) { $names = @((Get-Item -LiteralPath $asrPerRuleKey).Property | Where-Object { $_ }) }
    if ($names.Count -gt 0) {
      New-ItemProperty -LiteralPath $asrKey -Name $asrPerRuleFlag -PropertyType DWord -Value 1 -Force | Out-Null
    } elseif (Test-Value $asrKey $asrPerRuleFlag) {
      Remove-ItemProperty -LiteralPath $asrKey -Name $asrPerRuleFlag
    }
  } catch { Add-StepError 'asrPerRuleFlag' $_ }
}

@{ errors = @($errors) }
`,
);

/**
 * Reads Get-MpPreference (every CIM property, as ConvertTo-Json renders it), the requested registry values (those that
 * exist) and, when `$in.status` is true, Get-MpComputerStatus.IsTamperProtected.
 * Output: `{ preference: {…}, registry: [{ key, name, value }], status: { IsTamperProtected } | null }`.
 */
export const DEFENDER_OBSERVE = psJoin(
  'defender-observe',
  REGISTRY_KEY_ALLOW_LIST,
  ps('defender-observe-body')`
$valueNamePattern = '^[A-Za-z0-9_-]{1,64}$'

$preference = [ordered]@{}
foreach ($property in (Get-MpPreference).CimInstanceProperties) { $preference[$property.Name] = $property.Value }

$registry = New-Object System.Collections.ArrayList
foreach ($r in @($in.registry | Where-Object { $null -ne $_ })) {
  $key = [string]$r.key
  $name = [string]$r.name
  if ($keyAllowed -cnotcontains $key) { throw ('refusing registry key ' + $key + ': not in the allow-list') }
  if ($name -cnotmatch $valueNamePattern) { throw 'refusing a registry value name outside [A-Za-z0-9_-]' }
  $item = Get-ItemProperty -LiteralPath $key -Name $name -ErrorAction SilentlyContinue
  if ($null -ne $item) { [void]$registry.Add(@{ key = $key; name = $name; value = $item.$name }) }
}

$status = $null
if ($in.status -eq $true) { $status = @{ IsTamperProtected = (Get-MpComputerStatus).IsTamperProtected } }

@{ preference = $preference; registry = @($registry); status = $status }
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
