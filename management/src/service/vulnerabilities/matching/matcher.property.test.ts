// Property: a package is matched iff its version lies inside the range the test built, with the oracle computed from
// the generated numbers (not the comparator under test). Seeded, so a failure reproduces.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompiledAdvisoryCache } from './compiled-advisory.js';
import { matchPackage } from './matcher.js';
import { cpe, DEBIAN_12, ecosystemRange, item, nvdAdvisory, orNode, osvAdvisory, stored, WINDOWS_11 } from './testing/fixtures.js';

const triple = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }));
type Triple = [number, number, number];
const cmp = (a: Triple, b: Triple) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
const dotted = (t: Triple) => t.join('.');

describe('matching agrees with the range the test built', () => {
  it('OSV ECOSYSTEM ranges under dpkg', () => {
    const cache = new CompiledAdvisoryCache(100);
    fc.assert(
      fc.property(triple, triple, triple, fc.integer({ min: 1, max: 5 }), (a, b, v, rev) => {
        const [lo, hi] = cmp(a, b) <= 0 ? [a, b] : [b, a];
        if (cmp(lo, hi) === 0) return;
        const advisory = osvAdvisory(`P-${dotted(lo)}-${dotted(hi)}`, [
          ecosystemRange('Debian:12', 'curl', [{ introduced: `${dotted(lo)}-1` }, { fixed: `${dotted(hi)}-1` }]),
        ]);
        const pkg = stored('linux', DEBIAN_12, item({ name: 'curl', version: `${dotted(v)}-${rev}`, source: 'dpkg', scheme: 'dpkg' }));
        // v-rev >= lo-1 ⇔ v >= lo (rev ≥ 1); v-rev < hi-1 ⇔ v < hi.
        const inside = cmp(v, lo) >= 0 && cmp(v, hi) < 0;
        expect(matchPackage(pkg, [advisory], cache).findings.length === 1).toBe(inside);
      }),
      { seed: 18_2024, numRuns: 500 },
    );
  });

  it('NVD versionStartIncluding / versionEndExcluding under dotted', () => {
    const cache = new CompiledAdvisoryCache(100);
    fc.assert(
      fc.property(triple, triple, triple, (a, b, v) => {
        const [lo, hi] = cmp(a, b) <= 0 ? [a, b] : [b, a];
        const advisory = nvdAdvisory(`CVE-P-${dotted(lo)}-${dotted(hi)}`, [
          {
            operator: 'OR',
            negate: false,
            nodes: [orNode(cpe('cpe:2.3:a:7-zip:7-zip:*:*:*:*:*:*:*:*', { versionStartIncluding: dotted(lo), versionEndExcluding: dotted(hi) }))],
          },
        ]);
        const pkg = stored(
          'windows',
          WINDOWS_11,
          item({ name: '7-Zip', version: dotted(v), vendor: 'Igor Pavlov', source: 'windowsRegistry', scheme: 'dotted' }),
        );
        const inside = cmp(v, lo) >= 0 && cmp(v, hi) < 0;
        expect(matchPackage(pkg, [advisory], cache).findings.length === 1).toBe(inside);
      }),
      { seed: 18_2025, numRuns: 500 },
    );
  });
});
