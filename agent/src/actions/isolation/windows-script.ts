// The constant PowerShell script of the Windows isolation (NetSecurity module, PersistentStore: rules and profile
// values survive a reboot by themselves). Four operations chosen by `op` in the JSON on stdin; rule fields and profile
// values are checked in TypeScript first (windows-render.ts) and reach cmdlets only as typed parameter values.
import { ps } from '../../providers/windows/powershell.js';

/**
 * snapshot: each profile's Enabled/DefaultInboundAction/DefaultOutboundAction as `Domain.Enabled` → `True`.
 * apply: replaces every rule of the group with `rules` (block rules, then the endpoints' allow rules), then all profiles
 *   on, default block both ways.
 * remove: deletes the group's rules, then sets each saved profile value back exactly (NotConfigured included).
 * present: whether the group has rules.
 */
export const ISOLATION_SCRIPT = ps('isolation')`
$group = 'Attaché Isolation'
$store = 'PersistentStore'
$props = @('Enabled', 'DefaultInboundAction', 'DefaultOutboundAction')
function Get-IsolationRules { @(Get-NetFirewallRule -Group $group -PolicyStore $store -ErrorAction SilentlyContinue) }
switch ([string]$in.op) {
  'snapshot' {
    $saved = [ordered]@{}
    foreach ($p in Get-NetFirewallProfile -PolicyStore $store) {
      foreach ($n in $props) { $saved["$($p.Name).$n"] = [string]$p.$n }
    }
    $saved
  }
  'apply' {
    Get-IsolationRules | Remove-NetFirewallRule
    foreach ($r in $in.rules) {
      $rule = @{ PolicyStore = $store; Group = $group; DisplayName = [string]$r.displayName; Direction = [string]$r.direction; Action = [string]$r.action; Protocol = [string]$r.protocol; RemoteAddress = [string[]]$r.remoteAddress; Profile = 'Any'; Enabled = 'True' }
      if ([string]$r.protocol -ne 'Any') { $rule.RemotePort = [string[]]$r.remotePort }
      $null = New-NetFirewallRule @rule
    }
    Set-NetFirewallProfile -PolicyStore $store -Name Domain, Private, Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Block
    @{ rules = (Get-IsolationRules).Count }
  }
  'remove' {
    Get-IsolationRules | Remove-NetFirewallRule
    if ($null -ne $in.saved) {
      foreach ($p in @('Domain', 'Private', 'Public')) {
        $set = @{ Name = $p; PolicyStore = $store }
        foreach ($n in $props) { $v = $in.saved."$p.$n"; if ($null -ne $v) { $set[$n] = [string]$v } }
        Set-NetFirewallProfile @set
      }
    }
    @{ rules = (Get-IsolationRules).Count }
  }
  'present' { @{ rules = (Get-IsolationRules).Count } }
  default { throw "unknown isolation operation $($in.op)" }
}
`;
