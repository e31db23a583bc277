// nft's view of the shared address rules (core/net-address.ts, tested there): family names, intervals, port sets.
import { describe, expect, it } from 'vitest';
import { formatAddress, formatPortInterval, intervalToCidrs, mergeIntervals, parseAddress, parseNetwork, parsePorts } from './nftables-values.js';

const iv = (start: number, end = start) => ({ start: BigInt(start), end: BigInt(end) });

describe('nftables values', () => {
  it('gives ports as intervals and merges them as nft merges set elements', () => {
    expect(mergeIntervals(parsePorts('8080,22,20-30,31,25')).map(formatPortInterval)).toEqual(['20-31', '8080']);
    expect(() => parsePorts('30-20')).toThrow(/ends before/);
  });

  it('names families as nft does, with IPv4-mapped IPv6 in the ip family', () => {
    expect(parseNetwork('10.1.2.3/8')).toEqual({ family: 'ip', interval: { start: 0x0a000000n, end: 0x0affffffn } });
    expect(parseNetwork('::/0')).toEqual({ family: 'ip6', interval: { start: 0n, end: (1n << 128n) - 1n } });
    expect(parseNetwork('::ffff:192.0.2.0/120')).toEqual({ family: 'ip', interval: { start: 0xc0000200n, end: 0xc00002ffn } });
    expect(parseAddress('::1')).toEqual({ family: 'ip6', value: 1n });
    expect(() => parseNetwork('01.2.3.4')).toThrow(/leading zero/);
    expect(formatAddress('ip6', 0n)).toBe('::');
    expect(intervalToCidrs('ip', iv(5))).toEqual(['0.0.0.5']);
    expect(intervalToCidrs('ip6', { start: 0n, end: (1n << 127n) - 1n })).toEqual(['::/1']);
  });
});
