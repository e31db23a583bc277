// IP addresses and networks of connections and indicators, as the OS and the indicator list write them: the parsing
// itself is core/net-address.ts (its rules: no leading zeros, IPv4-mapped IPv6 counts as IPv4); here the OS's peer
// text is unwrapped first (surrounding blanks, `[…]` brackets, a zone index fe80::1%eth0), so one indicator matches
// however the OS prints the peer.
import { type IpAddress, type IpNetwork, networkContains, tryParseIpAddress, tryParseIpNetwork } from './net-address.js';

export type { IpAddress, IpNetwork };
export { networkContains };

/** Parses an IPv4 or IPv6 address as an OS prints a peer; undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const trimmed = text.trim().replace(/^\[|\]$/g, '');
  const bare = trimmed.includes('%') ? trimmed.slice(0, trimmed.indexOf('%')) : trimmed;
  return tryParseIpAddress(bare);
}

/** Parses `address/prefix` (the prefix is required); undefined when malformed or out of range for the family. */
export function parseCidr(text: string): IpNetwork | undefined {
  return tryParseIpNetwork(text, { requirePrefix: true });
}

/** True when both texts are the same address (any notation). */
export function sameIp(a: string, b: string): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  return x !== undefined && y !== undefined && x.family === y.family && x.value === y.value;
}
