// IP addresses, CIDR networks and port ranges: the one parser and formatter of the agent, used by indicator matching
// (core/ip-match.ts) and every firewall provider (nftables, pf, Windows rule comparison). Pure: no node:net.
//
// The rules, the same everywhere:
// - IPv4 is a dotted quad of decimal octets 0–255 without leading zeros: `010.1.1.1` is refused as ambiguous (BSD
//   inet_aton reads it as octal 8.1.1.1, others as decimal), as modern inet_pton and Go's net/netip refuse it.
// - IPv6 is RFC 4291 text: 1–4 hex digits a group (either case, leading zeros allowed), one `::` at most, and a dotted
//   quad (same octet rule) allowed as the last 32 bits (`64:ff9b::192.0.2.1`). No zone index, no brackets here.
// - An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, `::ffff:c000:201`) is IPv4 (how dual-stack sockets report IPv4
//   peers), so one value matches or renders the same however it was written; a mapped network needs a prefix ≥ 96
//   and becomes the IPv4 network of prefix − 96.
// - A prefix is decimal without leading zeros, at most the family's width; host bits of a network are cleared.
// - Formatting is canonical: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run of two or more as `::`).
// - A port list is `22,8000-8080`: decimal ports 0–65535 without leading zeros, ranges `start-end` with start ≤ end.

export type IpFamily = 4 | 6;

/** An address as a number of its family's width (32 or 128 bits). */
export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** A network: the address with its host bits cleared, and the prefix length. */
export interface IpNetwork {
  readonly family: IpFamily;
  readonly base: bigint;
  readonly prefix: number;
}

/** A closed interval [start, end] of addresses (or of anything numbered by bigints). */
export interface Interval {
  readonly start: bigint;
  readonly end: bigint;
}

