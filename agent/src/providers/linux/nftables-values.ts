// Ports and addresses of Linux firewall rules as numeric intervals: parsed from policy strings, merged the way nft
// merges the elements of an anonymous set, and formatted back. The renderer emits only text produced here, never a
// policy string, so nothing but digits, dots, colons and slashes reaches nft from these fields.

/** A closed interval [start, end] of ports or addresses. */
export interface Interval {
  readonly start: bigint;
  readonly end: bigint;
}

export type Family = 'ip' | 'ip6';

const PORT_MAX = 65535n;
const BITS: Record<Family, number> = { ip: 32, ip6: 128 };

/** Parses `22,8000-8080` into intervals; throws with a message naming the bad part. */
export function parsePorts(text: string): Interval[] {
  return text.split(',').map((part) => {
    const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(part);
    if (!m) throw new Error(`"${part}" is not a port or port range`);
    const start = BigInt(m[1] as string);
    const end = m[2] === undefined ? start : BigInt(m[2]);
    if (start > PORT_MAX || end > PORT_MAX) throw new Error(`port ${part} is outside 0-65535`);
    if (start > end) throw new Error(`port range ${part} ends before it starts`);
    return { start, end };
  });
}

/** Sorted, with overlapping and adjacent intervals joined (nft does the same to interval sets). */
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

/** `22`, `8000-8080`: one element of an nft set or a policy port list. */
export function formatPortInterval(i: Interval): string {
  return i.start === i.end ? `${i.start}` : `${i.start}-${i.end}`;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    value = (value << 8n) | BigInt(p);
  }
  return value;
}

function parseGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const groups = text.split(':');
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => BigInt(`0x${g}`));
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] as string);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<bigint>(halves.length === 2 ? missing : 0).fill(0n), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** A single IPv4 or IPv6 address as a number and its family, or undefined when the text is not one. */
export function parseAddress(text: string): { family: Family; value: bigint } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 'ip', value: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : undefined;
  return v6 === undefined ? undefined : { family: 'ip6', value: v6 };
}

/** An address or CIDR network (`10.0.0.0/8`, `2001:db8::/32`, bare = one host) as its family and interval. */
export function parseNetwork(text: string): { family: Family; interval: Interval } {
  const [addr, prefix, ...rest] = text.split('/');
  const parsed = rest.length === 0 && addr !== undefined ? parseAddress(addr) : undefined;
  if (!parsed) throw new Error(`"${text}" is not an IPv4/IPv6 address or network`);
  const bits = BITS[parsed.family];
  if (prefix !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(prefix)) throw new Error(`"${text}" has a bad prefix length`);
  const len = prefix === undefined ? bits : Number(prefix);
  if (len > bits) throw new Error(`"${text}" has a prefix longer than ${bits} bits`);
  return { family: parsed.family, interval: prefixInterval(parsed.value, len, bits) };
}

function prefixInterval(value: bigint, len: number, bits: number): Interval {
  const hostBits = BigInt(bits - len);
  const start = (value >> hostBits) << hostBits; // host bits cleared, as nft stores the network
  return { start, end: start + (1n << hostBits) - 1n };
}

/** Dotted quad or RFC 5952 text (lower case, longest zero run as `::`). */
export function formatAddress(family: Family, value: bigint): string {
  if (family === 'ip') return [24n, 16n, 8n, 0n].map((s) => `${(value >> s) & 0xffn}`).join('.');
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => (value >> s) & 0xffffn);
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0n) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.len < 2) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/** The fewest CIDR networks covering exactly the interval (bare address for a single host). */
export function intervalToCidrs(family: Family, interval: Interval): string[] {
  const bits = BITS[family];
  const out: string[] = [];
  let start = interval.start;
  while (start <= interval.end) {
    let size = 0;
    while (size < bits && (start & ((1n << BigInt(size + 1)) - 1n)) === 0n && start + (1n << BigInt(size + 1)) - 1n <= interval.end) size++;
    const text = formatAddress(family, start);
    out.push(size === 0 ? text : `${text}/${bits - size}`);
    start += 1n << BigInt(size);
  }
  return out;
}
