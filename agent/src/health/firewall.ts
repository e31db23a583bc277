// Host firewall health in the wire shape (DeviceHealth.firewall): Windows profiles (Get-NetFirewallProfile, parsed by
// providers/windows/firewall-health.ts), the macOS application firewall's global state (socketfilterfw), and on
// Linux the nftables base chains on the input hook (`nft -j list chains`). Pure mappings and parsers.
import type { FirewallHealth } from '../../../policy-schemas/src/index.js';
import type { GlobalState } from '../providers/macos/socketfilterfw-parse.js';
import type { FirewallProfileHealth } from '../providers/windows/firewall-health.js';
import { parseToolJson } from '../system/command-runner.js';

function detail(text: string): string {
  return text.length > 1024 ? `${text.slice(0, 1023)}…` : text;
}

export function unknownFirewall(source: FirewallHealth['source'], why: string): FirewallHealth {
  return { source, enabled: null, detail: detail(why) };
}

/** Windows: on only when every profile is on (a laptop on a public network uses the Public profile). */
export function firewallFromWindowsProfiles(profiles: readonly FirewallProfileHealth[]): FirewallHealth {
  const byName: Record<string, boolean | null> = {};
  for (const p of profiles) byName[p.profile] = p.enabled ?? null;
  const states = Object.values(byName);
  const enabled = states.length === 0 ? null : states.includes(false) ? false : states.every((s) => s === true) ? true : null;
  return { source: 'windowsFirewall', enabled, profiles: byName, ...(states.length === 0 ? { detail: 'Get-NetFirewallProfile listed no profile' } : {}) };
}

/** macOS application firewall: on in state 1 (on) and 2 (essential services only). */
export function firewallFromSocketFilter(state: GlobalState): FirewallHealth {
  return { source: 'socketfilterfw', enabled: state.enabled };
}

/** One nftables base chain, as `nft -j list chains` prints it. */
export interface NftBaseChain {
  readonly family: string;
  readonly table: string;
  readonly name: string;
  readonly hook: string;
  readonly policy: string;
}

/** Base chains in the output of `nft -j list chains` (regular chains, without a hook, are skipped). */
export function parseNftChains(text: string): NftBaseChain[] {
  const doc = parseToolJson('nft -j', text) as { nftables?: unknown } | null;
  if (!Array.isArray(doc?.nftables)) throw new Error('nft -j output has no "nftables" array');
  const out: NftBaseChain[] = [];
  for (const item of doc.nftables) {
    const c = (item as { chain?: Record<string, unknown> } | null)?.chain;
    if (!c || typeof c.hook !== 'string') continue;
    out.push({
      family: String(c.family),
      table: String(c.table),
      name: String(c.name),
      hook: c.hook,
      policy: typeof c.policy === 'string' ? c.policy : 'accept',
    });
  }
  return out;
}

/** The agent's own table (providers/linux/nftables-render.ts). */
const OWN_TABLE = { family: 'inet', table: 'attache' };

/**
 * Linux: the agent's table decides when present (its input chain dropping by default = on). Without it, another
 * table's input chain dropping by default counts as on; input chains that accept by default are filtered by rules
 * we do not evaluate (firewalld ends with a reject rule), so that is unknown; no input chain at all is off.
 */
export function firewallFromNftChains(chains: readonly NftBaseChain[]): FirewallHealth {
  const input = chains.filter((c) => c.hook === 'input');
  const own = input.find((c) => c.family === OWN_TABLE.family && c.table === OWN_TABLE.table);
  if (own) return { source: 'nftables', enabled: own.policy === 'drop', detail: `table inet attache, input policy ${own.policy}` };
  const dropping = input.filter((c) => c.policy === 'drop');
  const names = (list: readonly NftBaseChain[]) => [...new Set(list.map((c) => `${c.family} ${c.table}`))].join(', ');
  if (dropping.length > 0) return { source: 'nftables', enabled: true, detail: `input dropped by default in ${names(dropping)}` };
  if (input.length > 0) return unknownFirewall('nftables', `input chains in ${names(input)} accept by default; their rules are not evaluated`);
  return { source: 'nftables', enabled: false, detail: 'no nftables chain filters input' };
}
