// The Windows Firewall rules provider against the emulated stores: the earlier agent's local-store rules removed once
// by the first sync after the upgrade (no duplicates; through enforce, whatever the policy says), MDM-store rules still in force under a GPO AllowLocalPolicyMerge=false, and an MDM rule
// that is not in force not reported.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { Baseline } from '../../core/baseline.js';
import type { EffectiveSetting } from '../../core/effective.js';
import { silentLogger } from '../../logging.js';
import type { AgentHost } from '../../platform/index.js';
import { StateStore } from '../../state/state-store.js';
import { enforce } from '../../sync/enforce.js';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { MemoryFileStore } from '../../system/file-store.js';
import { createWindowsFirewallProviders } from './firewall.js';
import { FIREWALL_WRITE_SCHEME } from './firewall-legacy.js';
import { FIREWALL_RULES_SETTING, WindowsFirewallRulesProvider } from './firewall-rules.js';
import { type FirewallRuleItem, ruleId } from './firewall-rules-map.js';
import { LEGACY_RULE_GROUP } from './firewall-rules-scripts.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';
import { observeRules, rulesChange as rules } from './testing/firewall-rules-fixtures.js';

const AT = '2026-12-05T10:00:00.000Z';

/** The previous agent's baseline.json (no write scheme) on an emulated device, and the sync's dependencies. */
async function upgradedDevice(
  fw: EmulatedWindowsFirewall,
  baseline: Baseline = { [FIREWALL_RULES_SETTING]: { kind: 'firewallRules', original: [], applied: [], recordedAt: AT } },
) {
  const store = new StateStore('/state', { posixPermissions: false, files: new MemoryFileStore() });
  await store.writeBaseline(baseline);
  const host = { platform: 'windows', providers: createWindowsFirewallProviders({ runner: fw.runner }) } as unknown as AgentHost;
  return { store, deps: { store, host, logger: silentLogger() } };
}

const managedRules = (items: FirewallRuleItem[]): EffectiveSetting => ({
  settingId: FIREWALL_RULES_SETTING,
  kind: 'firewallRules',
  policyIds: ['p'],
  outcome: 'enforce',
  value: items as unknown as SettingValue,
});

const golden = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

const RDP: FirewallRuleItem = { name: 'Allow RDP from intranet', enabled: true, direction: 'IN', action: 1, protocol: 6, localPortRanges: '3389', profiles: 1 };
const SMB: FirewallRuleItem = { name: 'Block SMB out', direction: 'OUT', action: 0, protocol: 6, remotePortRanges: '139,445', enabled: true };
/** A rule the agent of an earlier version wrote to the local store (group Attaché). */
const legacyRule = (name: string) => ({ Name: ruleId(name), DisplayName: name, Group: LEGACY_RULE_GROUP, Profile: 'Any' as const });

describe('Windows firewall rules: stores and upgrade', () => {
  it('the first sync after the upgrade removes the old local-store rules and hints once, and nothing else', async () => {
    const fw = new EmulatedWindowsFirewall();
    fw.rules.local.push(legacyRule(RDP.name), legacyRule('Old rule'));
    fw.rules.legacyHints.set(ruleId(RDP.name), '{}');
    fw.rules.legacyHintKey = true;
    const foreign = fw.foreignRules();
    const { deps, store } = await upgradedDevice(fw);
    const { evidence } = await enforce([managedRules([RDP])], deps, { at: AT, restore: true });
    expect(evidence.failed.size).toBe(0);
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
    expect((await store.readBaseline())[FIREWALL_RULES_SETTING]?.scheme).toBe(FIREWALL_WRITE_SCHEME);
    // Once: a rule of that group put back afterwards is not the clean-up's business any more.
    fw.rules.local.push(legacyRule('Put back by hand'));
    await enforce([managedRules([RDP])], deps, { at: AT, restore: true });
    expect(fw.rules.local.filter((r) => r.Group === LEGACY_RULE_GROUP).map((r) => r.DisplayName)).toEqual(['Put back by hand']);
  });

  it('runs even when no rules apply happens: the policy wants the rules already in force', async () => {
    const fw = new EmulatedWindowsFirewall();
    fw.rules.legacyHintKey = true;
    fw.rules.local.push(legacyRule('Old rule'));
    const { deps } = await upgradedDevice(fw);
    await enforce([managedRules([])], deps, { at: AT, restore: true });
    expect(fw.rules.legacyHintKey).toBe(false);
    expect(fw.rules.local.some((r) => r.Group === LEGACY_RULE_GROUP)).toBe(false);
  });

  it('runs when the policies no longer manage the rules at all', async () => {
    const fw = new EmulatedWindowsFirewall();
    fw.rules.local.push(legacyRule('Old rule'));
    const { deps, store } = await upgradedDevice(fw);
    await enforce([], deps, { at: AT, restore: true });
    expect(fw.rules.local.some((r) => r.Group === LEGACY_RULE_GROUP)).toBe(false);
    expect(await store.readBaseline()).toEqual({});
  });

  it('a device whose old agent never managed rules keeps its local rules, even in group Attaché', async () => {
    const fw = new EmulatedWindowsFirewall();
    fw.rules.local.push(legacyRule('Not ours to judge'));
    const { deps } = await upgradedDevice(fw, {});
    await enforce([managedRules([RDP])], deps, { at: AT, restore: true });
    expect(fw.rules.local.filter((r) => r.Group === LEGACY_RULE_GROUP)).toHaveLength(1);
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