/** A closed port range [start, end]; a single port has start === end. */
export interface PortRange {
  readonly start: number;
  readonly end: number;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const MAPPED = 0xffffn;

/** Bits in an address of the family. */
export function familyBits(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

function ipv4(text: string): bigint | string {
  const parts = text.split('.');
  if (parts.length !== 4) return 'an IPv4 address has four dotted parts';
  let value = 0n;
  for (const part of parts) {
    if (/^0[0-9]+$/.test(part)) return `the leading zero in "${part}" is ambiguous (octal or decimal)`;
    if (!DECIMAL.test(part) || part.length > 3 || Number(part) > 255) return `"${part}" is not an octet 0–255`;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function groups(text: string, last: boolean): bigint[] | string {
  if (text === '') return [];
  const out: bigint[] = [];
  const parts = text.split(':');
  for (const [i, part] of parts.entries()) {
    if (last && i === parts.length - 1 && part.includes('.')) {
      const v4 = ipv4(part);
      if (typeof v4 === 'string') return v4;
      out.push(v4 >> 16n, v4 & 0xffffn);
    } else if (HEX_GROUP.test(part)) out.push(BigInt(`0x${part}`));
    else return `"${part}" is not a group of 1–4 hex digits`;
  }
  return out;
}

function ipv6(text: string): bigint | string {
  const halves = text.split('::');
  if (halves.length > 2) return 'an IPv6 address has one "::" at most';
  const head = groups(halves[0] as string, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1] as string, true) : [];
  if (typeof head === 'string') return head;
  if (typeof tail === 'string') return tail;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return 'an IPv6 address has eight groups ("::" standing for at least one)';
  return [...head, ...Array<bigint>(missing).fill(0n), ...tail].reduce((acc, g) => (acc << 16n) | g, 0n);
}

function readAddress(text: string): IpAddress | string {
  if (!text.includes(':')) {
    const v4 = ipv4(text);
    return typeof v4 === 'string' ? v4 : { family: 4, value: v4 };
  }
  const v6 = ipv6(text);
  if (typeof v6 === 'string') return v6;
  return v6 >> 32n === MAPPED ? { family: 4, value: v6 & 0xffffffffn } : { family: 6, value: v6 };
}

/** Parses one IPv4 or IPv6 address (rules above); throws a RangeError saying what is wrong. */
export function parseIpAddress(text: string): IpAddress {
  const read = readAddress(text);
  if (typeof read === 'string') throw new RangeError(`"${text}" is not an IP address: ${read}`);
  return read;
}

/** As parseIpAddress, undefined instead of an error. */
export function tryParseIpAddress(text: string): IpAddress | undefined {
  const read = readAddress(text);
  return typeof read === 'string' ? undefined : read;
}

function hostMask(family: IpFamily, prefix: number): bigint {
  return (1n << BigInt(familyBits(family) - prefix)) - 1n;
}

/** The network of `address` with `prefix` bits (host bits cleared). */
export function networkOf(address: IpAddress, prefix: number): IpNetwork {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > familyBits(address.family))
    throw new RangeError(`prefix ${prefix} is outside 0–${familyBits(address.family)}`);
  return { family: address.family, base: address.value & ~hostMask(address.family, prefix), prefix };
}

function readNetwork(text: string, requirePrefix: boolean): IpNetwork | string {
  const parts = text.split('/');
  if (parts.length > 2) return 'more than one "/"';
  const [host, prefixText] = parts as [string, string | undefined];
  const address = readAddress(host);
  if (typeof address === 'string') return address;
  if (prefixText === undefined) return requirePrefix ? 'the prefix length is missing' : networkOf(address, familyBits(address.family));
  if (!DECIMAL.test(prefixText) || prefixText.length > 3) return `the prefix "${prefixText}" is not a decimal number without leading zeros`;
  let prefix = Number(prefixText);
  if (address.family === 4 && host.includes(':')) {
    if (prefix < 96) return 'an IPv4-mapped network needs a prefix of 96 or more';
    prefix -= 96;
  }
  if (prefix > familyBits(address.family)) return `the prefix is longer than ${familyBits(address.family)} bits`;
  return networkOf(address, prefix);
}

/** Parses `address/prefix`, or a bare address as a single-host network; throws a RangeError saying what is wrong. */
export function parseIpNetwork(text: string, options: { readonly requirePrefix?: boolean } = {}): IpNetwork {
  const read = readNetwork(text, options.requirePrefix === true);
  if (typeof read === 'string') throw new RangeError(`"${text}" is not an IP address or network: ${read}`);
  return read;
}

/** As parseIpNetwork, undefined instead of an error. */
export function tryParseIpNetwork(text: string, options: { readonly requirePrefix?: boolean } = {}): IpNetwork | undefined {
  const read = readNetwork(text, options.requirePrefix === true);
  return typeof read === 'string' ? undefined : read;
}

/** True when the address lies in the network (same family only). */
export function networkContains(network: IpNetwork, address: IpAddress): boolean {
  return network.family === address.family && (address.value & ~hostMask(network.family, network.prefix)) === network.base;
}

/** Dotted quad or RFC 5952 text. */
export function formatIpAddress(address: IpAddress): string {
  const { family, value } = address;
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => `${(value >> s) & 0xffn}`).join('.');
  const g = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => (value >> s) & 0xffffn);
  // RFC 5952 §4.2: the longest run (two or more) of zero groups becomes "::", the first one when runs tie.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0n) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best.len < 2) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/** Canonical text of a network: the address, with `/prefix` unless it is a single host. */
export function formatIpNetwork(network: IpNetwork): string {
  const text = formatIpAddress({ family: network.family, value: network.base });
  return network.prefix === familyBits(network.family) ? text : `${text}/${network.prefix}`;
}

/** The addresses of a network as an interval. */
export function networkInterval(network: IpNetwork): Interval {
  return { start: network.base, end: network.base | hostMask(network.family, network.prefix) };
}

/** The fewest networks covering exactly the interval of addresses, in order. */
export function intervalToNetworks(family: IpFamily, interval: Interval): IpNetwork[] {
  const bits = familyBits(family);
  const out: IpNetwork[] = [];
  for (let start = interval.start; start <= interval.end; ) {
    let size = 0;
    while (size < bits && (start & ((1n << BigInt(size + 1)) - 1n)) === 0n && start + (1n << BigInt(size + 1)) - 1n <= interval.end) size++;
    out.push({ family, base: start, prefix: bits - size });
    start += 1n << BigInt(size);
  }
  return out;
}

/** Sorted, with overlapping and adjacent intervals joined (as nft does to interval sets). */
export function mergeIntervals(items: readonly Interval[]): Interval[] {
  const sorted = [...items].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Interval[] = [];
  for (const item of sorted) {
    const last = out[out.length - 1];
    if (last && item.start <= last.end + 1n) out[out.length - 1] = { start: last.start, end: item.end > last.end ? item.end : last.end };
    else out.push(item);
  }
  return out;
}

/** Parses a port list (`22,8000-8080`); throws a RangeError naming the bad part. */
export function parsePortRanges(text: string): PortRange[] {
  return text.split(',').map((part) => {
    const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(part);
    if (!m) throw new RangeError(`"${part}" is not a port or port range`);
    const [start, end] = [m[1] as string, m[2] ?? (m[1] as string)].map((p) => {
      if (!DECIMAL.test(p)) throw new RangeError(`port "${p}" has a leading zero`);
      if (p.length > 5 || Number(p) > 65535) throw new RangeError(`port ${part} is outside 0-65535`);
      return Number(p);
    }) as [number, number];
    if (start > end) throw new RangeError(`port range ${part} ends before it starts`);
    return { start, end };
  });
}

/** Sorted, with overlapping and adjacent ranges joined: the same ports, written one way. */
export function mergePortRanges(ranges: readonly PortRange[]): PortRange[] {
  return mergeIntervals(ranges.map((r) => ({ start: BigInt(r.start), end: BigInt(r.end) }))).map((i) => ({ start: Number(i.start), end: Number(i.end) }));
}

/** One range in the policy's notation: `22` or `8000-8080`. */
export function formatPortRange(range: PortRange): string {
  return range.start === range.end ? `${range.start}` : `${range.start}-${range.end}`;
}

/** Ranges in the policy's notation (`22,8000-8080`). */
export function formatPortRanges(ranges: readonly PortRange[]): string {
  return ranges.map(formatPortRange).join(',');
}
