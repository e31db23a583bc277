// The ustar header: fields where tar readers look for them, a checksum they accept, and names that cannot be stored.
import { describe, expect, it } from 'vitest';
import { tarEnd, tarHeader, tarPadding } from './tar.js';

describe('tarHeader', () => {
  it('writes name, mode, size, mtime, type and a checksum over the header read with blank checksum field', () => {
    const h = tarHeader('data/ca-key.pem', 1234, new Date(1_700_000_000_000));
    expect(h.length).toBe(512);
    expect(h.toString('ascii', 0, 15)).toBe('data/ca-key.pem');
    expect(Number.parseInt(h.toString('ascii', 100, 107), 8)).toBe(0o600);
    expect(Number.parseInt(h.toString('ascii', 124, 135), 8)).toBe(1234);
    expect(Number.parseInt(h.toString('ascii', 136, 147), 8)).toBe(1_700_000_000);
    expect(h.toString('ascii', 156, 157)).toBe('0');
    expect(h.toString('ascii', 257, 265)).toBe('ustar\x0000');
    const blank = Buffer.from(h);
    blank.write('        ', 148, 'ascii');
    expect(Number.parseInt(h.toString('ascii', 148, 154), 8)).toBe(blank.reduce((n, b) => n + b, 0));
  });

  it('refuses names it would have to truncate or that leave the archive root', () => {
    for (const bad of ['', `data/${'x'.repeat(100)}`, '/etc/passwd', 'data/../x', 'data/é'])
      expect(() => tarHeader(bad, 0, new Date(0))).toThrow('cannot store');
  });

  it('pads data to whole blocks and ends with two zero blocks', () => {
    expect([tarPadding(0).length, tarPadding(1).length, tarPadding(512).length, tarPadding(513).length]).toEqual([0, 511, 0, 511]);
    expect(tarEnd().equals(Buffer.alloc(1024))).toBe(true);
  });
});
