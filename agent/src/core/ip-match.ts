// IP addresses and networks as numbers, for matching connections against ipAddress and cidr indicators. Pure: no
// node:net. IPv4-mapped IPv6 addresses (::ffff:192.0.2.1, how dual-stack sockets report IPv4 peers) count as IPv4,
// and a zone index (fe80::1%eth0) is ignored, so one indicator matches however the OS prints the peer.

/** An address as a number of its family's width (32 or 128 bits). */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/** A network: the address with the host bits cleared, and the prefix length. */
export interface IpNetwork {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly prefix: number;
}

const MAPPED_PREFIX = 0xffffn << 32n;

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function groups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const out: bigint[] = [];
  const parts = text.split(':');
  for (const [i, part] of parts.entries()) {
    // The last group may be a dotted IPv4 address (::ffff:192.0.2.1): two groups.
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseV4(part);
      if (v4 === undefined) return undefined;
      out.push(v4 >> 16n, v4 & 0xffffn);
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
    out.push(BigInt(Number.parseInt(part, 16)));
  }
  return out;
}

function parseV6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<bigint>(Math.max(0, missing)).fill(0n), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses an IPv4 or IPv6 address; undefined when it is not one. IPv4-mapped IPv6 becomes IPv4. */
export function parseIp(text: string): IpAddress | undefined {
  const trimmed = text.trim().replace(/^\[|\]$/g, '');
  const bare = trimmed.includes('%') ? trimmed.slice(0, trimmed.indexOf('%')) : trimmed;
  if (!bare.includes(':')) {
    const v4 = parseV4(bare);
    return v4 === undefined ? undefined : { family: 4, value: v4 };
  }
  const v6 = parseV6(bare);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === MAPPED_PREFIX >> 32n) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

function width(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function mask(family: 4 | 6, prefix: number): bigint {
  const bits = BigInt(width(family));
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/** Parses `address/prefix`; undefined when malformed or the prefix is out of range for the family. */
export function parseCidr(text: string): IpNetwork | undefined {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return undefined;
  const address = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!address || !/^[0-9]{1,3}$/.test(prefixText)) return undefined;
  const family = address.family;
  let prefix = Number(prefixText);
  // ::ffff:0:0/96 and longer written in IPv6 notation describe IPv4 space: keep them IPv4.
  if (family === 4 && text.slice(0, slash).includes(':')) {
    if (prefix < 96) return undefined;
    prefix -= 96;
  }
  if (prefix > width(family)) return undefined;
  return { family, base: address.value & mask(family, prefix), prefix };
}

/** True when the address lies in the network (same family only). */
export function networkContains(network: IpNetwork, address: IpAddress): boolean {
  return network.family === address.family && (address.value & mask(network.family, network.prefix)) === network.base;
}

/** True when both texts are the same address (any notation). */
export function sameIp(a: string, b: string): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  return x !== undefined && y !== undefined && x.family === y.family && x.value === y.value;
}
