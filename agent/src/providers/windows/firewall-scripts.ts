// The constant PowerShell scripts of the Windows Firewall profile provider: the MDM store through the local MDM WMI
// bridge (root\cimv2\mdm\dmmap, MDM_Firewall_* classes, run as SYSTEM), effective state from NetSecurity's ActiveStore,
// Group Policy from its RSOP store. Values come only as JSON on stdin; class and property names are allow-listed here.
import { ps, psJoin } from './powershell.js';

/** WMI namespace of the MDM bridge and the Firewall CSP's MdmStore node (ParentID of the profile/global instances). */
export const MDM_NAMESPACE = 'root\\cimv2\\mdm\\dmmap';
export const MDM_STORE = './Vendor/MSFT/Firewall/MdmStore';

/** ParentID of the Policy CSP area instances (the Audit area of Intune's Windows Firewall profile). */
export const POLICY_CONFIG = './Vendor/MSFT/Policy/Config';

/** Bridge instance (InstanceID = CSP node name) → class. Mirrors `$fwClasses` below. */
export const FIREWALL_CLASSES = {
  Global: 'MDM_Firewall_Global02',
  DomainProfile: 'MDM_Firewall_DomainProfile02',
  PrivateProfile: 'MDM_Firewall_PrivateProfile02',
  PublicProfile: 'MDM_Firewall_PublicProfile02',
  Audit: 'MDM_Policy_Config01_Audit02',
  NetworkListManager: 'MDM_Policy_Config01_NetworkListManager02',
} as const;

/** Policy CSP NetworkListManager nodes of Intune's Windows Firewall profile (mirrors `$fwNlmProps`). */
export const NLM_PROPERTIES = ['AllowedTlsAuthenticationEndpoints', 'ConfiguredTLSAuthenticationNetworkName'] as const;
export type FirewallInstance = keyof typeof FIREWALL_CLASSES;

/** Writable MDM_Firewall_Global02 properties the agent manages (mirrors `$fwGlobalProps`). */
export const GLOBAL_PROPERTIES = [
  'DisableStatefulFtp',
  'SaIdleTime',
  'PresharedKeyEncoding',
  'IPsecExempt',
  'CRLcheck',
  'OpportunisticallyMatchAuthSetPerKM',
  'EnablePacketQueue',
] as const;

/**
 * Policy CSP Audit nodes of Intune's Windows Firewall profile (mirrors `$fwAuditProps`), with the advanced-audit
 * subcategory GUID whose effective setting `auditpol /backup` reports (mirrors `$auditGuids`).
 */
export const AUDIT_SUBCATEGORIES = {
  ObjectAccess_AuditFilteringPlatformConnection: '{0CCE9226-69AE-11D9-BED3-505054503030}',
  ObjectAccess_AuditFilteringPlatformPacketDrop: '{0CCE9225-69AE-11D9-BED3-505054503030}',
} as const;

/** Writable MDM_Firewall_<Profile>Profile02 properties the agent manages (mirrors `$fwProfileProps`). */
export const PROFILE_PROPERTIES = [
  'EnableFirewall',
  'DisableStealthMode',
  'Shielded',
  'DisableUnicastResponsesToMulticastBroadcast',
  'DisableInboundNotifications',
  'AuthAppsAllowUserPrefMerge',
  'GlobalPortsAllowUserPrefMerge',
  'AllowLocalPolicyMerge',
  'AllowLocalIpsecPolicyMerge',
  'DefaultOutboundAction',
  'DefaultInboundAction',
  'DisableStealthModeIpsecSecuredPacketExemption',
  'EnableLogDroppedPackets',
  'EnableLogSuccessConnections',
  'EnableLogIgnoredRules',
  'LogFilePath',
  'LogMaxFileSize',
] as const;

/** Get-NetFirewallProfile properties read from ActiveStore and RSOP (mirrors `$netProfileProps`). */
export const NET_PROFILE_PROPERTIES = [
  'Enabled',
  'DefaultInboundAction',
  'DefaultOutboundAction',
  'AllowInboundRules',
  'AllowLocalFirewallRules',
  'AllowLocalIPsecRules',
  'AllowUserApps',
  'AllowUserPorts',
  'AllowUnicastResponseToMulticast',
  'NotifyOnListen',
  'EnableStealthModeForIPsec',
  'LogFileName',
  'LogMaxSizeKilobytes',
  'LogAllowed',
  'LogBlocked',
  'LogIgnored',
] as const;

