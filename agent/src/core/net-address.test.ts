// The one IP/CIDR and port parser: the written rules (leading zeros, embedded and mapped IPv4), canonical formatting,
// and properties (parse∘format round-trip, CIDR containment, the fewest-networks cover) with fast-check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatIpAddress,
  formatIpNetwork,
  formatPortRanges,
  intervalToNetworks,
  mergeIntervals,
  mergePortRanges,
  networkContains,
  networkInterval,
  networkOf,
  parseIpAddress,
  parseIpNetwork,
  parsePortRanges,
  tryParseIpAddress,
  tryParseIpNetwork,
} from './net-address.js';

const MAX6 = (1n << 128n) - 1n;
const v4 = fc.bigInt({ min: 0n, max: 0xffffffffn }).map((value) => ({ family: 4 as const, value }));
// Any IPv6 value outside ::ffff:0:0/96 (those are IPv4 by the rules).
const v6 = fc
  .bigInt({ min: 0n, max: MAX6 })
  .filter((v) => v >> 32n !== 0xffffn)
  .map((value) => ({ family: 6 as const, value }));

describe('addresses', () => {
  it('parses IPv4 and IPv6 text in its usual forms', () => {
    expect(parseIpAddress('192.0.2.1')).toEqual({ family: 4, value: 0xc0000201n });
    expect(parseIpAddress('0.0.0.0')).toEqual({ family: 4, value: 0n });
    expect(parseIpAddress('::')).toEqual({ family: 6, value: 0n });
    expect(parseIpAddress('::1')).toEqual({ family: 6, value: 1n });
    expect(parseIpAddress('2001:0DB8::0001')).toEqual({ family: 6, value: (0x20010db8n << 96n) | 1n });
    expect(parseIpAddress('1:2:3:4:5:6:7::')).toEqual(parseIpAddress('1:2:3:4:5:6:7:0'));
  });

  it('refuses leading zeros in IPv4 octets, as inet_pton and net/netip do, and says why', () => {
    for (const bad of ['010.1.1.1', '10.01.1.1', '1.1.1.00', '::ffff:010.0.0.1']) expect(tryParseIpAddress(bad)).toBeUndefined();
    expect(() => parseIpAddress('010.1.1.1')).toThrow(/leading zero in "010" is ambiguous/);
  });

  it('accepts embedded IPv4 as the last 32 bits, and makes IPv4-mapped IPv6 IPv4', () => {
    expect(parseIpAddress('::ffff:192.0.2.1')).toEqual({ family: 4, value: 0xc0000201n });
    expect(parseIpAddress('::FFFF:c000:201')).toEqual({ family: 4, value: 0xc0000201n });
    expect(formatIpAddress(parseIpAddress('::ffff:192.0.2.1'))).toBe('192.0.2.1');
    expect(parseIpAddress('64:ff9b::192.0.2.1')).toEqual({ family: 6, value: (0x64ff9bn << 96n) | 0xc0000201n });
    expect(formatIpAddress(parseIpAddress('64:ff9b::192.0.2.1'))).toBe('64:ff9b::c000:201');
    for (const bad of ['1.2.3.4::', '::1.2.3.4:1', '1:2:3:4:5:6:7:1.2.3.4']) expect(tryParseIpAddress(bad)).toBeUndefined();
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.1',
    '1.2.3.-1',
    '+1.2.3.4',
    '1::2::3',
    ':::',
    'fe80:::1',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    'g::1',
    '12345::',
    ' 1.2.3.4',
    '[::1]',
    'fe80::1%eth0',
    '0x1.2.3.4',
  ])('refuses %j', (text) => {
    expect(tryParseIpAddress(text)).toBeUndefined();
    expect(() => parseIpAddress(text)).toThrow(RangeError);
  });

  it('formats IPv6 as RFC 5952: lower case, the first longest zero run of two or more as "::"', () => {
    const f = (t: string) => formatIpAddress(parseIpAddress(t));
    expect(f('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(f('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(f('2001:db8:1:1:1:1:0:1')).toBe('2001:db8:1:1:1:1:0:1');
    expect(f('1:0:0:2:0:0:0:3')).toBe('1:0:0:2::3');
    expect(f('1:0:0:2:3:0:0:4')).toBe('1::2:3:0:0:4');
  });

  it('round-trips: format then parse gives the same address, for either family', () => {
    fc.assert(
      fc.property(fc.oneof(v4, v6), (address) => {
        expect(parseIpAddress(formatIpAddress(address))).toEqual(address);
      }),
    );
  });
});

describe('networks', () => {
  it('parses address/prefix (bare = one host), clears host bits, and maps ::ffff:0:0/96 and longer to IPv4', () => {
    expect(parseIpNetwork('10.1.2.3/8')).toEqual({ family: 4, base: 0x0a000000n, prefix: 8 });
    expect(parseIpNetwork('10.1.2.3')).toEqual({ family: 4, base: 0x0a010203n, prefix: 32 });
    expect(parseIpNetwork('::/0')).toEqual({ family: 6, base: 0n, prefix: 0 });
    expect(parseIpNetwork('::ffff:10.0.0.0/104')).toEqual({ family: 4, base: 0x0a000000n, prefix: 8 });
    expect(formatIpNetwork(parseIpNetwork('2001:db8:0:1::5/64'))).toBe('2001:db8:0:1::/64');
    expect(formatIpNetwork(parseIpNetwork('10.1.2.3/32'))).toBe('10.1.2.3');
    expect(tryParseIpNetwork('10.0.0.0', { requirePrefix: true })).toBeUndefined();
  });

  it.each([
    ['10.0.0.0/33', /longer than 32 bits/],
    ['::/129', /longer than 128 bits/],
    ['10.0.0.0/08', /leading zeros/],
    ['10.0.0.0/', /prefix ""/],
    ['10.0.0.0/8/8', /more than one/],
    ['::ffff:10.0.0.0/64', /mapped network needs a prefix of 96/],
    ['010.0.0.0/8', /leading zero/],
  ])('refuses %j', (text, reason) => {
    expect(() => parseIpNetwork(text)).toThrow(reason);
  });

  it('contains exactly the addresses that share its prefix bits, and never one of the other family', () => {
    fc.assert(
      fc.property(fc.oneof(v4, v6), fc.integer({ min: 0, max: 128 }), fc.oneof(v4, v6), (address, p, other) => {
        const network = networkOf(address, Math.min(p, address.family === 4 ? 32 : 128));
        expect(networkContains(network, address)).toBe(true);
        const { start, end } = networkInterval(network);
        const inside = other.family === network.family && other.value >= start && other.value <= end;
        expect(networkContains(network, other)).toBe(inside);
        expect(parseIpNetwork(formatIpNetwork(network))).toEqual(network);
      }),
    );
  });

  it('covers an interval with the fewest networks, which parse back to exactly the interval', () => {
    expect(intervalToNetworks(4, { start: 0x0a000000n, end: 0x0a00017fn }).map(formatIpNetwork)).toEqual(['10.0.0.0/24', '10.0.1.0/25']);
    expect(intervalToNetworks(4, { start: 0n, end: 0xffffffffn }).map(formatIpNetwork)).toEqual(['0.0.0.0/0']);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0xffffffffn }), fc.bigInt({ min: 0n, max: 0xffffffffn }), (a, b) => {
        const interval = a <= b ? { start: a, end: b } : { start: b, end: a };
        const parts = intervalToNetworks(4, interval);
        expect(mergeIntervals(parts.map((n) => networkInterval(parseIpNetwork(formatIpNetwork(n)))))).toEqual([interval]);
        expect(parts.length).toBeLessThanOrEqual(62);
      }),
    );
  });
});

