// applyEffective: a value the catalog refuses (a cached set accepted under an older catalog) fails alone before a
// provider sees it; a provider's reason for an unowned mismatch reaches the verdict; a read-back the provider calls the
// same as the desired value (sameValue) counts as that value.
import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../policy-schemas/src/index.js';
import type { EffectiveSetting } from '../core/effective.js';
import { settingStatuses } from '../core/outcome.js';
import type { SettingChange } from '../core/plan.js';
import type { SettingsProvider } from '../providers/provider.js';
import { applyEffective } from './apply.js';

function recordingProvider(): SettingsProvider & { applied: SettingChange[][] } {
  const values = new Map<string, SettingValue | undefined>();
  const applied: SettingChange[][] = [];
  return {
    kind: 'edr',
    applied,
    unsupportedReason: () => undefined,
    observe: async (ids) => new Map(ids.map((id) => [id, values.get(id)])),
    apply: async (changes) => {
      applied.push([...changes]);
      for (const c of changes) values.set(c.settingId, c.to);
      return changes.map((c) => ({ settingId: c.settingId, ok: true as const }));
    },
  };
}

const enforce = (settingId: string, value: SettingValue): EffectiveSetting => ({ settingId, kind: 'edr', policyIds: ['p'], outcome: 'enforce', value });

describe('applyEffective', () => {
  it('refuses a value the catalog refuses before the provider sees it; the other settings apply', async () => {
    const provider = recordingProvider();
    const report = await applyEffective([enforce('mdatp.edr.tags', ['finance', 'paw']), enforce('mdatp.edr.groupIds', 'finance-servers')], [provider]);
    expect(provider.applied).toEqual([[{ settingId: 'mdatp.edr.groupIds', kind: 'edr', from: undefined, to: 'finance-servers' }]]);
    expect(report.failed).toEqual(
      new Map([
        [
          'mdatp.edr.tags',
          { code: 'POLICY_INVALID', message: 'mdatp.edr.tags is invalid: /settings/mdatp.edr.tags accepts one value only (one value per tag type), got 2' },
        ],
      ]),
    );
    expect(report.observedAfter.get('mdatp.edr.groupIds')).toBe('finance-servers');
    expect(report.observedAfter.get('mdatp.edr.tags')).toBeUndefined();
  });

  it('puts the provider’s reason into the SETTING_NOT_ENFORCED message', async () => {
    const provider: SettingsProvider = {
      kind: 'antivirus',
      unsupportedReason: () => undefined,
      observe: async (ids) => new Map(ids.map((id) => [id, 0])),
      apply: async (changes) => changes.map((c) => ({ settingId: c.settingId, ok: true as const })),
      mismatchReasons: () => new Map([['defender.PUAProtection', 'tamper protection is on']]),
    };
    const effective: EffectiveSetting[] = [{ settingId: 'defender.PUAProtection', kind: 'antivirus', policyIds: ['p'], outcome: 'enforce', value: 1 }];
    const evidence = await applyEffective(effective, [provider]);
    const [status] = settingStatuses(effective, evidence);
    expect(status).toMatchObject({ state: 'error', code: 'SETTING_NOT_ENFORCED' });
    expect(status?.message).toBe('value read back after applying differs from the policy value: tamper protection is on');
  });

  it('takes a value the provider calls the same as the desired one (filled-in defaults) as that value: no change, succeeded', async () => {
    const provider: SettingsProvider & { applied: number } = {
      kind: 'antivirus',
      applied: 0,
      unsupportedReason: () => undefined,
      observe: async (ids) => new Map(ids.map((id) => [id, 'read back with defaults'])),
      apply: async (changes) => {
        provider.applied += changes.length;
        return changes.map((c) => ({ settingId: c.settingId, ok: true as const }));
      },
      sameValue: (_id, observed, desired) => observed === 'read back with defaults' && desired === 1,
    };
    const effective: EffectiveSetting[] = [{ settingId: 'defender.PUAProtection', kind: 'antivirus', policyIds: ['p'], outcome: 'enforce', value: 1 }];
    const evidence = await applyEffective(effective, [provider]);
    expect(evidence.changes).toEqual([]);
    expect(provider.applied).toBe(0);
    expect(evidence.observedAfter.get('defender.PUAProtection')).toBe(1);
    expect(settingStatuses(effective, evidence)[0]).toMatchObject({ state: 'succeeded' });
    // A value it does not call the same is a change as before.
    const other = await applyEffective([{ ...effective[0], value: 2 } as EffectiveSetting], [provider]);
    expect(other.changes).toHaveLength(1);
  });
});
