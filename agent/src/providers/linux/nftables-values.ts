// Ports and addresses of Linux firewall rules as numeric intervals, in nft's family names (`ip`, `ip6`). Parsing,
// merging and formatting are core/net-address.ts (one set of rules for every provider: no leading zeros, IPv4-mapped
// IPv6 is IPv4); the renderer emits only text produced there, never a policy string, so nothing but digits, dots,
// colons and slashes reaches nft from these fields.
import {
  formatIpAddress,
  formatIpNetwork,
  formatPortRange,
  type Interval,
  intervalToNetworks,
  mergeIntervals,
  networkInterval,
  parseIpNetwork,
  parsePortRanges,
  tryParseIpAddress,
} from '../../core/net-address.js';

export type { Interval };
export { mergeIntervals };

export type Family = 'ip' | 'ip6';

const FAMILY = { 4: 'ip', 6: 'ip6' } as const;
const NUMBER = { ip: 4, ip6: 6 } as const;

/** Parses `22,8000-8080` into intervals; throws with a message naming the bad part. */
export function parsePorts(text: string): Interval[] {
  return parsePortRanges(text).map((r) => ({ start: BigInt(r.start), end: BigInt(r.end) }));
}

/** `22`, `8000-8080`: one element of an nft set or a policy port list. */
export function formatPortInterval(i: Interval): string {
  return formatPortRange({ start: Number(i.start), end: Number(i.end) });
}

/** A single IPv4 or IPv6 address as a number and its family, or undefined when the text is not one. */
export function parseAddress(text: string): { family: Family; value: bigint } | undefined {
  const address = tryParseIpAddress(text);
  return address && { family: FAMILY[address.family], value: address.value };
}

/** An address or CIDR network (`10.0.0.0/8`, `2001:db8::/32`, bare = one host) as its family and interval. */
export function parseNetwork(text: string): { family: Family; interval: Interval } {
  const network = parseIpNetwork(text);
  return { family: FAMILY[network.family], interval: networkInterval(network) };
}

/** Dotted quad or RFC 5952 text. */
export function formatAddress(family: Family, value: bigint): string {
  return formatIpAddress({ family: NUMBER[family], value });
}

/** The fewest CIDR networks covering exactly the interval (bare address for a single host). */
export function intervalToCidrs(family: Family, interval: Interval): string[] {
  return intervalToNetworks(NUMBER[family], interval).map(formatIpNetwork);
}
