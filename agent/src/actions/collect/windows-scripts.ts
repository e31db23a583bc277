// The constant PowerShell scripts the Windows investigation package runs (no input: each reads the live state and
// answers JSON). Enumerations and dates are turned into strings here, as Windows PowerShell 5.1's ConvertTo-Json
// would otherwise write enum numbers and "\/Date(…)\/".
import { ps } from '../../providers/windows/powershell.js';

export const WINDOWS_NETWORK_SCRIPT = ps('collect-network')`
$tcp = @(Get-NetTCPConnection -ErrorAction SilentlyContinue | ForEach-Object {
  @{ localAddress = $_.LocalAddress; localPort = $_.LocalPort; remoteAddress = $_.RemoteAddress; remotePort = $_.RemotePort
     state = [string]$_.State; owningProcess = $_.OwningProcess; creationTime = if ($_.CreationTime) { $_.CreationTime.ToUniversalTime().ToString('o') } else { $null } }
})
$udp = @(Get-NetUDPEndpoint -ErrorAction SilentlyContinue | ForEach-Object {
  @{ localAddress = $_.LocalAddress; localPort = $_.LocalPort; owningProcess = $_.OwningProcess
     creationTime = if ($_.CreationTime) { $_.CreationTime.ToUniversalTime().ToString('o') } else { $null } }
})
@{ tcp = $tcp; udp = $udp }
`;

export const WINDOWS_FIREWALL_SCRIPT = ps('collect-firewall')`
$profiles = @(Get-NetFirewallProfile -PolicyStore ActiveStore | ForEach-Object {
  @{ name = $_.Name; enabled = [string]$_.Enabled; defaultInboundAction = [string]$_.DefaultInboundAction
     defaultOutboundAction = [string]$_.DefaultOutboundAction; logFileName = $_.LogFileName }
})
$rules = @(Get-NetFirewallRule -PolicyStore ActiveStore | ForEach-Object {
  @{ name = $_.Name; displayName = $_.DisplayName; group = $_.Group; enabled = [string]$_.Enabled
     direction = [string]$_.Direction; action = [string]$_.Action; profile = [string]$_.Profile; policyStoreSource = $_.PolicyStoreSource }
})
@{ profiles = $profiles; rules = $rules }
`;

export const WINDOWS_DEFENDER_SCRIPT = ps('collect-defender')`
$s = Get-MpComputerStatus
$out = @{}
foreach ($p in $s.PSObject.Properties) {
  if ($p.Name -like 'Cim*' -or $p.Name -eq 'PSComputerName') { continue }
  $v = $p.Value
  $out[$p.Name] = if ($v -is [datetime]) { $v.ToUniversalTime().ToString('o') } elseif ($v -is [enum]) { [string]$v } else { $v }
}
$out
`;

export const WINDOWS_EVENTS_SCRIPT = ps('collect-events')`
$events = @()
foreach ($log in @('System', 'Application')) {
  $events += @(Get-WinEvent -LogName $log -MaxEvents 500 -ErrorAction SilentlyContinue | ForEach-Object {
    @{ log = $log; timeCreated = $_.TimeCreated.ToUniversalTime().ToString('o'); id = $_.Id; level = $_.LevelDisplayName
       provider = $_.ProviderName; message = $_.Message }
  })
}
$events
`;
