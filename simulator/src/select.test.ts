import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../common/clock.js';
import { chooseHosts, selectionSize } from './select.js';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('deterministic selection', () => {
  it('takes exactly round(share × eligible) hosts, or exactly `count`', () => {
    // The case: 10 % of 20 hosts is 2 hosts, not "about 2".
    for (let seed = 0; seed < 50; seed++) expect(chooseHosts(seed, 3, hosts(20), { share: 0.1 })).toHaveLength(2);
    expect(chooseHosts(1, 1, hosts(50), { count: 7 })).toHaveLength(7);
    expect(chooseHosts(1, 1, hosts(5), { count: 7 })).toEqual([0, 1, 2, 3, 4]);
    expect(chooseHosts(1, 1, hosts(10), { share: 0 })).toEqual([]);
    expect(chooseHosts(1, 1, hosts(10), { share: 1 })).toEqual(hosts(10));
    expect(selectionSize({ share: 0.25 }, 10)).toBe(3);
    expect(selectionSize({ count: 3 }, 2)).toBe(2);
  });

  it('picks only eligible hosts, each once, the same for the same seed and step', () => {
    const eligible = [3, 9, 14, 20, 21, 40, 41, 77];
    const pick = (seed: number, salt: number) => chooseHosts(seed, salt, eligible, { share: 0.5 });
    expect(pick(1, 3)).toEqual(pick(1, 3));
    expect(new Set(pick(1, 3)).size).toBe(4);
    for (const h of pick(1, 3)) expect(eligible).toContain(h);
    // Another step or another seed draws again (over many tries at least one differs).
    expect(hosts(20).some((s) => pick(1, s).join() !== pick(1, 3).join())).toBe(true);
    expect(hosts(20).some((s) => pick(s, 3).join() !== pick(1, 3).join())).toBe(true);
    // The order the eligible hosts are given in does not matter.
    expect(chooseHosts(5, 2, [...eligible].reverse(), { count: 3 })).toEqual(chooseHosts(5, 2, eligible, { count: 3 }));
  });

  it('stays in [0, 1)', () => {
    const r = seededRandom(42);
    for (let i = 0; i < 1000; i++) {
      const v = r();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });
});
