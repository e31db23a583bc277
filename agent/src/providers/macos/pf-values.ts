// Ports and addresses of macOS pf rules as numbers: parsed from policy strings or from what `pfctl -s rules` prints,
// compared by value, and formatted back. The renderer writes only text made here, never a policy string, so nothing
// but digits, hex digits, dots, colons and slashes reaches pf from these fields.

export type Family = 'inet' | 'inet6';

/** An address network: the address with its host bits cleared, and the prefix length. */
export interface Network {
  readonly family: Family;
  readonly address: bigint;
  readonly prefix: number;
}

/** A closed port range [start, end]; a single port has start === end. */
export interface PortRange {
  readonly start: number;
  readonly end: number;
}

const BITS: Record<Family, number> = { inet: 32, inet6: 128 };

/** Parses a policy port list (`22,8000-8080`); throws with a message naming the bad part. */
export function parsePortList(text: string): PortRange[] {
  return text.split(',').map((part) => {
    const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(part);
    if (!m) throw new Error(`"${part}" is not a port or port range`);
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    if (start > 65535 || end > 65535) throw new Error(`port ${part} is outside 0-65535`);
    if (start > end) throw new Error(`port range ${part} ends before it starts`);
    return { start, end };
  });
}

/** Sorted, with overlapping and adjacent ranges joined: the same ports, written one way. */
export function mergePorts(ranges: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1) out[out.length - 1] = { start: last.start, end: Math.max(last.end, r.end) };
    else out.push(r);
  }
  return out;
}

/**
 * A range as pf syntax. Always `start:end` (inclusive), even for one port: pfctl prints a `port = N` operand with
 * the service name from /etc/services (`port = ssh`), but a range with its numbers, so read-back stays numeric.
 */
export function pfPort(r: PortRange): string {
  return `${r.start}:${r.end}`;
}

/** Ranges in the policy's notation (`22,8000-8080`). */
export function policyPorts(ranges: readonly PortRange[]): string {
  return ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).join(',');
}

export function portKey(r: PortRange): string {
  return `${r.start}-${r.end}`;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  const parts = text.split(':');
  for (const [i, part] of parts.entries()) {
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (v4 === undefined) return undefined;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) groups.push(Number.parseInt(part, 16));
    else return undefined;
  }
  return groups;
}

/** An IPv6 address in any text form inet_ntop or a person writes (`::`, embedded IPv4), or undefined. */
function parseIPv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] as string);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<number>(missing).fill(0), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Parses `10.0.0.0/8`, `10.1.2.3`, `fd00::/8`; host bits are cleared, as pf matches on the network only. */
export function parseNetwork(text: string): Network {
  const m = /^([^/]+)(?:\/([0-9]{1,3}))?$/.exec(text);
  if (!m) throw new Error(`"${text}" is not an address or network`);
  const host = m[1] as string;
  const v4 = parseIPv4(host);
  const family: Family = v4 !== undefined ? 'inet' : 'inet6';
  const address = v4 ?? parseIPv6(host);
  if (address === undefined) throw new Error(`"${text}" is not an address or network`);
  const bits = BITS[family];
  const prefix = m[2] === undefined ? bits : Number(m[2]);
  if (prefix > bits) throw new Error(`"${text}" has a prefix longer than ${bits} bits`);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  return { family, address: address & ~hostMask, prefix };
}

function formatIPv6(address: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((address >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: the longest run (two or more) of zero groups becomes "::", the first one when runs tie.
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** Canonical text of a network: dotted quad or RFC 5952 IPv6, with the prefix unless it is a single host. */
export function formatNetwork(n: Network): string {
  const text = n.family === 'inet' ? [24n, 16n, 8n, 0n].map((shift) => Number((n.address >> shift) & 0xffn)).join('.') : formatIPv6(n.address);
  return n.prefix === BITS[n.family] ? text : `${text}/${n.prefix}`;
}

/** True for 0.0.0.0/0 and ::/0, which pf prints as `any` (with the address family). */
export function isWholeFamily(n: Network): boolean {
  return n.prefix === 0;
}
