// Pure part of the Windows isolation: the rules of group 'Attaché Isolation'. MS-FASP 2.2.34: block rules beat allow
// rules beat the profile default, so block rules (each naming the complement of what stays reachable) isolate, and an
// allow rule per endpoint (TCP to its addresses and port) keeps the agent's connection open under block-by-default.
import {
  familyBits,
  formatIpAddress,
  type Interval,
  type IpFamily,
  mergeIntervals,
  networkInterval,
  parseIpAddress,
  parseIpNetwork,
} from '../../core/net-address.js';
import type { IsolationEndpoint, SavedOsState } from './isolation.js';

export const ISOLATION_GROUP = 'Attaché Isolation';
/** The profiles and properties saved before isolation and restored exactly on release (Get/Set-NetFirewallProfile). */
export const PROFILES = ['Domain', 'Private', 'Public'] as const;
export const PROFILE_VALUES = {
  Enabled: ['True', 'False', 'NotConfigured'],
  DefaultInboundAction: ['Block', 'Allow', 'NotConfigured'],
  DefaultOutboundAction: ['Block', 'Allow', 'NotConfigured'],
} as const;

/**
 * Windows Firewall's documented defaults (firewall on, inbound Block, outbound Allow on every profile), restored on
 * release when the saved profile values are lost, so the device never stays block-by-default.
 */
export const WINDOWS_DEFAULT_PROFILES: SavedOsState = Object.fromEntries(
  PROFILES.flatMap((p) => [
    [`${p}.Enabled`, 'True'],
    [`${p}.DefaultInboundAction`, 'Block'],
    [`${p}.DefaultOutboundAction`, 'Allow'],
  ]),
);

export interface WindowsIsolationRule {
  readonly displayName: string;
  readonly direction: 'Inbound' | 'Outbound';
  readonly action: 'Block' | 'Allow';
  readonly protocol: 'Any' | 'TCP' | 'UDP';
  readonly remoteAddress: readonly string[];
  /** Remote TCP/UDP ports, as text; 'Any' for every port (the only value when protocol is 'Any'). */
  readonly remotePort: readonly string[];
}

const LOOPBACK = ['127.0.0.0/8', '::1'];
// IPv6 link-local unicast and link-local multicast: neighbour discovery runs there (ICMPv6). They stay open to ICMPv6
// only: TCP and UDP to them get their own block rules.
const LINK_LOCAL = ['fe80::/10', 'ff02::/16'];

/**
 * The six block rules of a full isolation (everything but loopback, link-local ICMPv6 and, outbound, the endpoints),
 * then one outbound TCP allow rule per endpoint port: the profiles' default outbound action is Block while isolated,
 * and without an allow rule the agent's own connection would fall to that default.
 */
export function renderWindowsIsolationRules(endpoints: readonly IsolationEndpoint[]): WindowsIsolationRule[] {
  const endpointAddresses = endpoints.flatMap((e) => e.addresses.map((a) => formatIpAddress(parseIpAddress(a))));
  if (endpointAddresses.length === 0) throw new RangeError('an isolation needs at least one endpoint address');
  const rule = (direction: WindowsIsolationRule['direction'], protocol: WindowsIsolationRule['protocol'], remoteAddress: string[], what: string) => ({
    displayName: `${ISOLATION_GROUP} - ${direction.toLowerCase()} ${what}`,
    direction,
    action: 'Block' as const,
    protocol,
    remoteAddress,
    remotePort: ['Any'],
  });
  const byPort = new Map<number, Set<string>>();
  for (const e of endpoints) {
    const set = byPort.get(e.port) ?? new Set<string>();
    for (const a of e.addresses) set.add(formatIpAddress(parseIpAddress(a)));
    byPort.set(e.port, set);
  }
  const allows = [...byPort].map(([port, addresses]) => ({
    displayName: `${ISOLATION_GROUP} - outbound allow management endpoint TCP ${port}`,
    direction: 'Outbound' as const,
    action: 'Allow' as const,
    protocol: 'TCP' as const,
    remoteAddress: [...addresses],
    remotePort: [String(port)],
  }));
  return [
    // Inbound: WFP is stateful, so replies on the agent's own connections pass; nothing may open a connection in.
    rule('Inbound', 'Any', complementRanges([...LOOPBACK, ...LINK_LOCAL]), 'all'),
    rule('Outbound', 'Any', complementRanges([...LOOPBACK, ...LINK_LOCAL, ...endpointAddresses]), 'all but the management endpoint'),
    ...(['Inbound', 'Outbound'] as const).flatMap((direction) =>
      (['TCP', 'UDP'] as const).map((protocol) => rule(direction, protocol, [...LINK_LOCAL], `link-local ${protocol}`)),
    ),
    ...allows,
  ];
}

/** Every address of both families outside `networks`, as Windows Firewall ranges (`a-b`, or `a` for one address). */
export function complementRanges(networks: readonly string[]): string[] {
  const out: string[] = [];
  for (const family of [4, 6] as const) {
    const taken = mergeIntervals(
      networks
        .map((n) => parseIpNetwork(n))
        .filter((n) => n.family === family)
        .map(networkInterval),
    );
    let next = 0n;
    const max = (1n << BigInt(familyBits(family))) - 1n;
    for (const gap of [...taken, { start: max + 1n, end: max + 1n }]) {
      if (gap.start > next) out.push(formatRange(family, { start: next, end: gap.start - 1n }));
      next = gap.end + 1n;
    }
  }
  return out;
}

function formatRange(family: IpFamily, interval: Interval): string {
  const [a, b] = [interval.start, interval.end].map((value) => formatIpAddress({ family, value }));
  return a === b ? (a as string) : `${a}-${b}`;
}

/** The profile values a snapshot printed, checked against the allow-list (they are sent back to PowerShell on release). */
export function savedProfiles(output: unknown): SavedOsState {
  if (typeof output !== 'object' || output === null || Array.isArray(output)) throw new Error('the profile snapshot is not an object');
  const saved: Record<string, string> = {};
  for (const profile of PROFILES)
    for (const [property, allowed] of Object.entries(PROFILE_VALUES)) {
      const key = `${profile}.${property}`;
      const value = (output as Record<string, unknown>)[key];
      if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
        throw new Error(`the profile snapshot has ${key} = ${JSON.stringify(value)}, not one of ${allowed.join(', ')}`);
      saved[key] = value;
    }
  return saved;
}
