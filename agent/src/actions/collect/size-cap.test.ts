// The byte-cap arithmetic: cutting the biggest entries first to one common length, the size of an archive, and the
// gzip input bound holding for data that does not compress.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capSizes, gzipInputBound, tarBytes } from './size-cap.js';

describe('capSizes', () => {
  it('keeps everything under the budget', () => {
    expect(capSizes([10, 20, 30], 60)).toEqual([10, 20, 30]);
  });

  it('cuts the biggest entries to one common length and leaves small ones whole', () => {
    expect(capSizes([10, 1000, 20, 500], 530)).toEqual([10, 250, 20, 250]);
    expect(capSizes([100, 100], 0)).toEqual([0, 0]);
  });

  it('never exceeds the budget, never grows an entry, and spends the budget when it must cut', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 10_000 }), { maxLength: 30 }), fc.nat({ max: 100_000 }), (sizes, budget) => {
        const kept = capSizes(sizes, budget);
        const sum = kept.reduce((a, b) => a + b, 0);
        expect(sum).toBeLessThanOrEqual(Math.max(budget, 0));
        for (const [i, k] of kept.entries()) expect(k).toBeLessThanOrEqual(sizes[i] ?? 0);
        const total = sizes.reduce((a, b) => a + b, 0);
        if (total > budget) expect(sum).toBeGreaterThan(budget - sizes.length);
      }),
    );
  });
});

describe('tarBytes', () => {
  it('counts a header per entry, data padded to 512 and two end blocks', () => {
    expect(tarBytes([])).toBe(1024);
    expect(tarBytes([0, 1, 512, 513])).toBe(4 * 512 + 0 + 512 + 512 + 1024 + 1024);
  });
});

describe('gzipInputBound', () => {
  it('random data of that many bytes gzips to at most maxBytes', () => {
    for (const maxBytes of [2048, 65_536, 1_000_000]) {
      const input = randomBytes(gzipInputBound(maxBytes));
      expect(gzipSync(input).length).toBeLessThanOrEqual(maxBytes);
    }
  });
});
