// Unit tests of the what-if comparison: changes (from the observed value), new conflicts, restores, not applicable.
import { describe, expect, it } from 'vitest';
import type { EffectiveSetting } from '../../../common/policy-merge.js';
import type { SettingValue } from '../../../policy-schemas/src/index.js';
import { diffEffective, sameValue } from './what-if-diff.js';

const enforce = (settingId: string, value: SettingValue): EffectiveSetting => ({ settingId, kind: 'antivirus', policyIds: ['p1'], outcome: 'enforce', value });

describe('diffEffective', () => {
  it('reports each kind of effect once and ignores unchanged settings', () => {
    const before: EffectiveSetting[] = [enforce('a', 1), enforce('b', ['x', 'y']), enforce('c', 1), enforce('d', true)];
    const after: EffectiveSetting[] = [
      enforce('a', 0),
      enforce('b', ['y', 'x']),
      { settingId: 'c', kind: 'antivirus', policyIds: ['p1', 'p2'], outcome: 'conflict', reason: 'disagree' },
      { settingId: 'e', kind: 'antivirus', policyIds: ['p2'], outcome: 'notApplicable', reason: 'linux only' },
    ];
    expect(diffEffective(before, after, new Map([['a', 5]]))).toEqual({
      changes: [{ settingId: 'a', from: 5, to: 0 }],
      newConflicts: [{ settingId: 'c', policyIds: ['p1', 'p2'], reason: 'disagree' }],
      restored: [{ settingId: 'd', from: true }],
      notApplicable: [{ settingId: 'e', reason: 'linux only' }],
    });
  });

  it('compares lists as sets', () => {
    expect(sameValue(['a', 'b', 'a'], ['b', 'a'])).toBe(true);
    expect(sameValue([{ k: 1 }], [{ k: 2 }])).toBe(false);
  });
});
