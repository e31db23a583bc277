import { describe, expect, it } from 'vitest';
import type { EffectiveSetting } from './effective.js';
import { previewPlan } from './preview.js';

const P1 = '22222222-2222-4222-8222-222222222222';
const P2 = '33333333-3333-4333-8333-333333333333';

describe('previewPlan', () => {
  it('sorts settings into current → desired, conflicts, restores and notApplicable', () => {
    const effective: EffectiveSetting[] = [
      { settingId: 'a', kind: 'antivirus', policyIds: [P1], outcome: 'enforce', value: 'audit' },
      { settingId: 'b', kind: 'antivirus', policyIds: [P1], outcome: 'enforce', value: true },
      { settingId: 'c', kind: 'antivirus', policyIds: [P1, P2], outcome: 'conflict', reason: 'policies disagree' },
      { settingId: 'd', kind: 'antivirus', policyIds: [P1], outcome: 'notApplicable', reason: 'applies to windows' },
      { settingId: 'e', kind: 'firewall', policyIds: [P1], outcome: 'enforce', value: 1 },
    ];
    const observed = new Map<string, string | boolean | undefined>([
      ['a', 'disabled'],
      ['b', true],
      ['r', 'block'],
    ]);
    const plan = previewPlan(
      effective,
      [
        { settingId: 'r', kind: 'antivirus', to: 'disabled' },
        { settingId: 's', kind: 'antivirus', to: undefined },
      ],
      { observed, unsupported: new Map([['e', 'no firewall here']]) },
    );
    expect(plan.settings).toEqual([
      { settingId: 'a', kind: 'antivirus', policyIds: [P1], current: 'disabled', desired: 'audit', change: true },
      { settingId: 'b', kind: 'antivirus', policyIds: [P1], current: true, desired: true, change: false },
    ]);
    expect(plan.conflicts).toEqual([{ settingId: 'c', kind: 'antivirus', policyIds: [P1, P2], message: 'policies disagree' }]);
    expect(plan.notApplicable.map((n) => [n.settingId, n.message])).toEqual([
      ['d', 'applies to windows'],
      ['e', 'no firewall here'],
    ]);
    expect(plan.restores).toEqual([
      { settingId: 'r', kind: 'antivirus', current: 'block', restoreTo: 'disabled', remove: false },
      { settingId: 's', kind: 'antivirus', remove: true },
    ]);
  });
});
