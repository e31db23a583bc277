// The merge of assigned policies into effective settings (common/policy-merge.ts via core/effective.ts), the plan and
// the statuses. Property tests: order independence, idempotence under duplication, conflicts without values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicyKind, PolicyPayload, SettingValue } from '../../../policy-schemas/src/index.js';
import { computeEffective } from './effective.js';
import { policyStatuses, settingStatuses } from './outcome.js';
import { planChanges, valuesEqual } from './plan.js';

const TENANT = '00000000-0000-4000-8000-000000000000';
let counter = 0;
function policy(settings: Record<string, SettingValue>, kind: PolicyKind = 'antivirus', name = `p${++counter}`): PolicyPayload {
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

  it('merges a one-value list (the GROUP tag) like a scalar: different tags conflict, an empty list yields', () => {
    const [finance, paw] = [policy({ 'mdatp.edr.tags': ['finance'] }, 'edr', 'Finance'), policy({ 'mdatp.edr.tags': ['paw'] }, 'edr', 'PAW')];
    const [both] = computeEffective([finance, paw], 'linux');
    expect(both).toMatchObject({ outcome: 'conflict', reason: expect.stringContaining('"Finance"') });
    expect(both?.outcome === 'conflict' && both.reason).toContain('"PAW"');
    const again = policy({ 'mdatp.edr.tags': ['finance'] }, 'edr');
    const none = policy({ 'mdatp.edr.tags': [] }, 'edr');
    expect(computeEffective([finance, again, none], 'linux')[0]).toMatchObject({ outcome: 'enforce', value: ['finance'] });
    expect(computeEffective([none], 'linux')[0]).toMatchObject({ outcome: 'enforce', value: [] });
  });

  it('marks settings of another platform notApplicable with the reason', () => {
    const p = policy({ 'mdatp.cloudService.enabled': true });
    expect(computeEffective([p], 'windows')[0]).toMatchObject({ outcome: 'notApplicable', reason: 'applies to linux, macos, not windows' });
    expect(computeEffective([p], 'linux')[0]).toMatchObject({ outcome: 'enforce', value: true });
  });

  it("lets an ASR rule's notConfigured yield to any other mode, and enforces it when all agree", () => {
    const rule = 'asr.d4f940ab-401b-4efc-aadc-ad5f3c50688a';
    const [unset, block, audit] = [policy({ [rule]: 'notConfigured' }, 'asr'), policy({ [rule]: 'block' }, 'asr'), policy({ [rule]: 'audit' }, 'asr')];
    expect(computeEffective([unset, block], 'windows')[0]).toMatchObject({
      outcome: 'enforce',
      value: 'block',
      policyIds: [unset.policyId, block.policyId].sort(),
    });
    expect(computeEffective([unset, policy({ [rule]: 'notConfigured' }, 'asr')], 'windows')[0]).toMatchObject({ outcome: 'enforce', value: 'notConfigured' });
    expect(computeEffective([unset, block, audit], 'windows')[0]).toMatchObject({ outcome: 'conflict' });
    // off is a real mode (mde-domain.md §2.5): it conflicts with block.
    expect(computeEffective([policy({ [rule]: 'off' }, 'asr'), block], 'windows')[0]).toMatchObject({ outcome: 'conflict' });
  });

  it('merges object lists by item key, deduping identical items', () => {
    const ssh = { name: 'ssh', direction: 'in', action: 'accept', protocol: 'tcp', localPorts: '22' };
    const dns = { name: 'dns', direction: 'out', action: 'accept', protocol: 'udp', remotePorts: '53' };
    const a = policy({ 'linuxFirewall.rules': [ssh] }, 'linuxFirewall');
    const b = policy({ 'linuxFirewall.rules': [dns, { ...ssh }] }, 'linuxFirewall');
    expect(computeEffective([a, b], 'linux')[0]).toMatchObject({ outcome: 'enforce', value: [dns, ssh], policyIds: [a.policyId, b.policyId].sort() });
  });

  it('reports an object-list conflict naming both policies when one key has different content', () => {
    const a = policy({ 'firewallRules.rules': [{ name: 'RDP', direction: 'IN', action: 1 }] }, 'firewallRules', 'Servers');
    const b = policy({ 'firewallRules.rules': [{ name: 'RDP', direction: 'IN', action: 0 }] }, 'firewallRules', 'Lockdown');
    const [only] = computeEffective([a, b], 'windows');
    expect(only?.outcome).toBe('conflict');
    expect(only && 'value' in only).toBe(false);
    expect(only?.outcome === 'conflict' && only.reason).toMatch(/item \["RDP"\] differs between "Lockdown" .* and "Servers"/);
  });

  it('keys mdatp exclusions by $type and target, so isDirectory differences conflict', () => {
    const dir = { $type: 'excludedPath', path: '/srv', isDirectory: true };
    const file = { $type: 'excludedPath', path: '/srv', isDirectory: false };
    const ext = { $type: 'excludedFileExtension', extension: '.log' };
    const k = 'antivirusExclusions';
    expect(
      computeEffective([policy({ 'mdatp.antivirusEngine.exclusions': [dir, ext] }, k), policy({ 'mdatp.antivirusEngine.exclusions': [ext] }, k)], 'linux')[0],
    ).toMatchObject({
      outcome: 'enforce',
      value: [ext, dir],
    });
    expect(
      computeEffective([policy({ 'mdatp.antivirusEngine.exclusions': [dir] }, k), policy({ 'mdatp.antivirusEngine.exclusions': [file] }, k)], 'macos')[0],
    ).toMatchObject({
      outcome: 'conflict',
    });
  });
});

