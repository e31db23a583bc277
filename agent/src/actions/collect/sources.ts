// What an investigation package holds on each OS: one source per entry (an OS command as argv, a constant PowerShell
// script, an agent state file, or a value the agent passes in), and the agent files it never holds. Data only: the
// gathering is in gather.ts, so these lists are what docs/actions.md and the tests check, word for word.
import type { Platform } from '../../../../policy-schemas/src/primitives.js';
import { MDATP_PATHS } from '../../providers/mdatp/cli.js';
import type { PowerShellScript } from '../../providers/windows/powershell.js';
import { WINDOWS_DEFENDER_SCRIPT, WINDOWS_EVENTS_SCRIPT, WINDOWS_FIREWALL_SCRIPT, WINDOWS_NETWORK_SCRIPT } from './windows-scripts.js';

/** Where an entry's bytes come from. `keep` says which end survives when it must be cut (logs keep their newest end). */
export type CollectSource =
  | { readonly kind: 'command'; readonly name: string; readonly file: string; readonly args: readonly string[]; readonly keep: 'head' | 'tail' }
  | { readonly kind: 'powershell'; readonly name: string; readonly script: PowerShellScript; readonly cmdlets: string; readonly keep: 'head' | 'tail' }
  | { readonly kind: 'stateFile'; readonly name: string; readonly file: string }
  | { readonly kind: 'value'; readonly name: string; readonly value: 'processes' | 'deviceFacts' | 'inventory' };

const cmd = (name: string, file: string, args: readonly string[], keep: 'head' | 'tail' = 'head'): CollectSource => ({
  kind: 'command',
  name,
  file,
  args,
  keep,
});
const psSource = (name: string, script: PowerShellScript, cmdlets: string, keep: 'head' | 'tail' = 'head'): CollectSource => ({
  kind: 'powershell',
  name,
  script,
  cmdlets,
  keep,
});

/**
 * The agent's own state files a package holds (status and last sync outcome, the policy cache and what was applied,
 * alerts, isolation intent, indicators). An allow-list: any other file of the state dir stays out.
 */
export const STATE_FILES: readonly string[] = [
  'status.json',
  'policies.json',
  'applied-versions.json',
  'policy-set.json',
  'baseline.json',
  'signals.json',
  'isolation.json',
  'indicators.json',
];

/** Files a package never holds, named in its manifest so a reader knows they were left out on purpose. */
export const EXCLUDED_FILES: readonly { readonly name: string; readonly reason: string }[] = [
  { name: 'device-key.pem', reason: 'the device private key' },
  { name: 'device-key.next.pem', reason: 'the device private key being rotated in' },
  { name: 'identity.json', reason: 'the device identity (enrollment secrets)' },
  { name: 'signing-keys.json', reason: 'the pinned policy-signing key chain' },
  { name: 'agent.json', reason: 'the agent configuration (may hold an onboarding token)' },
  { name: 'onboarding package', reason: 'onboarding tokens are never read' },
  { name: 'pf-token, pf-isolation-token', reason: "pf enable tokens (macOS): handles on the firewall's state" },
  { name: 'quarantine/', reason: 'quarantined files (possible malware); their metadata stays on the device' },
  { name: 'outbox/, signals-outbox/', reason: 'queued messages to the endpoint (already sent or about to be)' },
];

const COMMON: readonly CollectSource[] = [
  { kind: 'value', name: 'device/facts.json', value: 'deviceFacts' },
  { kind: 'value', name: 'device/inventory.json', value: 'inventory' },
  { kind: 'value', name: 'processes/processes.json', value: 'processes' },
];

/** The OS commands and scripts of a package on `platform`, in archive order. */
export function osSources(platform: Platform): readonly CollectSource[] {
  switch (platform) {
    case 'linux':
      return [
        cmd('network/ss-tunap.txt', 'ss', ['-tunap']),
        cmd('firewall/nft-ruleset.txt', 'nft', ['list', 'ruleset']),
        cmd('antivirus/mdatp-health.json', MDATP_PATHS.linux, ['health', '--output', 'json']),
        cmd('system/journal.txt', 'journalctl', ['-n', '2000', '--no-pager', '-o', 'short-iso'], 'tail'),
      ];
    case 'macos':
      return [
        cmd('network/netstat-anv.txt', '/usr/sbin/netstat', ['-anv']),
        cmd('firewall/pfctl-rules.txt', '/sbin/pfctl', ['-sr']),
        cmd('firewall/pfctl-info.txt', '/sbin/pfctl', ['-s', 'info']),
        cmd('firewall/socketfilterfw-state.txt', '/usr/libexec/ApplicationFirewall/socketfilterfw', ['--getglobalstate']),
        cmd('antivirus/mdatp-health.json', MDATP_PATHS.macos, ['health', '--output', 'json']),
        cmd('system/log-show.txt', '/usr/bin/log', ['show', '--last', '1h', '--style', 'syslog'], 'tail'),
      ];
    case 'windows':
      return [
        psSource('network/connections.json', WINDOWS_NETWORK_SCRIPT, 'Get-NetTCPConnection, Get-NetUDPEndpoint'),
        psSource('firewall/firewall.json', WINDOWS_FIREWALL_SCRIPT, 'Get-NetFirewallProfile, Get-NetFirewallRule (ActiveStore)'),
        psSource('antivirus/mp-computer-status.json', WINDOWS_DEFENDER_SCRIPT, 'Get-MpComputerStatus'),
        psSource('system/events.json', WINDOWS_EVENTS_SCRIPT, 'Get-WinEvent System, Application (last 500 each)', 'tail'),
      ];
  }
}

/** Every source of a package on `platform` except the agent logs (listed at collection time, newest first). */
export function investigationSources(platform: Platform): readonly CollectSource[] {
  const state = STATE_FILES.map((file): CollectSource => ({ kind: 'stateFile', name: `agent/${file}`, file }));
  return [...state, ...COMMON, ...osSources(platform)];
}
