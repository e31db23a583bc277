// The Windows Firewall rules provider against the emulated stores: the earlier agent's local-store rules removed once
// on upgrade (no duplicates), MDM-store rules still in force under a GPO AllowLocalPolicyMerge=false, and an MDM rule
// that is not in force not reported.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { FIREWALL_RULES_SETTING, WindowsFirewallRulesProvider } from './firewall-rules.js';
import { type FirewallRuleItem, ruleId } from './firewall-rules-map.js';
import { LEGACY_RULE_GROUP } from './firewall-rules-scripts.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';
import { observeRules, rulesChange as rules } from './testing/firewall-rules-fixtures.js';

const golden = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

const RDP: FirewallRuleItem = { name: 'Allow RDP from intranet', enabled: true, direction: 'IN', action: 1, protocol: 6, localPortRanges: '3389', profiles: 1 };
const SMB: FirewallRuleItem = { name: 'Block SMB out', direction: 'OUT', action: 0, protocol: 6, remotePortRanges: '139,445', enabled: true };
/** A rule the agent of an earlier version wrote to the local store (group Attaché). */
const legacyRule = (name: string) => ({ Name: ruleId(name), DisplayName: name, Group: LEGACY_RULE_GROUP, Profile: 'Any' as const });

describe('Windows firewall rules: stores and upgrade', () => {
  it('removes the rules an earlier agent wrote to the local store once, with their hints, and nothing else', async () => {
    const fw = new EmulatedWindowsFirewall();
    fw.rules.local.push(legacyRule(RDP.name), legacyRule('Old rule'));
    fw.rules.legacyHints.set(ruleId(RDP.name), '{}');
    fw.rules.legacyHintKey = true;
    const foreign = fw.foreignRules();
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    await provider.apply([rules([RDP])]);
    expect(JSON.parse(fw.runner.calls[1]?.stdin ?? '')).toMatchObject({ removeLegacy: true, remove: [] });
    expect(fw.rules.local.filter((r) => r.Group === LEGACY_RULE_GROUP)).toEqual([]);
    expect(fw.rules.legacyHints.size).toBe(0);
    expect(fw.rules.legacyHintKey).toBe(false);
    expect(fw.foreignRules()).toBe(foreign);
    // No duplicate: the one agent RDP rule in force is the MDM one (the admin's own rule of that name is not ours).
    expect(
      fw.rules
        .activeRules()
        .filter((r) => r.Name === ruleId(RDP.name))
        .map((r) => r.Source),
    ).toEqual(['MDM']);
    fw.runner.calls.length = 0;
    await provider.apply([rules([RDP])]);
    expect(fw.runner.calls).toHaveLength(1); // once: nothing left to migrate, nothing to change
  });

  it('a hint key the old agent left without rules is removed too', async () => {
    const fw = new EmulatedWindowsFirewall();
    fw.rules.legacyHintKey = true;
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    await provider.apply([rules([])]);
    expect(JSON.parse(fw.runner.calls[1]?.stdin ?? '')).toEqual({ removeLegacy: true, remove: [], update: [], create: [] });
    expect(fw.rules.legacyHintKey).toBe(false);
  });

  it('an upgrade whose policy has no rules still removes the old local-store rules', async () => {
    const fw = new EmulatedWindowsFirewall();
    fw.rules.local.push(legacyRule('Old rule'));
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    expect(await provider.apply([rules([])])).toEqual([{ settingId: FIREWALL_RULES_SETTING, ok: true }]);
    expect(fw.rules.local.some((r) => r.Group === LEGACY_RULE_GROUP)).toBe(false);
  });

  it('a GPO AllowLocalPolicyMerge=false drops local-store rules but the agent’s MDM rules stay in force', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    await provider.apply([rules([RDP, SMB])]);
    for (const p of ['Domain', 'Private', 'Public']) if (fw.gpo.profiles[p]) (fw.gpo.profiles[p] as Record<string, string>).AllowLocalFirewallRules = 'False';
    const active = fw.rules.activeRules();
    expect(active.filter((r) => r.Source === 'Local')).toEqual([]);
    expect(active.filter((r) => r.Source === 'MDM').map((r) => r.DisplayName)).toEqual(['Intune: allow VPN client', RDP.name, SMB.name]);
    expect(await observeRules(provider)).toEqual([RDP, SMB]);
  });

  it('our own AllowLocalPolicyMerge=false (MDM store) also drops local-store rules, never the agent’s MDM rules', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    await provider.apply([rules([RDP])]);
    for (const p of ['DomainProfile', 'PrivateProfile', 'PublicProfile'] as const) fw.mdm.set(p, { AllowLocalPolicyMerge: false });
    expect(fw.rules.activeRules().map((r) => r.Source)).toEqual(['MDM', 'MDM']);
    expect(await observeRules(provider)).toEqual([RDP]);
  });

  it('a rule in the MDM store that is not in force is not reported, so the setting reads as not enforced', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: golden('firewall-rules-observe-output.json') }));
    const seen = (await observeRules(new WindowsFirewallRulesProvider({ runner }))) as unknown as FirewallRuleItem[];
    expect(seen.map((i) => i.name)).toEqual(['Allow RDP from intranet', 'Block SMB out', 'Allow ping', 'Agent updates']);
  });
});
