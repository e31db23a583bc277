// While the device is isolated (isolation.json present), the profile values isolation forces (firewall on, inbound and
// outbound Block on every profile) are reported conflict / SETTING_OVERRIDDEN "device isolation is in force" and never
// written to the MDM store (which would win over isolation's block-by-default); other firewall settings apply as usual,
// and once released the same policy is enforced again.
import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { EffectiveSetting } from '../../core/effective.js';
import { settingStatuses } from '../../core/outcome.js';
import { applyEffective } from '../../sync/apply.js';
import { isolationForced, WindowsFirewallProvider } from './firewall.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';

const POLICY = '0b0b0b0b-0000-4000-8000-000000000001';
const enforce = (settingId: string, value: SettingValue): EffectiveSetting => ({ settingId, kind: 'firewall', policyIds: [POLICY], outcome: 'enforce', value });
const EFFECTIVE = [enforce('firewall.publicProfile.DefaultOutboundAction', 0), enforce('firewall.publicProfile.DisableStealthMode', true)];

function isolatedFirewall() {
  const fw = new EmulatedWindowsFirewall();
  // What isolation's script leaves in the local store: on, block in, block out on every profile.
  for (const profile of Object.values(fw.local.profiles))
    Object.assign(profile, { Enabled: 'True', DefaultInboundAction: 'Block', DefaultOutboundAction: 'Block' });
  const state = { isolated: true };
  const provider = new WindowsFirewallProvider({ runner: fw.runner, isolated: async () => state.isolated });
  return { fw, provider, state };
}

describe('Windows firewall provider while the device is isolated', () => {
  it('knows exactly the three profile values isolation forces', () => {
    expect(['Domain', 'Private', 'Public'].map((p) => isolationForced(`firewall.${p.toLowerCase()}Profile.DefaultOutboundAction`))).toEqual([1, 1, 1]);
    expect(isolationForced('firewall.domainProfile.EnableFirewall')).toBe(true);
    expect(isolationForced('firewall.publicProfile.DefaultInboundAction')).toBe(1);
    expect(isolationForced('firewall.publicProfile.DisableStealthMode')).toBeUndefined();
    expect(isolationForced('firewall.global.SaIdleTime')).toBeUndefined();
  });

  it('reports the forced value overridden by isolation, does not remediate it, applies the rest', async () => {
    const { fw, provider } = isolatedFirewall();
    const report = await applyEffective(EFFECTIVE, [provider]);
    const statuses = settingStatuses(EFFECTIVE, report);
    expect(statuses[0]).toMatchObject({
      settingId: 'firewall.publicProfile.DefaultOutboundAction',
      state: 'conflict',
      code: 'SETTING_OVERRIDDEN',
      observed: 1,
      message: 'device isolation is in force; it sets this setting and wins over this policy (in effect: 1)',
    });
    expect(statuses[1]).toMatchObject({ settingId: 'firewall.publicProfile.DisableStealthMode', state: 'succeeded' });
    // Only the setting isolation does not force reached the MDM store.
    expect(fw.mdm.get('PublicProfile')).toEqual({ DisableStealthMode: true });
  });

  it('enforces the policy again once the device is released', async () => {
    const { fw, provider, state } = isolatedFirewall();
    await applyEffective(EFFECTIVE, [provider]);
    state.isolated = false;
    for (const profile of Object.values(fw.local.profiles)) Object.assign(profile, { DefaultOutboundAction: 'Allow' });
    fw.local.profiles.Public = { ...fw.local.profiles.Public, DefaultOutboundAction: 'Block' }; // drifted meanwhile
    const statuses = settingStatuses(EFFECTIVE, await applyEffective(EFFECTIVE, [provider]));
    expect(statuses.map((s) => s.state)).toEqual(['succeeded', 'succeeded']);
    expect(fw.mdm.get('PublicProfile')).toEqual({ DisableStealthMode: true, DefaultOutboundAction: 0 });
  });
});