const ASR_RULE = 'asr.be9ba2d9-53ea-4cdc-84e5-9b1eeee46550';
/** Random policies over a few settings of every merge shape: scalar, unset-able scalar, string list, object list. */
const policies = fc
  .array(
    fc.record(
      {
        'defender.PUAProtection': fc.constantFrom<SettingValue>(0, 1, 2),
        [ASR_RULE]: fc.constantFrom<SettingValue>('notConfigured', 'notConfigured', 'block', 'audit'),
        'defender.ExcludedPaths': fc.uniqueArray(fc.constantFrom('X:\\a', 'X:\\b', 'X:\\c')),
        'firewallRules.rules': fc.uniqueArray(
          fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd'), action: fc.constantFrom(0, 1), direction: fc.constantFrom('IN', 'OUT') }),
          { selector: (r) => r.name },
        ),
      },
      { requiredKeys: [] },
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((sets) => sets.map((settings) => policy(settings as Record<string, SettingValue>)));

describe('computeEffective properties', () => {
  it('is independent of policy order', () => {
    fc.assert(
      fc.property(policies, (ps) => {
        expect(computeEffective([...ps].reverse(), 'windows')).toEqual(computeEffective(ps, 'windows'));
        const shuffled = [...ps].sort((x, y) => (x.policyId < y.policyId ? 1 : -1));
        expect(computeEffective(shuffled, 'windows')).toEqual(computeEffective(ps, 'windows'));
      }),
    );
  });

  it('is idempotent: the same policies twice change nothing', () => {
    fc.assert(
      fc.property(policies, (ps) => {
        expect(computeEffective([...ps, ...ps], 'windows')).toEqual(computeEffective(ps, 'windows'));
      }),
    );
  });

  it('never gives a conflict a value, and enforces only values some policy asked for', () => {
    fc.assert(
      fc.property(policies, (ps) => {
        for (const s of computeEffective(ps, 'windows')) {
          if (s.outcome === 'conflict') expect('value' in s).toBe(false);
          if (s.outcome !== 'enforce' || Array.isArray(s.value)) continue;
          expect(ps.map((p) => p.settings[s.settingId])).toContainEqual(s.value);
        }
      }),
    );
  });

  it('agrees with itself under merging: merging the merged result back in changes nothing', () => {
    fc.assert(
      fc.property(policies, (ps) => {
        const first = computeEffective(ps, 'windows');
        const merged = Object.fromEntries(first.flatMap((s) => (s.outcome === 'enforce' ? [[s.settingId, s.value]] : [])));
        const again = computeEffective([...ps, policy(merged)], 'windows');
        const values = (xs: typeof first) => xs.map((s) => [s.settingId, s.outcome, s.outcome === 'enforce' ? s.value : null]);
        expect(values(again)).toEqual(values(first));
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

  it('reports a setting another manager overrides as conflict naming it, and one it sets to our value as succeeded', () => {
    const p = policy({ 'defender.PUAProtection': 1, 'defender.AllowEmailScanning': 1 });
    const statuses = settingStatuses(computeEffective([p], 'windows'), {
      unsupported: new Map(),
      failed: new Map(),
      observedAfter: new Map<string, SettingValue | undefined>([
        ['defender.PUAProtection', 0],
        ['defender.AllowEmailScanning', 1],
      ]),
      overridden: new Map([
        ['defender.PUAProtection', { source: "Group Policy 'Contoso AV'", effective: 0 }],
        ['defender.AllowEmailScanning', { source: 'Group Policy', effective: 1 }],
      ]),
    });
    expect(statuses.map((s) => [s.settingId, s.state, s.code])).toEqual([
      ['defender.AllowEmailScanning', 'succeeded', undefined],
      ['defender.PUAProtection', 'conflict', 'SETTING_OVERRIDDEN'],
    ]);
    expect(statuses[1]?.message).toBe("Group Policy 'Contoso AV' sets this setting and wins over this policy (in effect: 0)");
    expect(policyStatuses([p], statuses)[0]?.state).toBe('conflict');
  });

  it('calls a policy notApplicable only when none of its settings applies', () => {
    const p = policy({ 'mdatp.cloudService.enabled': true });
    const statuses = settingStatuses(computeEffective([p], 'windows'), { unsupported: new Map(), failed: new Map(), observedAfter: new Map() });
    expect(statuses[0]?.state).toBe('notApplicable');
    expect(policyStatuses([p], statuses)[0]?.state).toBe('notApplicable');
  });
});
