// The constant PowerShell scripts of the Windows Firewall rules provider: rules are Firewall CSP MdmStore/FirewallRules
// nodes written through the MDM WMI bridge (MDM_Firewall_FirewallRules02_01 + App04/Action04 children, as SYSTEM);
// the effective ActiveStore says which are in force. Values only as JSON on stdin; names allow-listed here.
import { ps, psJoin } from './powershell.js';

/** ParentID of every rule instance (the CSP's FirewallRules node). */
export const RULES_PARENT = './Vendor/MSFT/Firewall/MdmStore/FirewallRules';
/** The rule node names (InstanceID) the agent owns: derived from the item name, so no escaping is ever needed. */
export const RULE_ID_PATTERN = /^Attache-[0-9a-f]{32}$/;
/** The local-store rule group the agent used before the MDM store (removed once on upgrade). */
export const LEGACY_RULE_GROUP = 'Attaché';
/** Registry key (HKLM) of the legacy rule hints, deleted with the legacy rules. */
export const LEGACY_HINT_KEY = 'SOFTWARE\\Attache\\FirewallRules';

/** Rule-instance properties and their JSON types (mirrors `$ruleProps` / `$ruleInts` / `$ruleBools`). */
export const RULE_PROPERTIES = {
  Name: 'string',
  Description: 'string',
  Enabled: 'boolean',
  Direction: 'string',
  Protocol: 'integer',
  LocalPortRanges: 'string',
  RemotePortRanges: 'string',
  IcmpTypesAndCodes: 'string',
  LocalAddressRanges: 'string',
  RemoteAddressRanges: 'string',
  Profiles: 'integer',
  InterfaceTypes: 'string',
  EdgeTraversal: 'boolean',
  LocalUserAuthorizedList: 'string',
  PolicyAppId: 'string',
} as const;
/** MDM_Firewall_App04 properties (mirrors `$appProps`); MDM_Firewall_Action04 has one, Type (0 block, 1 allow). */
export const APP_PROPERTIES = ['FilePath', 'ServiceName', 'PackageFamilyName', 'Fqbn'] as const;

const LISTS = ps('firewall-rules-lists')`
$fwNs = 'root\cimv2\mdm\dmmap'
$parent = './Vendor/MSFT/Firewall/MdmStore/FirewallRules'
$idPattern = '^Attache-[0-9a-f]{32}$'
$ruleProps = @('Name', 'Description', 'Enabled', 'Direction', 'Protocol', 'LocalPortRanges', 'RemotePortRanges', 'IcmpTypesAndCodes', 'LocalAddressRanges', 'RemoteAddressRanges', 'Profiles', 'InterfaceTypes', 'EdgeTraversal', 'LocalUserAuthorizedList', 'PolicyAppId')
$ruleInts = @('Protocol', 'Profiles')
$ruleBools = @('Enabled', 'EdgeTraversal')
$appProps = @('FilePath', 'ServiceName', 'PackageFamilyName', 'Fqbn')
function Get-Rules { @(Get-CimInstance -Namespace $fwNs -ClassName 'MDM_Firewall_FirewallRules02_01' -Filter ("ParentID='" + $parent + "'") -ErrorAction Stop | Where-Object { [string]$_.InstanceID -cmatch $idPattern }) }
function Get-Children($class) {
  $h = @{}
  foreach ($c in @(Get-CimInstance -Namespace $fwNs -ClassName $class -ErrorAction SilentlyContinue)) { $h[[string]$c.ParentID] = $c }
  $h
}
function Get-Legacy {
  $found = @(Get-NetFirewallRule -Group 'Attaché' -PolicyStore PersistentStore -ErrorAction SilentlyContinue -ErrorVariable getErrors)
  foreach ($e in $getErrors) { if ([string]$e.CategoryInfo.Category -ne 'ObjectNotFound') { throw $e } }
  @($found | Where-Object { [string]$_.Name -cmatch $idPattern })
}
`;