describe('ports', () => {
  it('parses ports and ranges, merges overlapping and adjacent ones, and formats them back', () => {
    expect(parsePortRanges('22,8000-8080')).toEqual([
      { start: 22, end: 22 },
      { start: 8000, end: 8080 },
    ]);
    expect(formatPortRanges(mergePortRanges(parsePortRanges('445,137-139,138,140')))).toBe('137-140,445');
    expect(formatPortRanges(parsePortRanges('0,65535'))).toBe('0,65535');
  });

  it.each([
    ['', /not a port/],
    ['65536', /outside 0-65535/],
    ['99999999999', /outside/],
    ['30-20', /ends before it starts/],
    ['022', /leading zero/],
    ['22;reboot', /not a port/],
    ['22,', /not a port/],
    [' 22', /not a port/],
    ['1-2-3', /not a port/],
  ])('refuses %j', (text, reason) => {
    expect(() => parsePortRanges(text)).toThrow(reason);
  });

  it('round-trips merged lists through their text', () => {
    const range = fc
      .tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }))
      .map(([a, b]) => ({ start: Math.min(a, b), end: Math.max(a, b) }));
    fc.assert(
      fc.property(fc.array(range, { minLength: 1, maxLength: 8 }), (ranges) => {
        const merged = mergePortRanges(ranges);
        expect(parsePortRanges(formatPortRanges(merged))).toEqual(merged);
        expect(mergePortRanges(merged)).toEqual(merged);
      }),
    );
  });
});
