// No tattooing in the MDM store (review 16c fix 0): when no policy manages a firewall setting or the rules any more,
// the agent clears its MDM value / removes its rule nodes instead of writing the effective value recorded before
// management as new MDM policy.
import { describe, expect, it } from 'vitest';
import type { PolicyKind, SettingValue } from '../../../../policy-schemas/src/index.js';
import { planRestores, recordBaseline } from '../../core/baseline.js';
import { applyRestores, restoresFor } from '../../sync/restore.js';
import type { SettingsProvider } from '../provider.js';
import { WindowsFirewallProvider } from './firewall.js';
import { FIREWALL_RULES_SETTING, WindowsFirewallRulesProvider } from './firewall-rules.js';
import { type FirewallRuleItem, ruleId } from './firewall-rules-map.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';

/** Records the baseline, applies the policy, then restores every setting (the policy was unassigned). */
async function applyThenRestore(provider: SettingsProvider, kind: PolicyKind, policy: Record<string, SettingValue>) {
  const ids = Object.keys(policy);
  const before = await provider.observe(ids);
  const managed = ids.map((settingId) => ({ settingId, kind }));
  const baseline = recordBaseline({}, managed, before, '2026-12-05T10:00:00.000Z');
  const results = await provider.apply(ids.map((settingId) => ({ settingId, kind, from: before.get(settingId), to: policy[settingId] })));
  expect(results.every((r) => r.ok)).toBe(true);
  const planned = planRestores([], baseline);
  return { planned, restores: restoresFor(planned, [provider]), result: await applyRestores(planned, [provider]) };
}

describe('restoring a firewall setting clears the agent’s MDM value', () => {
  it('profile, global, audit and network-list values: MDM value null, the local store applies again', async () => {
    const fw = new EmulatedWindowsFirewall();
    if (fw.local.profiles.Domain) fw.local.profiles.Domain.LogMaxSizeKilobytes = '8192';
    const provider = new WindowsFirewallProvider({ runner: fw.runner });
    const { planned, restores, result } = await applyThenRestore(provider, 'firewall', {
      'firewall.domainProfile.LogMaxFileSize': 65536,
      'firewall.global.SaIdleTime': 600,
      'firewall.audit.ObjectAccess_AuditFilteringPlatformConnection': 2,
      'firewall.networkListManager.ConfiguredTLSAuthenticationNetworkName': 'corp.example',
    });
    // The baseline holds the effective values before management (what an old restore would have written as MDM policy).
    expect(planned.find((r) => r.settingId === 'firewall.domainProfile.LogMaxFileSize')?.to).toBe(8192);
    expect(restores.map((r) => r.to)).toEqual([undefined, undefined, undefined, undefined]);
    expect(result.failed.size).toBe(0);
    for (const instance of ['DomainProfile', 'Global', 'Audit', 'NetworkListManager'] as const) {
      expect(Object.values(fw.mdm.get(instance) ?? {}).filter((v) => v !== null)).toEqual([]);
    }
    expect(result.restored.find((r) => r.settingId === 'firewall.domainProfile.LogMaxFileSize')?.after).toBe(8192);
  });

  it('rules: our rule nodes are removed, never re-created from the recorded list', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    const old: FirewallRuleItem = { name: 'Left from before', enabled: true, direction: 'IN', action: 1, protocol: 6, localPortRanges: '8080' };
    const rdp: FirewallRuleItem = { name: 'Allow RDP', enabled: true, direction: 'IN', action: 1, protocol: 6, localPortRanges: '3389' };
    await provider.apply([{ settingId: FIREWALL_RULES_SETTING, kind: 'firewallRules', from: undefined, to: [old] as unknown as SettingValue }]);
    const foreign = fw.foreignRules();
    const { restores, result } = await applyThenRestore(provider, 'firewallRules', { [FIREWALL_RULES_SETTING]: [rdp] as unknown as SettingValue });
    expect(restores.map((r) => r.to)).toEqual([undefined]);
    expect(result.failed.size).toBe(0);
    expect([ruleId(old.name), ruleId(rdp.name)].filter((id) => fw.rules.mdm.has(id))).toEqual([]);
    expect(fw.foreignRules()).toBe(foreign);
  });
});
