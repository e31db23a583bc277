import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../common/clock.js';
import { picked, unitHash } from './select.js';

describe('deterministic selection', () => {
  it('picks the same hosts for the same seed and step, and about the asked share', () => {
    const pick = (seed: number, salt: number) => Array.from({ length: 10_000 }, (_, i) => i).filter((i) => picked(seed, salt, i, 0.2));
    expect(pick(1, 3)).toEqual(pick(1, 3));
    expect(pick(1, 3)).not.toEqual(pick(1, 4));
    expect(pick(2, 3)).not.toEqual(pick(1, 3));
    expect(pick(1, 3).length).toBeGreaterThan(1800);
    expect(pick(1, 3).length).toBeLessThan(2200);
    expect(picked(1, 1, 5, 0)).toBe(false);
    expect(picked(1, 1, 5, 1)).toBe(true);
  });

  it('stays in [0, 1)', () => {
    const r = seededRandom(42);
    for (let i = 0; i < 1000; i++) {
      const v = r();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      expect(unitHash(i, i * 7, i * 13)).toBeLessThan(1);
    }
  });
});
