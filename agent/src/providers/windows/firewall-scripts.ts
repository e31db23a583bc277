// The constant PowerShell scripts of the Windows Firewall providers (NetSecurity module, PowerShell 5.1). Each reads
// its plan from `$in` (JSON on stdin); parameter NAMES are checked against a fixed allow-list inside the script and
// splatted, values are bound only as data. Enum values are returned as their names (`[string]`), never as numbers.
import { ps } from './powershell.js';

/** The rule group the agent owns: every rule it creates carries it, and it never touches a rule outside it. */
export const RULE_GROUP = 'Attaché';
/** The store the agent writes and reads: the local persistent policy (not a GPO, not the MDM store). */
export const POLICY_STORE = 'PersistentStore';
/** Registry key (HKLM) where the rules script keeps, per rule id, the exact item JSON it last wrote. */
export const HINT_KEY = 'SOFTWARE\\Attache\\FirewallRules';

/** Parameters of Set-NetFirewallProfile the apply script accepts (mirrors `$profileAllowed` below). */
export const PROFILE_PARAMETERS = [
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

/** Parameters of Set-NetFirewallSetting the apply script accepts (mirrors `$settingAllowed` below). */
export const SETTING_PARAMETERS = [
  'EnableStatefulFtp',
  'MaxSAIdleTimeSeconds',
  'KeyEncoding',
  'CertValidationLevel',
  'Exemptions',
  'EnablePacketQueuing',
] as const;

/** Parameters of New-NetFirewallRule the rules script accepts (mirrors `$ruleAllowed` below). */
export const RULE_PARAMETERS = [
  'Name',
  'DisplayName',
  'Description',
  'Enabled',
  'Direction',
  'Action',
  'Protocol',
  'LocalPort',
  'RemotePort',
  'IcmpType',
  'LocalAddress',
  'RemoteAddress',
  'Profile',
  'InterfaceType',
  'EdgeTraversalPolicy',
  'LocalUser',
  'Program',
  'Service',
] as const;

/** Rule parameters that take a string array. */
export const RULE_LIST_PARAMETERS = ['LocalPort', 'RemotePort', 'IcmpType', 'LocalAddress', 'RemoteAddress'] as const;

/** Output: `{ profiles: [{ Name, <PROFILE_PARAMETERS>… }], settings: { <SETTING_PARAMETERS>… } }`, all strings or null. */
export const FIREWALL_OBSERVE = ps('firewall-observe')`
$profileProps = @('Enabled', 'DefaultInboundAction', 'DefaultOutboundAction', 'AllowInboundRules', 'AllowLocalFirewallRules', 'AllowLocalIPsecRules', 'AllowUserApps', 'AllowUserPorts', 'AllowUnicastResponseToMulticast', 'NotifyOnListen', 'EnableStealthModeForIPsec', 'LogFileName', 'LogMaxSizeKilobytes', 'LogAllowed', 'LogBlocked', 'LogIgnored')
$settingProps = @('EnableStatefulFtp', 'MaxSAIdleTimeSeconds', 'KeyEncoding', 'CertValidationLevel', 'Exemptions', 'EnablePacketQueuing')
function ConvertTo-Plain($obj, $names) {
  $o = [ordered]@{}
  foreach ($n in $names) { $v = $obj.$n; if ($null -eq $v) { $o[$n] = $null } else { $o[$n] = [string]$v } }
  $o
}
$profiles = @(Get-NetFirewallProfile -PolicyStore PersistentStore | ForEach-Object { $p = ConvertTo-Plain $_ $profileProps; $p['Name'] = [string]$_.Name; $p })
$settings = ConvertTo-Plain (Get-NetFirewallSetting -PolicyStore PersistentStore) $settingProps
@{ profiles = $profiles; settings = $settings }
`;

/**
 * Input: `{ steps: [{ target: 'Domain'|'Private'|'Public'|'Global', parameters: { <name>: <string> } }] }`.
 * Output: `{ results: [{ target, error }] }`, one per step; a failed step does not stop the others.
 */
export const FIREWALL_APPLY = ps('firewall-apply')`
$profileAllowed = @('Enabled', 'DefaultInboundAction', 'DefaultOutboundAction', 'AllowInboundRules', 'AllowLocalFirewallRules', 'AllowLocalIPsecRules', 'AllowUserApps', 'AllowUserPorts', 'AllowUnicastResponseToMulticast', 'NotifyOnListen', 'EnableStealthModeForIPsec', 'LogFileName', 'LogMaxSizeKilobytes', 'LogAllowed', 'LogBlocked', 'LogIgnored')
$settingAllowed = @('EnableStatefulFtp', 'MaxSAIdleTimeSeconds', 'KeyEncoding', 'CertValidationLevel', 'Exemptions', 'EnablePacketQueuing')
$profileNames = @('Domain', 'Private', 'Public')
$results = New-Object System.Collections.ArrayList
foreach ($step in $in.steps) {
  $target = [string]$step.target
  $err = $null
  try {
    $splat = @{ PolicyStore = 'PersistentStore'; ErrorAction = 'Stop' }
    if ($target -ceq 'Global') { $allowed = $settingAllowed }
    elseif ($profileNames -ccontains $target) { $allowed = $profileAllowed; $splat['Name'] = $target }
    else { throw 'unknown firewall target' }
    foreach ($p in $step.parameters.PSObject.Properties) {
      if ($allowed -cnotcontains $p.Name) { throw ('parameter not allowed: ' + $p.Name) }
      $splat[$p.Name] = [string]$p.Value
    }
    if ($target -ceq 'Global') { Set-NetFirewallSetting @splat } else { Set-NetFirewallProfile @splat }
  } catch { $err = $_.Exception.Message }
  [void]$results.Add(@{ target = $target; error = $err })
}
@{ results = @($results) }
`;

/**
 * Output: `{ rules: [{ Name, DisplayName, Description, Group, Enabled, Direction, Action, Profile, EdgeTraversalPolicy,
 * Protocol, LocalPort[], RemotePort[], IcmpType[], LocalAddress[], RemoteAddress[], Program, Service, InterfaceType,
 * LocalUser, Hint }] }` for the rules of the agent's group only, filters joined by InstanceID. `Hint` is the item JSON
 * the agent stored for the rule (HINT_KEY), so an item written another way than Windows prints it reads back as written.
 */
export const FIREWALL_RULES_OBSERVE = ps('firewall-rules-observe')`
$group = 'Attaché'
$rules = @(Get-NetFirewallRule -Group $group -PolicyStore PersistentStore -ErrorAction SilentlyContinue -ErrorVariable getErrors)
foreach ($e in $getErrors) { if ([string]$e.CategoryInfo.Category -ne 'ObjectNotFound') { throw $e } }
function Get-Index($filters) { $h = @{}; foreach ($f in @($filters)) { $h[[string]$f.InstanceID] = $f }; $h }
function Get-Strings($v) { ,@(@($v) | Where-Object { $null -ne $_ } | ForEach-Object { [string]$_ }) }
$ports = @{}; $addresses = @{}; $apps = @{}; $services = @{}; $types = @{}; $security = @{}
if ($rules.Count -gt 0) {
  $ports = Get-Index ($rules | Get-NetFirewallPortFilter)
  $addresses = Get-Index ($rules | Get-NetFirewallAddressFilter)
  $apps = Get-Index ($rules | Get-NetFirewallApplicationFilter)
  $services = Get-Index ($rules | Get-NetFirewallServiceFilter)
  $types = Get-Index ($rules | Get-NetFirewallInterfaceTypeFilter)
  $security = Get-Index ($rules | Get-NetFirewallSecurityFilter)
}
$hints = @{}
$hintKey = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SOFTWARE\Attache\FirewallRules')
if ($null -ne $hintKey) {
  foreach ($n in $hintKey.GetValueNames()) { $hints[$n] = [string]$hintKey.GetValue($n) }
  $hintKey.Close()
}
$out = New-Object System.Collections.ArrayList
foreach ($r in $rules) {
  $id = [string]$r.InstanceID
  $description = $null
  if ($null -ne $r.Description) { $description = [string]$r.Description }
  [void]$out.Add([ordered]@{
    Name = [string]$r.Name; DisplayName = [string]$r.DisplayName; Description = $description; Group = [string]$r.Group
    Enabled = [string]$r.Enabled; Direction = [string]$r.Direction; Action = [string]$r.Action; Profile = [string]$r.Profile
    EdgeTraversalPolicy = [string]$r.EdgeTraversalPolicy
    Protocol = [string]$ports[$id].Protocol; LocalPort = Get-Strings $ports[$id].LocalPort; RemotePort = Get-Strings $ports[$id].RemotePort
    IcmpType = Get-Strings $ports[$id].IcmpType
    LocalAddress = Get-Strings $addresses[$id].LocalAddress; RemoteAddress = Get-Strings $addresses[$id].RemoteAddress
    Program = [string]$apps[$id].Program; Service = [string]$services[$id].Service
    InterfaceType = [string]$types[$id].InterfaceType; LocalUser = [string]$security[$id].LocalUser
    Hint = $hints[[string]$r.Name]
  })
}
@{ rules = @($out) }
`;

/**
 * Input: `{ remove: [Name], enable: [{ Name, Enabled, Hint }], create: [{ Parameters: { <RULE_PARAMETERS>… }, Hint }],
 * hint: [{ Name, Hint }] }`, run in that order. Only rules found in the agent's group are removed or changed; a created
 * rule gets the group and must carry an agent rule id. Hints of rules that no longer exist are dropped.
 * Output: `{ results: [{ op, name, error }] }`, one per operation; a failed operation does not stop the others.
 */
export const FIREWALL_RULES_APPLY = ps('firewall-rules-apply')`
$group = 'Attaché'
$ruleAllowed = @('Name', 'DisplayName', 'Description', 'Enabled', 'Direction', 'Action', 'Protocol', 'LocalPort', 'RemotePort', 'IcmpType', 'LocalAddress', 'RemoteAddress', 'Profile', 'InterfaceType', 'EdgeTraversalPolicy', 'LocalUser', 'Program', 'Service')
$ruleLists = @('LocalPort', 'RemotePort', 'IcmpType', 'LocalAddress', 'RemoteAddress')
$rules = @(Get-NetFirewallRule -Group $group -PolicyStore PersistentStore -ErrorAction SilentlyContinue -ErrorVariable getErrors)
foreach ($e in $getErrors) { if ([string]$e.CategoryInfo.Category -ne 'ObjectNotFound') { throw $e } }
$ours = @{}
foreach ($r in $rules) { $ours[[string]$r.Name] = $r }
$hintKey = [Microsoft.Win32.Registry]::LocalMachine.CreateSubKey('SOFTWARE\Attache\FirewallRules')
$results = New-Object System.Collections.ArrayList
function Add-Result($op, $name, $err) { [void]$results.Add(@{ op = $op; name = $name; error = $err }) }
function Assert-Ours($name) { if (-not $ours.ContainsKey($name)) { throw 'no such rule in the agent group' } }
foreach ($item in $in.remove) {
  $name = [string]$item
  $err = $null
  try {
    Assert-Ours $name
    $ours[$name] | Remove-NetFirewallRule -ErrorAction Stop
    $ours.Remove($name)
    $hintKey.DeleteValue($name, $false)
  } catch { $err = $_.Exception.Message }
  Add-Result 'remove' $name $err
}
foreach ($item in $in.enable) {
  $name = [string]$item.Name
  $err = $null
  try {
    Assert-Ours $name
    $enabled = [string]$item.Enabled
    if (@('True', 'False') -cnotcontains $enabled) { throw 'Enabled must be True or False' }
    $ours[$name] | Set-NetFirewallRule -Enabled $enabled -ErrorAction Stop
    $hintKey.SetValue($name, [string]$item.Hint, [Microsoft.Win32.RegistryValueKind]::String)
  } catch { $err = $_.Exception.Message }
  Add-Result 'enable' $name $err
}
foreach ($item in $in.create) {
  $name = [string]$item.Parameters.Name
  $err = $null
  try {
    if ($name -cnotmatch '^Attache-[0-9a-f]{32}$') { throw 'not an agent rule id' }
    if ($ours.ContainsKey($name)) { throw 'the rule already exists' }
    $splat = @{ Group = $group; PolicyStore = 'PersistentStore'; ErrorAction = 'Stop' }
    foreach ($p in $item.Parameters.PSObject.Properties) {
      if ($ruleAllowed -cnotcontains $p.Name) { throw ('parameter not allowed: ' + $p.Name) }
      if ($ruleLists -ccontains $p.Name) { $splat[$p.Name] = [string[]]@($p.Value) } else { $splat[$p.Name] = [string]$p.Value }
    }
    $ours[$name] = New-NetFirewallRule @splat
    $hintKey.SetValue($name, [string]$item.Hint, [Microsoft.Win32.RegistryValueKind]::String)
  } catch { $err = $_.Exception.Message }
  Add-Result 'create' $name $err
}
foreach ($item in $in.hint) {
  $name = [string]$item.Name
  $err = $null
  try {
    Assert-Ours $name
    $hintKey.SetValue($name, [string]$item.Hint, [Microsoft.Win32.RegistryValueKind]::String)
  } catch { $err = $_.Exception.Message }
  Add-Result 'hint' $name $err
}
foreach ($n in $hintKey.GetValueNames()) { if (-not $ours.ContainsKey($n)) { $hintKey.DeleteValue($n, $false) } }
$hintKey.Close()
@{ results = @($results) }
`;

/** Effective profile state for health: `{ profiles: [{ Name, Enabled, DefaultInboundAction, DefaultOutboundAction }] }`. */
export const FIREWALL_HEALTH = ps('firewall-health')`
$profiles = @(Get-NetFirewallProfile -PolicyStore ActiveStore | ForEach-Object {
  [ordered]@{ Name = [string]$_.Name; Enabled = [string]$_.Enabled; DefaultInboundAction = [string]$_.DefaultInboundAction; DefaultOutboundAction = [string]$_.DefaultOutboundAction }
})
@{ profiles = $profiles }
`;

/** Every firewall script, for the emulator and the allow-list test. */
export const FIREWALL_SCRIPTS = [FIREWALL_OBSERVE, FIREWALL_APPLY, FIREWALL_RULES_OBSERVE, FIREWALL_RULES_APPLY, FIREWALL_HEALTH] as const;
