// applyEffective: the catalog checks each planned value before a provider sees it, so a value this agent's catalog
// refuses (a cached set accepted under an older catalog) fails alone and the provider applies the rest; a provider's
// reason for an unowned mismatch reaches the evidence and the verdict names it.
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
});