/** Get-NetFirewallSetting properties read from ActiveStore and RSOP (mirrors `$netSettingProps`). */
export const NET_SETTING_PROPERTIES = [
  'EnableStatefulFtp',
  'MaxSAIdleTimeSeconds',
  'KeyEncoding',
  'CertValidationLevel',
  'Exemptions',
  'EnablePacketQueuing',
] as const;

/** Group Policy registry values NetSecurity does not show, read under HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall\<Profile>. */
export const GPO_REGISTRY_VALUES = ['DisableStealthMode'] as const;

// The allow-lists every firewall profile script starts with (one copy, joined in front of each script).
const LISTS = ps('firewall-lists')`
$fwNs = 'root\cimv2\mdm\dmmap'
$fwStore = './Vendor/MSFT/Firewall/MdmStore'
$fwInstances = @('Global', 'DomainProfile', 'PrivateProfile', 'PublicProfile', 'Audit', 'NetworkListManager')
$fwClasses = @{ Global = 'MDM_Firewall_Global02'; DomainProfile = 'MDM_Firewall_DomainProfile02'; PrivateProfile = 'MDM_Firewall_PrivateProfile02'; PublicProfile = 'MDM_Firewall_PublicProfile02'; Audit = 'MDM_Policy_Config01_Audit02'; NetworkListManager = 'MDM_Policy_Config01_NetworkListManager02' }
$fwNlmProps = @('AllowedTlsAuthenticationEndpoints', 'ConfiguredTLSAuthenticationNetworkName')
$fwAuditProps = @('ObjectAccess_AuditFilteringPlatformConnection', 'ObjectAccess_AuditFilteringPlatformPacketDrop')
$fwGlobalProps = @('DisableStatefulFtp', 'SaIdleTime', 'PresharedKeyEncoding', 'IPsecExempt', 'CRLcheck', 'OpportunisticallyMatchAuthSetPerKM', 'EnablePacketQueue')
$fwProfileProps = @('EnableFirewall', 'DisableStealthMode', 'Shielded', 'DisableUnicastResponsesToMulticastBroadcast', 'DisableInboundNotifications', 'AuthAppsAllowUserPrefMerge', 'GlobalPortsAllowUserPrefMerge', 'AllowLocalPolicyMerge', 'AllowLocalIpsecPolicyMerge', 'DefaultOutboundAction', 'DefaultInboundAction', 'DisableStealthModeIpsecSecuredPacketExemption', 'EnableLogDroppedPackets', 'EnableLogSuccessConnections', 'EnableLogIgnoredRules', 'LogFilePath', 'LogMaxFileSize')
function Get-FwAllowed($i) {
  if ($i -ceq 'Global') { $fwGlobalProps } elseif ($i -ceq 'Audit') { $fwAuditProps } elseif ($i -ceq 'NetworkListManager') { $fwNlmProps } else { $fwProfileProps }
}
function Get-FwParent($i) { if ($i -ceq 'Audit' -or $i -ceq 'NetworkListManager') { './Vendor/MSFT/Policy/Config' } else { $fwStore } }
function Get-FwClass($i) { Get-CimClass -Namespace $fwNs -ClassName $fwClasses[$i] -ErrorAction SilentlyContinue }
function Get-FwInstance($i) {
  Get-CimInstance -Namespace $fwNs -ClassName $fwClasses[$i] -Filter ("InstanceID='" + $i + "' and ParentID='" + (Get-FwParent $i) + "'") -ErrorAction SilentlyContinue
}
`;

/** The NetSecurity profile / global property names read back (mirrors NET_PROFILE_PROPERTIES / NET_SETTING_PROPERTIES). */
export const NET_LISTS = ps('firewall-net-lists')`
$netProfileProps = @('Enabled', 'DefaultInboundAction', 'DefaultOutboundAction', 'AllowInboundRules', 'AllowLocalFirewallRules', 'AllowLocalIPsecRules', 'AllowUserApps', 'AllowUserPorts', 'AllowUnicastResponseToMulticast', 'NotifyOnListen', 'EnableStealthModeForIPsec', 'LogFileName', 'LogMaxSizeKilobytes', 'LogAllowed', 'LogBlocked', 'LogIgnored')
$netSettingProps = @('EnableStatefulFtp', 'MaxSAIdleTimeSeconds', 'KeyEncoding', 'CertValidationLevel', 'Exemptions', 'EnablePacketQueuing')
`;

