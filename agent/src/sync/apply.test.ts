// applyEffective carries a provider's reason for an unowned mismatch into the evidence, and the verdict names it.
import { describe, expect, it } from 'vitest';
import type { EffectiveSetting } from '../core/effective.js';
import { settingStatuses } from '../core/outcome.js';
import type { SettingsProvider } from '../providers/provider.js';
import { applyEffective } from './apply.js';

describe('applyEffective mismatch reasons', () => {
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