/**
 * Output: `{ rules: [{ InstanceID, <rule properties>, App: {…}|null, Action: { Type }|null }], active: [{ Name,
 * DisplayName, Enabled }], legacy: <count> }`: the agent's MDM rules with their children, the MDM-sourced rules of the
 * ActiveStore (in force), and how many leftovers the pre-MDM agent left (local-store rules, plus 1 for its hint key).
 */
export const FIREWALL_RULES_OBSERVE = psJoin(
  'firewall-rules-observe',
  LISTS,
  ps('firewall-rules-observe')`
$apps = Get-Children 'MDM_Firewall_App04'
$actions = Get-Children 'MDM_Firewall_Action04'
$out = New-Object System.Collections.ArrayList
foreach ($r in Get-Rules) {
  $id = [string]$r.InstanceID
  $node = $parent + '/' + $id
  $o = [ordered]@{ InstanceID = $id }
  foreach ($n in $ruleProps) { $o[$n] = $r.$n }
  $o['App'] = $null
  if ($apps.ContainsKey($node)) { $a = [ordered]@{}; foreach ($n in $appProps) { $a[$n] = $apps[$node].$n }; $o['App'] = $a }
  $o['Action'] = $null
  if ($actions.ContainsKey($node)) { $o['Action'] = @{ Type = $actions[$node].Type } }
  [void]$out.Add($o)
}
$active = @(Get-NetFirewallRule -PolicyStore ActiveStore -PolicyStoreSourceType MDM -ErrorAction SilentlyContinue | ForEach-Object {
  [ordered]@{ Name = [string]$_.Name; DisplayName = [string]$_.DisplayName; Enabled = [string]$_.Enabled }
})
$legacy = (Get-Legacy).Count
$hintKey = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SOFTWARE\Attache\FirewallRules')
if ($null -ne $hintKey) { $hintKey.Close(); $legacy++ }
@{ rules = @($out); active = $active; legacy = $legacy }
`,
);

/**
 * Input: `{ removeLegacy?: bool, remove?: [InstanceID], update?: [<rule>], create?: [<rule>] }`, a rule being
 * `{ InstanceID, Rule: {…}, App: {…}|null, Action: { Type }|null }`, run in that order (removeLegacy: the upgrade
 * clean-up of the pre-MDM agent's local-store rules and hint key). Only agent rule ids are touched; a rule is
 * created disabled, its App/Action children added, and only then enabled (never briefly in force with the default
 * allow action); a failed create is rolled back. A changed rule is updated in place (every rule node the item leaves
 * out cleared, children set, added or removed, enabling last); a failed update puts the old values back, so the old
 * rule stays in force.
 * Output: `{ results: [{ op, name, error }] }`, one per operation; a failed operation does not stop the others.
 */