/** Output: `{ <instance>: { <property>: <CimType name> } | null }` — what this build's bridge classes offer (null: class absent). */
export const FIREWALL_BRIDGE = psJoin(
  'firewall-bridge',
  LISTS,
  ps('firewall-bridge')`
$out = [ordered]@{}
foreach ($i in $fwInstances) {
  $c = Get-FwClass $i
  if ($null -eq $c) { $out[$i] = $null; continue }
  $allowed = Get-FwAllowed $i
  $props = [ordered]@{}
  foreach ($p in $c.CimClassProperties) { if ($allowed -ccontains [string]$p.Name) { $props[[string]$p.Name] = [string]$p.CimType } }
  $out[$i] = $props
}
$out
`,
);

/**
 * Output: `{ mdm: { <instance>: { <property>: value|null } | null }, active: { profiles, settings }, gpo: { profiles,
 * settings, registry: { <Profile>: { DisableStealthMode } } }, local: { profiles, settings } (PersistentStore), audit: { <Audit property>: 0-3|null }, auditError }`.
 * NetSecurity values are strings (enum names); audit values are the effective advanced audit policy.
 */
export const FIREWALL_OBSERVE = psJoin(
  'firewall-observe',
  LISTS,
  NET_LISTS,
  ps('firewall-observe')`
$gpoValues = @('DisableStealthMode')
function ConvertTo-Plain($obj, $names) {
  $o = [ordered]@{}
  foreach ($n in $names) { $v = $obj.$n; if ($null -eq $v) { $o[$n] = $null } else { $o[$n] = [string]$v } }
  $o
}
function Get-Store($store) {
  $profiles = @(Get-NetFirewallProfile -PolicyStore $store | ForEach-Object { $p = ConvertTo-Plain $_ $netProfileProps; $p['Name'] = [string]$_.Name; $p })
  @{ profiles = $profiles; settings = (ConvertTo-Plain (Get-NetFirewallSetting -PolicyStore $store) $netSettingProps) }
}
$mdm = [ordered]@{}
foreach ($i in $fwInstances) {
  $c = Get-FwClass $i
  if ($null -eq $c) { $mdm[$i] = $null; continue }
  $have = @($c.CimClassProperties | ForEach-Object { [string]$_.Name })
  $inst = Get-FwInstance $i
  $o = [ordered]@{}
  foreach ($n in (Get-FwAllowed $i)) { if ($have -ccontains $n) { if ($null -eq $inst) { $o[$n] = $null } else { $o[$n] = $inst.$n } } }
  $mdm[$i] = $o
}
$gpo = Get-Store 'RSOP'
$registry = [ordered]@{}
foreach ($profile in @('DomainProfile', 'PrivateProfile', 'PublicProfile')) {
  $r = [ordered]@{}
  $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SOFTWARE\Policies\Microsoft\WindowsFirewall\' + $profile)
  foreach ($n in $gpoValues) { if ($null -eq $key) { $r[$n] = $null } else { $r[$n] = $key.GetValue($n) } }
  if ($null -ne $key) { $key.Close() }
  $registry[$profile] = $r
}
$gpo['registry'] = $registry
# Effective advanced audit policy: auditpol /backup writes the numeric Setting Value (0-3, locale-independent); a
# subcategory it does not list is not audited (0). If auditpol fails, the audit values stay null (read as unknown:
# those settings report not enforced) and auditError says why; the firewall values are still reported.
$auditGuids = @{ ObjectAccess_AuditFilteringPlatformConnection = '{0CCE9226-69AE-11D9-BED3-505054503030}'; ObjectAccess_AuditFilteringPlatformPacketDrop = '{0CCE9225-69AE-11D9-BED3-505054503030}' }
$audit = [ordered]@{}
foreach ($n in $fwAuditProps) { $audit[$n] = $null }
$auditError = $null
$tmp = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), [System.IO.Path]::GetRandomFileName() + '.csv')
try {
  & "$env:SystemRoot\System32\auditpol.exe" /backup ('/file:' + $tmp) | Out-Null
  if ($LASTEXITCODE -ne 0) { throw ('auditpol /backup failed with exit code ' + $LASTEXITCODE) }
  $rows = @(Import-Csv -Path $tmp)
  foreach ($n in $fwAuditProps) {
    $row = $rows | Where-Object { [string]$_.'Subcategory GUID' -eq $auditGuids[$n] } | Select-Object -First 1
    if ($null -eq $row) { $audit[$n] = 0 } else { $audit[$n] = [int]$row.'Setting Value' }
  }
} catch { $auditError = $_.Exception.Message } finally { Remove-Item -LiteralPath $tmp -ErrorAction SilentlyContinue }
@{ mdm = $mdm; active = (Get-Store 'ActiveStore'); gpo = $gpo; local = (Get-Store 'PersistentStore'); audit = $audit; auditError = $auditError }
`,
);

