import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicyPayload, SettingValue } from '../../../policy-schemas/src/index.js';
import { computeEffective } from './effective.js';
import { policyStatuses, settingStatuses } from './outcome.js';
import { planChanges, valuesEqual } from './plan.js';

const TENANT = '00000000-0000-4000-8000-000000000000';
let counter = 0;
function policy(settings: Record<string, SettingValue>, kind: 'antivirus' | 'firewall' = 'antivirus', name = `p${++counter}`): PolicyPayload {
  const id = `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
  return { policyId: id, version: 1, tenantId: TENANT, name, kind, settings, createdAt: '2026-11-22T00:00:00.000Z' };
}

describe('computeEffective', () => {
  it('enforces a setting set by one policy', () => {
    const p = policy({ 'defender.AllowRealtimeMonitoring': 1 });
    expect(computeEffective([p], 'windows')).toEqual([
      { settingId: 'defender.AllowRealtimeMonitoring', kind: 'antivirus', policyIds: [p.policyId], outcome: 'enforce', value: 1 },
    ]);
  });

  it('agrees when two policies set the same value', () => {
    const [a, b] = [policy({ 'defender.PUAProtection': 1 }), policy({ 'defender.PUAProtection': 1 })];
    const [only] = computeEffective([a, b], 'windows');
    expect(only?.outcome).toBe('enforce');
    expect(only?.policyIds).toEqual([a.policyId, b.policyId].sort());
  });

  it('reports a conflict naming both policies when scalar values differ', () => {
    const a = policy({ 'defender.PUAProtection': 1 }, 'antivirus', 'Baseline');
    const b = policy({ 'defender.PUAProtection': 2 }, 'antivirus', 'Pilot');
    const [only] = computeEffective([a, b], 'windows');
    expect(only?.outcome).toBe('conflict');
    expect(only?.outcome === 'conflict' && only.reason).toContain('"Baseline"');
    expect(only?.outcome === 'conflict' && only.reason).toContain('"Pilot"');
  });

  it('merges list settings as a sorted union', () => {
    const a = policy({ 'defender.ExcludedPaths': ['C:\\b', 'C:\\a'] });
    const b = policy({ 'defender.ExcludedPaths': ['C:\\c', 'C:\\a'] });
    expect(computeEffective([a, b], 'windows')[0]).toMatchObject({ outcome: 'enforce', value: ['C:\\a', 'C:\\b', 'C:\\c'] });
  });

  it('marks settings of another platform notApplicable with the reason', () => {
    const p = policy({ 'mdatp.cloudService.enabled': true });
    expect(computeEffective([p], 'windows')[0]).toMatchObject({ outcome: 'notApplicable', reason: 'applies to linux, macos, not windows' });
    expect(computeEffective([p], 'linux')[0]).toMatchObject({ outcome: 'enforce', value: true });
  });

  it('is independent of policy order (property)', () => {
    const values = fc.constantFrom<SettingValue>(0, 1, 2);
    fc.assert(
      fc.property(fc.array(values, { minLength: 1, maxLength: 5 }), fc.array(fc.array(fc.constantFrom('X:\\a', 'X:\\b', 'X:\\c'))), (puas, lists) => {
        const policies = [
          ...puas.map((v) => policy({ 'defender.PUAProtection': v })),
          ...lists.map((l) => policy({ 'defender.ExcludedPaths': [...new Set(l)] })),
        ];
        const forward = computeEffective(policies, 'windows');
        const backward = computeEffective([...policies].reverse(), 'windows');
        expect(backward).toEqual(forward);
        // A conflict never carries a value to apply.
        for (const s of forward) if (s.outcome === 'conflict') expect('value' in s).toBe(false);
      }),
    );
  });
});

describe('planChanges and statuses', () => {
  it('plans only settings whose observed value differs; lists compare as sets', () => {
    const p = policy({ 'defender.AllowRealtimeMonitoring': 1, 'defender.PUAProtection': 1, 'defender.ExcludedPaths': ['b', 'a'] });
    const effective = computeEffective([p], 'windows');
    const observed = new Map<string, SettingValue | undefined>([
      ['defender.AllowRealtimeMonitoring', 1],
      ['defender.PUAProtection', 0],
      ['defender.ExcludedPaths', ['b', 'a']],
    ]);
    expect(planChanges(effective, observed)).toEqual([{ settingId: 'defender.PUAProtection', kind: 'antivirus', from: 0, to: 1 }]);
    expect(valuesEqual(['a', 'b'], ['b', 'a'])).toBe(true);
    expect(valuesEqual(['a'], ['a', 'a'])).toBe(false);
  });

  it('succeeds only when the read-back value matches, and rolls the worst state up to the policy', () => {
    const p = policy({ 'defender.AllowRealtimeMonitoring': 1, 'defender.PUAProtection': 1, 'defender.AllowEmailScanning': 1 });
    const effective = computeEffective([p], 'windows');
    const statuses = settingStatuses(effective, {
      unsupported: new Map(),
      failed: new Map([['defender.AllowEmailScanning', { code: 'SETTING_APPLY_FAILED', message: 'access denied' }]]),
      observedAfter: new Map<string, SettingValue | undefined>([
        ['defender.AllowRealtimeMonitoring', 1],
        ['defender.PUAProtection', 0],
        ['defender.AllowEmailScanning', 0],
      ]),
    });
    expect(statuses.map((s) => [s.settingId, s.state, s.code])).toEqual([
      ['defender.AllowEmailScanning', 'error', 'SETTING_APPLY_FAILED'],
      ['defender.AllowRealtimeMonitoring', 'succeeded', undefined],
      ['defender.PUAProtection', 'error', 'SETTING_NOT_ENFORCED'],
    ]);
    expect(policyStatuses([p], statuses)[0]?.state).toBe('error');
  });

  it('calls a policy notApplicable only when none of its settings applies', () => {
    const p = policy({ 'mdatp.cloudService.enabled': true });
    const statuses = settingStatuses(computeEffective([p], 'windows'), { unsupported: new Map(), failed: new Map(), observedAfter: new Map() });
    expect(statuses[0]?.state).toBe('notApplicable');
    expect(policyStatuses([p], statuses)[0]?.state).toBe('notApplicable');
  });
});
