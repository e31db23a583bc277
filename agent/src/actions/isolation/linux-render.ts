// Pure renderer of the Linux isolation: the complete text of an `nft -f` file that replaces the agent's own table
// `inet attache_isolation` in one transaction. Every other table (the firewall policy's `inet attache` included) is left
// alone; nftables runs every base chain of a hook, and a drop in any of them is final, so this table isolates whatever
// the others accept. Addresses reach the text only re-formatted from parsed numbers (core/net-address.ts).
import { formatIpAddress, parseIpAddress } from '../../core/net-address.js';
import type { IsolationEndpoint } from './isolation.js';

export const ISOLATION_TABLE_FAMILY = 'inet';
export const ISOLATION_TABLE = 'attache_isolation';

const HEADER = '# Attaché device isolation: replaces table inet attache_isolation only, atomically (one nft -f transaction).';
// Creating the table first makes the delete succeed on a host that never had it; both are in the same transaction.
const REPLACE = [`table ${ISOLATION_TABLE_FAMILY} ${ISOLATION_TABLE} {}`, `delete table ${ISOLATION_TABLE_FAMILY} ${ISOLATION_TABLE}`];
// IPv6 neighbour discovery and router discovery: without them no IPv6 address (the endpoint's included) is reachable.
// They are link-local ICMPv6 control messages, not a data path to a peer.
const ND_TYPES = '{ nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert }';

/** The nft file that removes the isolation table (and nothing else); valid whether or not the table exists. */
export function renderIsolationRemoval(): string {
  return `${[HEADER, ...REPLACE].join('\n')}\n`;
}

/**
 * The nft file of a full isolation: in, out and forward drop everything except loopback, new and established TCP to
 * each endpoint address and port, established/related traffic from the endpoint addresses, and IPv6 neighbour
 * discovery. DNS is not allowed (docs/actions.md: it would be an open channel for every process).
 */
export function renderIsolationTable(endpoints: readonly IsolationEndpoint[]): string {
  const pairs = { ip: new Set<string>(), ip6: new Set<string>() };
  const hosts = { ip: new Set<string>(), ip6: new Set<string>() };
  for (const endpoint of endpoints) {
    if (!Number.isInteger(endpoint.port) || endpoint.port < 1 || endpoint.port > 65535) throw new RangeError(`bad endpoint port ${endpoint.port}`);
    for (const text of endpoint.addresses) {
      const address = parseIpAddress(text);
      const family = address.family === 4 ? 'ip' : 'ip6';
      hosts[family].add(formatIpAddress(address));
      pairs[family].add(`${formatIpAddress(address)} . ${endpoint.port}`);
    }
  }
  if (hosts.ip.size + hosts.ip6.size === 0) throw new RangeError('an isolation needs at least one endpoint address');
  const set = (name: string, type: string, elements: Set<string>): string[] => [
    `\tset ${name} {`,
    `\t\ttype ${type}`,
    ...(elements.size > 0 ? [`\t\telements = { ${[...elements].sort().join(', ')} }`] : []),
    '\t}',
  ];
  const chain = (name: string, rules: readonly string[]): string[] => [
    `\tchain ${name} {`,
    `\t\ttype filter hook ${name} priority filter; policy drop;`,
    ...rules.map((r) => `\t\t${r}`),
    '\t}',
  ];
  return `${[
    HEADER,
    ...REPLACE,
    `table ${ISOLATION_TABLE_FAMILY} ${ISOLATION_TABLE} {`,
    ...set('endpoints4', 'ipv4_addr . inet_service', pairs.ip),
    ...set('endpoints6', 'ipv6_addr . inet_service', pairs.ip6),
    ...set('endpoint_hosts4', 'ipv4_addr', hosts.ip),
    ...set('endpoint_hosts6', 'ipv6_addr', hosts.ip6),
    ...chain('input', [
      'iif "lo" accept',
      'ct state established,related ip saddr @endpoint_hosts4 accept',
      'ct state established,related ip6 saddr @endpoint_hosts6 accept',
      `icmpv6 type ${ND_TYPES} accept`,
    ]),
    ...chain('output', [
      'oif "lo" accept',
      'ip daddr . tcp dport @endpoints4 accept',
      'ip6 daddr . tcp dport @endpoints6 accept',
      'ct state established,related ip daddr @endpoint_hosts4 accept',
      'ct state established,related ip6 daddr @endpoint_hosts6 accept',
      `icmpv6 type ${ND_TYPES} accept`,
    ]),
    // A device that routes (containers, VMs, a bridge) forwards nothing while isolated.
    ...chain('forward', []),
    '}',
  ].join('\n')}\n`;
}