/**
 * Input: `{ instances: [{ instance, values: { <property>: value|null } }] }` (null clears the MDM value). Creates the
 * instance when absent, else sets the properties; each value is converted to the property's CIM type first.
 * Output: `{ results: [{ instance, error }] }`, one per instance; a failed instance does not stop the others.
 */
export const FIREWALL_APPLY = psJoin(
  'firewall-apply',
  LISTS,
  ps('firewall-apply')`
function ConvertTo-Cim($v, $type, $name) {
  if ($null -eq $v) { return $null }
  switch -CaseSensitive ($type) {
    'Boolean' { if ($v -isnot [bool]) { throw ($name + ' must be true or false') }; return [bool]$v }
    'SInt32' { if (-not ($v -is [int] -or $v -is [long]) -or $v -lt [int32]::MinValue -or $v -gt [int32]::MaxValue) { throw ($name + ' is out of range for this build (signed 32-bit)') }; return [int32]$v }
    'UInt32' { if (-not ($v -is [int] -or $v -is [long]) -or $v -lt 0 -or $v -gt [uint32]::MaxValue) { throw ($name + ' is out of range (unsigned 32-bit)') }; return [uint32]$v }
    'String' { if ($v -isnot [string]) { throw ($name + ' must be a string') }; return [string]$v }
    default { throw ($name + ' has an unsupported CIM type ' + $type) }
  }
}
$results = New-Object System.Collections.ArrayList
foreach ($step in $in.instances) {
  $i = [string]$step.instance
  $err = $null
  try {
    if ($fwInstances -cnotcontains $i) { throw 'unknown firewall instance' }
    $c = Get-FwClass $i
    if ($null -eq $c) { throw ('this Windows build has no MDM bridge class ' + $fwClasses[$i]) }
    $types = @{}
    foreach ($p in $c.CimClassProperties) { $types[[string]$p.Name] = [string]$p.CimType }
    $allowed = Get-FwAllowed $i
    $props = [ordered]@{}
    foreach ($p in $step.values.PSObject.Properties) {
      if ($allowed -cnotcontains $p.Name) { throw ('property not allowed: ' + $p.Name) }
      if (-not $types.ContainsKey($p.Name)) { throw ('this Windows build has no ' + $p.Name + ' in ' + $fwClasses[$i]) }
      $props[$p.Name] = ConvertTo-Cim $p.Value $types[$p.Name] $p.Name
    }
    $inst = Get-FwInstance $i
    if ($null -eq $inst) {
      $new = @{ InstanceID = $i; ParentID = (Get-FwParent $i) }
      foreach ($k in $props.Keys) { if ($null -ne $props[$k]) { $new[$k] = $props[$k] } }
      if ($new.Count -gt 2) { New-CimInstance -Namespace $fwNs -ClassName $fwClasses[$i] -Property $new -ErrorAction Stop | Out-Null }
    } else {
      foreach ($k in $props.Keys) { $inst.CimInstanceProperties[$k].Value = $props[$k] }
      Set-CimInstance -CimInstance $inst -ErrorAction Stop
    }
  } catch { $err = $_.Exception.Message }
  [void]$results.Add(@{ instance = $i; error = $err })
}
@{ results = @($results) }
`,
);

/** Effective profile state for health: `{ profiles: [{ Name, Enabled, DefaultInboundAction, DefaultOutboundAction }] }`. */
export const FIREWALL_HEALTH = ps('firewall-health')`
$profiles = @(Get-NetFirewallProfile -PolicyStore ActiveStore | ForEach-Object {
  [ordered]@{ Name = [string]$_.Name; Enabled = [string]$_.Enabled; DefaultInboundAction = [string]$_.DefaultInboundAction; DefaultOutboundAction = [string]$_.DefaultOutboundAction }
})
@{ profiles = $profiles }
`;
