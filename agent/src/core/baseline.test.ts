import { describe, expect, it } from 'vitest';
import { entriesToMigrate, forgetBaseline, isDriftRepair, markEnforced, planRestores, recordBaseline, stampScheme } from './baseline.js';
import type { EffectiveSetting } from './effective.js';

const AT = '2026-11-22T00:00:00.000Z';
const P1 = '22222222-2222-4222-8222-222222222222';
const enforce = (settingId: string, value: string | boolean): EffectiveSetting => ({
  settingId,
  kind: 'antivirus',
  policyIds: [P1],
  outcome: 'enforce',
  value,
});

describe('recordBaseline', () => {
  it('records the observed value of newly managed settings, absent as absent, and never overwrites an entry', () => {
    const observed = new Map<string, string | undefined>([
      ['a', 'disabled'],
      ['b', undefined],
      ['c', 'x'],
    ]);
    const before = { c: { kind: 'antivirus' as const, original: 'first', recordedAt: AT } };
    const next = recordBaseline(before, [enforce('a', 'audit'), enforce('b', 'on'), enforce('c', 'y')], observed, AT);
    expect(next).toEqual({ a: { kind: 'antivirus', original: 'disabled', recordedAt: AT }, b: { kind: 'antivirus', recordedAt: AT }, c: before.c });
  });
});

describe('write schemes (upgrade clean-up)', () => {
  it('stamps new entries with their provider’s scheme above 1 and picks older entries of that kind for migration', () => {
    const schemeOf = (kind: string) => (kind === 'antivirus' ? 2 : undefined);
    const next = recordBaseline({ old: { kind: 'antivirus', applied: 1, recordedAt: AT } }, [enforce('a', 'x')], new Map([['a', 'y']]), AT, schemeOf);
    expect(next.a).toEqual({ kind: 'antivirus', original: 'y', scheme: 2, recordedAt: AT });
    expect([...entriesToMigrate(next, 'antivirus', 2).keys()]).toEqual(['old']);
    expect(entriesToMigrate(next, 'firewall', 2).size).toBe(0);
    const stamped = stampScheme(next, ['old'], schemeOf);
    expect(stamped.old?.scheme).toBe(2);
    expect(entriesToMigrate(stamped, 'antivirus', 2).size).toBe(0);
  });
});

describe('planRestores', () => {
  const baseline = {
    kept: { kind: 'antivirus' as const, original: 'off', recordedAt: AT },
    dropped: { kind: 'antivirus' as const, original: 'disabled', recordedAt: AT },
    absent: { kind: 'firewall' as const, recordedAt: AT },
    fought: { kind: 'antivirus' as const, original: 1, recordedAt: AT },
  };

  it('restores what no policy claims, removes values the host never had, and leaves conflicts alone', () => {
    const effective: EffectiveSetting[] = [
      enforce('kept', 'on'),
      { settingId: 'fought', kind: 'antivirus', policyIds: [P1], outcome: 'conflict', reason: 'policies disagree' },
    ];
    expect(planRestores(effective, baseline)).toEqual([
      { settingId: 'absent', kind: 'firewall', to: undefined },
      { settingId: 'dropped', kind: 'antivirus', to: 'disabled' },
    ]);
  });

  it('restores a setting that became notApplicable', () => {
    const effective: EffectiveSetting[] = [{ settingId: 'kept', kind: 'antivirus', policyIds: [P1], outcome: 'notApplicable', reason: 'x' }];
    expect(planRestores(effective, { kept: baseline.kept }).map((r) => r.settingId)).toEqual(['kept']);
  });
});

describe('drift bookkeeping', () => {
  it('marks read-back values as enforced and recognises a later change back to them as a drift repair', () => {
    const base = { a: { kind: 'antivirus' as const, original: 'disabled', recordedAt: AT } };
    expect(isDriftRepair(base.a, 'audit')).toBe(false);
    const failed = markEnforced(base, [enforce('a', 'audit')], new Map([['a', 'disabled']]));
    expect(failed.a?.applied).toBeUndefined();
    const enforced = markEnforced(base, [enforce('a', 'audit')], new Map([['a', 'audit']]));
    expect(enforced.a?.applied).toBe('audit');
    expect(isDriftRepair(enforced.a, 'audit')).toBe(true);
    // A new policy value is an update, not a repair.
    expect(isDriftRepair(enforced.a, 'block')).toBe(false);
  });

  it('forgets restored settings', () => {
    expect(forgetBaseline({ a: { kind: 'antivirus', recordedAt: AT }, b: { kind: 'antivirus', recordedAt: AT } }, ['a'])).toEqual({
      b: { kind: 'antivirus', recordedAt: AT },
    });
  });
});
