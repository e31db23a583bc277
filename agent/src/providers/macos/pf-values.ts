// Ports and addresses of macOS pf rules, in pf's family names (`inet`, `inet6`) and port syntax: parsed from policy
// strings or from what `pfctl -s rules` prints, compared by value, and formatted back. Parsing and formatting are
// core/net-address.ts (one set of rules for every provider: no leading zeros, IPv4-mapped IPv6 is IPv4); the renderer
// writes only text made there, never a policy string, so nothing but digits, hex digits, dots, colons and slashes
// reaches pf from these fields.
import { formatIpNetwork, formatPortRanges, mergePortRanges, type PortRange, parseIpNetwork, parsePortRanges } from '../../core/net-address.js';

export type { PortRange };

export type Family = 'inet' | 'inet6';

/** An address network: the address with its host bits cleared, and the prefix length. */
export interface Network {
  readonly family: Family;
  readonly address: bigint;
  readonly prefix: number;
}

const FAMILY = { 4: 'inet', 6: 'inet6' } as const;
const NUMBER = { inet: 4, inet6: 6 } as const;

/** Parses a policy port list (`22,8000-8080`); throws with a message naming the bad part. */
export const parsePortList = parsePortRanges;
/** Sorted, with overlapping and adjacent ranges joined: the same ports, written one way. */
export const mergePorts = mergePortRanges;
/** Ranges in the policy's notation (`22,8000-8080`). */
export const policyPorts = formatPortRanges;

/**
 * A range as pf syntax. Always `start:end` (inclusive), even for one port: pfctl prints a `port = N` operand with
 * the service name from /etc/services (`port = ssh`), but a range with its numbers, so read-back stays numeric.
 */
export function pfPort(r: PortRange): string {
  return `${r.start}:${r.end}`;
}

export function portKey(r: PortRange): string {
  return `${r.start}-${r.end}`;
}

/** Parses `10.0.0.0/8`, `10.1.2.3`, `fd00::/8`; host bits are cleared, as pf matches on the network only. */
export function parseNetwork(text: string): Network {
  const n = parseIpNetwork(text);
  return { family: FAMILY[n.family], address: n.base, prefix: n.prefix };
}

/** Canonical text of a network: dotted quad or RFC 5952 IPv6, with the prefix unless it is a single host. */
export function formatNetwork(n: Network): string {
  return formatIpNetwork({ family: NUMBER[n.family], base: n.address, prefix: n.prefix });
}

/** True for 0.0.0.0/0 and ::/0, which pf prints as `any` (with the address family). */
export function isWholeFamily(n: Network): boolean {
  return n.prefix === 0;
}
