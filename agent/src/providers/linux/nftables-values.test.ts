// Ports and addresses as intervals: parsing, merging like nft, and formatting back (CIDR cover, RFC 5952 text).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAddress, intervalToCidrs, mergeIntervals, parseAddress, parseNetwork, parsePorts } from './nftables-values.js';

const iv = (start: number, end = start) => ({ start: BigInt(start), end: BigInt(end) });

describe('ports', () => {
  it('parses single ports and ranges, and merges overlapping and adjacent ones as nft does', () => {
    expect(parsePorts('22,8000-8080')).toEqual([iv(22), iv(8000, 8080)]);
    expect(mergeIntervals(parsePorts('8080,22,20-30,31,25'))).toEqual([iv(20, 31), iv(8080)]);
    expect(parsePorts('0,65535')).toEqual([iv(0), iv(65535)]);
  });

  it.each(['', '65536', '30-20', '22;reboot', '22,', '-1', '1-2-3', ' 22'])('rejects %j', (text) => {
    expect(() => parsePorts(text)).toThrow();
  });
});

describe('addresses', () => {
  it('parses IPv4/IPv6 addresses and networks, clearing host bits as nft stores them', () => {
    expect(parseNetwork('10.1.2.3/8')).toEqual({ family: 'ip', interval: { start: 0x0a000000n, end: 0x0affffffn } });
    expect(parseNetwork('192.0.2.1')).toEqual({ family: 'ip', interval: { start: 0xc0000201n, end: 0xc0000201n } });
    expect(parseNetwork('2001:DB8::/32').interval.start).toBe(0x20010db8n << 96n);
    expect(parseNetwork('::/0')).toEqual({ family: 'ip6', interval: { start: 0n, end: (1n << 128n) - 1n } });
    expect(parseAddress('::1')).toEqual({ family: 'ip6', value: 1n });
  });

  it.each(['10.0.0.0/33', '256.1.1.1', '01.2.3.4', '1.2.3', 'fe80:::1', '1::2::3', '1:2:3:4:5:6:7:8:9', '::/129', '10.0.0.0/8/8', 'x', '10.0.0.0/08'])(
    'rejects %j',
    (text) => {
      expect(() => parseNetwork(text)).toThrow();
    },
  );

  it('formats IPv6 as RFC 5952 (lower case, longest zero run compressed, single zero group kept)', () => {
    expect(formatAddress('ip6', parseNetwork('2001:DB8:0:0:0:0:0:1').interval.start)).toBe('2001:db8::1');
    expect(formatAddress('ip6', parseNetwork('2001:db8:0:1:0:0:0:1').interval.start)).toBe('2001:db8:0:1::1');
    expect(formatAddress('ip6', parseNetwork('2001:db8:1:1:1:1:0:1').interval.start)).toBe('2001:db8:1:1:1:1:0:1');
    expect(formatAddress('ip6', 0n)).toBe('::');
  });

  it('covers an interval with the fewest CIDR networks', () => {
    expect(intervalToCidrs('ip', parseNetwork('10.0.0.0/8').interval)).toEqual(['10.0.0.0/8']);
    expect(intervalToCidrs('ip', { start: 0x0a000000n, end: 0x0a000180n - 1n })).toEqual(['10.0.0.0/24', '10.0.1.0/25']);
    expect(intervalToCidrs('ip', iv(5))).toEqual(['0.0.0.5']);
    expect(intervalToCidrs('ip', { start: 0n, end: 0xffffffffn })).toEqual(['0.0.0.0/0']);
  });

  it('CIDR cover and text round-trip: the networks parse back to exactly the interval', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0xffffffffn }), fc.bigInt({ min: 0n, max: 0xffffffffn }), (a, b) => {
        const interval = a <= b ? { start: a, end: b } : { start: b, end: a };
        const parts = intervalToCidrs('ip', interval).map((c) => parseNetwork(c).interval);
        expect(mergeIntervals(parts)).toEqual([interval]);
        expect(parts.length).toBeLessThanOrEqual(62);
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (v) => {
        expect(parseAddress(formatAddress('ip6', v))).toEqual({ family: 'ip6', value: v });
      }),
    );
  });
});
