// The tenant limit of 15,000 active custom indicators (Defender ti-indicator), on documents built in memory.
import { describe, expect, it } from 'vitest';
import { activeIndicatorCount, checkIndicatorLimit, INDICATOR_TENANT_LIMIT } from './indicator-limit.js';

const NOW = Date.parse('2026-12-05T10:00:00Z');
const items = (n: number, prefix: number, extra: Record<string, unknown> = {}) =>
  Array.from({ length: n }, (_, i) => ({ type: 'fileSha256', value: (prefix * 1_000_000 + i).toString(16).padStart(64, '0'), action: 'block', ...extra }));
const policy = (policyId: string, list: unknown[]) => ({ policyId, kind: 'indicators', settings: { 'indicators.items': list } });
/** Three full policies: 15,000 active items. */
const full = [policy('a', items(5000, 1)), policy('b', items(5000, 2)), policy('c', items(5000, 3))];

describe('indicator tenant limit', () => {
  it('accepts exactly 15,000 active items and refuses the 15,001st, naming the count', () => {
    expect(INDICATOR_TENANT_LIMIT).toBe(15_000);
    expect(() => checkIndicatorLimit(policy('d', []), full, NOW)).not.toThrow();
    expect(() => checkIndicatorLimit(policy('d', items(1, 4)), full, NOW)).toThrow(
      expect.objectContaining({
        code: 'INDICATOR_LIMIT_EXCEEDED',
        message: expect.stringContaining(
          'would make 15001 active custom indicators in the tenant (15000 in other indicator policies + 1 here); the limit is 15000',
        ),
      }),
    );
  });

  it('counts an update as replacing the policy, and expired items not at all', () => {
    expect(() => checkIndicatorLimit(policy('c', items(5000, 9)), full, NOW, 'c')).not.toThrow();
    expect(() => checkIndicatorLimit(policy('c', items(5001, 9)), full, NOW, 'c')).toThrow(expect.objectContaining({ code: 'INDICATOR_LIMIT_EXCEEDED' }));
    const expired = items(10, 5, { expirationTime: '2026-12-05T10:00:00Z' });
    const future = items(1, 6, { expirationTime: '2026-12-05T10:00:01Z' });
    expect(activeIndicatorCount(policy('d', [...expired, ...future]), NOW)).toBe(1);
    expect(() => checkIndicatorLimit(policy('d', expired), full, NOW)).not.toThrow();
    expect(() => checkIndicatorLimit(policy('d', future), full, NOW)).toThrow(expect.objectContaining({ code: 'INDICATOR_LIMIT_EXCEEDED' }));
    // Other kinds never count, nor are they limited.
    expect(() => checkIndicatorLimit({ kind: 'antivirus', settings: {} }, [...full, policy('e', items(1, 7))], NOW)).not.toThrow();
  });

  it('counts a corrupt indicator policy at the most a policy holds, except the one being repaired', () => {
    const two = full.slice(0, 2);
    expect(() => checkIndicatorLimit(policy('d', items(1, 4)), two, NOW, undefined, ['c'])).toThrow(
      expect.objectContaining({ message: expect.stringContaining('counting 1 whose stored version is corrupt at 5000 each + 1 here') }),
    );
    expect(() => checkIndicatorLimit(policy('c', items(5000, 4)), two, NOW, 'c', ['c'])).not.toThrow();
  });

  it('accepts an update that adds nothing to its policy in a tenant already past the limit, and refuses one that adds', () => {
    const over = [...full, policy('d', items(10, 4))];
    expect(() => checkIndicatorLimit(policy('d', items(10, 5)), over, NOW, 'd')).not.toThrow();
    expect(() => checkIndicatorLimit(policy('d', items(11, 5)), over, NOW, 'd')).toThrow(expect.objectContaining({ code: 'INDICATOR_LIMIT_EXCEEDED' }));
  });
});