export const FIREWALL_RULES_APPLY = psJoin(
  'firewall-rules-apply',
  LISTS,
  ps('firewall-rules-apply')`
function ConvertTo-Prop($name, $v) {
  if ($null -eq $v) { return $null }
  if ($ruleInts -ccontains $name) { if (-not ($v -is [int] -or $v -is [long])) { throw ($name + ' must be an integer') }; return [int32]$v }
  if ($ruleBools -ccontains $name) { if ($v -isnot [bool]) { throw ($name + ' must be true or false') }; return [bool]$v }
  if ($v -isnot [string]) { throw ($name + ' must be a string') }
  [string]$v
}
function Get-Props($data, $allowed) {
  $h = @{}
  if ($null -eq $data) { return $h }
  foreach ($p in $data.PSObject.Properties) {
    if ($allowed -cnotcontains $p.Name) { throw ('property not allowed: ' + $p.Name) }
    $v = ConvertTo-Prop $p.Name $p.Value
    if ($null -ne $v) { $h[$p.Name] = $v }
  }
  $h
}
function Remove-Rule($inst) {
  $node = $parent + '/' + [string]$inst.InstanceID
  foreach ($class in @('MDM_Firewall_App04', 'MDM_Firewall_Action04')) {
    Get-CimInstance -Namespace $fwNs -ClassName $class -Filter ("ParentID='" + $node + "'") -ErrorAction SilentlyContinue | Remove-CimInstance -ErrorAction Stop
  }
  Remove-CimInstance -CimInstance $inst -ErrorAction Stop
}
function Get-ActionProps($item) {
  $h = @{}
  if ($null -eq $item.Action) { return $h }
  $type = $item.Action.Type
  if (-not ($type -is [int] -and ($type -eq 0 -or $type -eq 1))) { throw 'Action.Type must be 0 or 1' }
  $h['Type'] = [int32]$type
  $h
}
function Get-Child($class, $node) { Get-CimInstance -Namespace $fwNs -ClassName $class -Filter ("ParentID='" + $node + "'") -ErrorAction Stop }
# The properties to write to turn $cur into $want: every value wanted, and $null only for a node that has a value now
# (clearing a node that is not set is not asked of the bridge).
function Get-Changes($cur, $want, $names) {
  $h = @{}
  foreach ($n in $names) { if ($null -ne $want[$n] -or $null -ne $cur.$n) { $h[$n] = $want[$n] } }
  $h
}
function Set-Child($class, $node, $childId, $props, $allowed) {
  $c = Get-Child $class $node
  if ($props.Count -eq 0) { if ($null -ne $c) { $c | Remove-CimInstance -ErrorAction Stop }; return }
  if ($null -eq $c) {
    $new = @{ InstanceID = $childId; ParentID = $node }
    foreach ($k in $props.Keys) { $new[$k] = $props[$k] }
    New-CimInstance -Namespace $fwNs -ClassName $class -Property $new -ErrorAction Stop | Out-Null
    return
  }
  $changes = Get-Changes $c $props $allowed
  if ($changes.Count -gt 0) { Set-CimInstance -CimInstance $c -Property $changes -ErrorAction Stop }
}
function Get-Snapshot($inst) {
  $node = $parent + '/' + [string]$inst.InstanceID
  $s = @{ Rule = @{}; App = @{}; Action = @{} }
  foreach ($n in $ruleProps) { $s.Rule[$n] = $inst.$n }
  $a = Get-Child 'MDM_Firewall_App04' $node
  if ($null -ne $a) { foreach ($n in $appProps) { if ($null -ne $a.$n) { $s.App[$n] = [string]$a.$n } } }
  $t = Get-Child 'MDM_Firewall_Action04' $node
  if ($null -ne $t) { $s.Action['Type'] = [int32]$t.Type }
  $s
}
# Brings an agent rule (id checked against $idPattern by the caller) to $rule/$app/$action, read fresh from the bridge.
function Set-RuleState($id, $rule, $app, $action) {
  $node = $parent + '/' + $id
  $cur = Get-CimInstance -Namespace $fwNs -ClassName 'MDM_Firewall_FirewallRules02_01' -Filter ("InstanceID='" + $id + "' and ParentID='" + $parent + "'") -ErrorAction Stop
  if ($null -eq $cur) { throw 'no such agent rule in the MDM store' }
  $want = @{}
  foreach ($k in $rule.Keys) { $want[$k] = $rule[$k] }
  $enable = $want['Enabled']
  if ($enable -eq $true) { $want['Enabled'] = [bool]($cur.Enabled -eq $true) }
  $changes = Get-Changes $cur $want $ruleProps
  if ($changes.Count -gt 0) { Set-CimInstance -CimInstance $cur -Property $changes -ErrorAction Stop }
  Set-Child 'MDM_Firewall_App04' $node 'App' $app $appProps
  Set-Child 'MDM_Firewall_Action04' $node 'Action' $action @('Type')
  if ($enable -eq $true -and $cur.Enabled -ne $true) { Set-CimInstance -CimInstance $cur -Property @{ Enabled = $true } -ErrorAction Stop }
}
$results = New-Object System.Collections.ArrayList
function Add-Result($op, $name, $err) { [void]$results.Add(@{ op = $op; name = $name; error = $err }) }
if ($in.removeLegacy -eq $true) {
  $err = $null
  try {
    Get-Legacy | Remove-NetFirewallRule -ErrorAction Stop
    [Microsoft.Win32.Registry]::LocalMachine.DeleteSubKeyTree('SOFTWARE\Attache\FirewallRules', $false)
  } catch { $err = $_.Exception.Message }
  Add-Result 'migrate' 'Attaché' $err
}
$ours = @{}
foreach ($r in Get-Rules) { $ours[[string]$r.InstanceID] = $r }
foreach ($item in $in.remove) {
  $id = [string]$item
  $err = $null
  try {
    if (-not $ours.ContainsKey($id)) { throw 'no such agent rule in the MDM store' }
    Remove-Rule $ours[$id]
    $ours.Remove($id)
  } catch { $err = $_.Exception.Message }
  Add-Result 'remove' $id $err
}
foreach ($item in $in.update) {
  $id = [string]$item.InstanceID
  $err = $null
  $old = $null
  try {
    if (-not $ours.ContainsKey($id)) { throw 'no such agent rule in the MDM store' }
    $rule = Get-Props $item.Rule $ruleProps
    $app = Get-Props $item.App $appProps
    $action = Get-ActionProps $item
    $old = Get-Snapshot $ours[$id]
    Set-RuleState $id $rule $app $action
  } catch {
    $err = $_.Exception.Message
    if ($null -ne $old) { try { Set-RuleState $id $old.Rule $old.App $old.Action } catch { $err = $err + ' (restoring the old rule failed: ' + $_.Exception.Message + ')' } }
  }
  Add-Result 'update' $id $err
}
foreach ($item in $in.create) {
  $id = [string]$item.InstanceID
  $err = $null
  $created = $null
  try {
    if ($id -cnotmatch $idPattern) { throw 'not an agent rule id' }
    if ($ours.ContainsKey($id)) { throw 'the rule already exists' }
    $node = $parent + '/' + $id
    $rule = Get-Props $item.Rule $ruleProps
    $enable = $rule['Enabled']
    if ($enable -eq $true) { $rule['Enabled'] = $false }
    $rule['InstanceID'] = $id; $rule['ParentID'] = $parent
    $created = New-CimInstance -Namespace $fwNs -ClassName 'MDM_Firewall_FirewallRules02_01' -Property $rule -ErrorAction Stop
    $app = Get-Props $item.App $appProps
    if ($app.Count -gt 0) { $app['InstanceID'] = 'App'; $app['ParentID'] = $node; New-CimInstance -Namespace $fwNs -ClassName 'MDM_Firewall_App04' -Property $app -ErrorAction Stop | Out-Null }
    $action = Get-ActionProps $item
    if ($action.Count -gt 0) { $action['InstanceID'] = 'Action'; $action['ParentID'] = $node; New-CimInstance -Namespace $fwNs -ClassName 'MDM_Firewall_Action04' -Property $action -ErrorAction Stop | Out-Null }
    if ($enable -eq $true) { $created.CimInstanceProperties['Enabled'].Value = $true; Set-CimInstance -CimInstance $created -ErrorAction Stop }
    $ours[$id] = $created
  } catch {
    $err = $_.Exception.Message
    if ($null -ne $created) { try { Remove-Rule $created } catch { $err = $err + ' (rollback failed: ' + $_.Exception.Message + ')' } }
  }
  Add-Result 'create' $id $err
}
@{ results = @($results) }
`,
);

/** Every firewall script (profiles and rules), for the emulator and the allow-list tests. */
export const FIREWALL_RULES_SCRIPTS = [FIREWALL_RULES_OBSERVE, FIREWALL_RULES_APPLY] as const;
