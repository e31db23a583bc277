// Changed-rule handling (review 16c A1, A2): a device that reads unset rule nodes back as the CSP defaults does not make
// every rule look changed (compared with the defaults filled in on both sides), and a changed rule is updated in place,
// so a refused update leaves the old rule in force and reports why.
import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import { settingStatuses } from '../../core/outcome.js';
import { applyEffective } from '../../sync/apply.js';
import { FIREWALL_RULES_SETTING, WindowsFirewallRulesProvider } from './firewall-rules.js';
import { type FirewallRuleItem, itemFromRule, type ObservedRule, ruleId, sameRule } from './firewall-rules-map.js';
import { FIREWALL_RULES_APPLY } from './firewall-rules-scripts.js';
import { powerShellCommand } from './powershell.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';
import { rulesChange as rules } from './testing/firewall-rules-fixtures.js';

/** Leaves out direction, action, profiles, interface types, addresses, edge traversal: all CSP defaults. */
const UPDATES: FirewallRuleItem = { name: 'Agent updates', enabled: true, protocol: 6, remotePortRanges: '443' };
const BLOCK_SMB: FirewallRuleItem = { name: 'Block SMB in', enabled: true, direction: 'IN', action: 0, protocol: 6, localPortRanges: '445' };
const DISABLED: FirewallRuleItem = { name: 'Prepared, off', enabled: false, direction: 'OUT', protocol: 17, remotePortRanges: '53' };

const setting = (items: FirewallRuleItem[]) => ({
  settingId: FIREWALL_RULES_SETTING,
  kind: 'firewallRules' as const,
  policyIds: ['p'],
  outcome: 'enforce' as const,
  value: items as unknown as SettingValue,
});
const isApply = (fw: EmulatedWindowsFirewall) => fw.runner.calls.filter((c) => c.args.at(-1) === powerShellCommand(FIREWALL_RULES_APPLY, null).args.at(-1));

describe('firewall rules read back with the CSP defaults filled in (A1)', () => {
  it('the filled-in read-back makes the same rule as the item that left them out, and a real difference still counts', async () => {
    const fw = new EmulatedWindowsFirewall();
    fw.rules.fillsDefaults = true;
    await new WindowsFirewallRulesProvider({ runner: fw.runner }).apply([rules([UPDATES])]);
    const [node] = (fw.rules.observe() as { rules: ObservedRule[] }).rules;
    const filled = itemFromRule(node as ObservedRule);
    expect(filled).toMatchObject({ ...UPDATES, direction: 'OUT', action: 1, profiles: 2147483647, interfaceTypes: ['All'] });
    expect(sameRule(filled, UPDATES)).toBe(true);
    expect(sameRule({ ...filled, direction: 'IN' }, UPDATES)).toBe(false);
    expect(sameRule({ ...filled, action: 0 }, UPDATES)).toBe(false);
    expect(sameRule({ name: 'x' }, { name: 'x', enabled: false })).toBe(true);
  });

  it('through whole syncs: succeeded the first time, and the second sync changes nothing', async () => {
    const fw = new EmulatedWindowsFirewall();
    fw.rules.fillsDefaults = true;
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    const effective = [setting([UPDATES, BLOCK_SMB, DISABLED])];
    const first = await applyEffective(effective, [provider]);
    expect(settingStatuses(effective, first).map((s) => s.state)).toEqual(['succeeded']);
    expect(isApply(fw)).toHaveLength(1);
    fw.runner.calls.length = 0;
    const second = await applyEffective(effective, [provider]);
    expect(second.changes).toEqual([]);
    expect(isApply(fw)).toHaveLength(0);
    expect(settingStatuses(effective, second).map((s) => s.state)).toEqual(['succeeded']);
  });

  it('a rule changed behind our back is still seen and put back', async () => {
    const fw = new EmulatedWindowsFirewall();
    fw.rules.fillsDefaults = true;
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    const effective = [setting([BLOCK_SMB])];
    await applyEffective(effective, [provider]);
    const node = fw.rules.mdm.get(ruleId(BLOCK_SMB.name));
    fw.rules.mdm.set(ruleId(BLOCK_SMB.name), { rule: { ...node?.rule, Enabled: false }, app: null, action: { Type: 0 } });
    const report = await applyEffective(effective, [provider]);
    expect(report.changes).toHaveLength(1);
    expect(fw.rules.mdm.get(ruleId(BLOCK_SMB.name))?.rule.Enabled).toBe(true);
    expect(settingStatuses(effective, report).map((s) => s.state)).toEqual(['succeeded']);
  });
});

describe('a changed rule is updated in place (A2)', () => {
  it('never removes the old rule: the change goes as an update of the same node', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    await provider.apply([rules([BLOCK_SMB])]);
    fw.runner.calls.length = 0;
    const wider = { ...BLOCK_SMB, localPortRanges: '139,445' };
    expect(await provider.apply([rules([wider])])).toEqual([{ settingId: FIREWALL_RULES_SETTING, ok: true }]);
    const plan = JSON.parse(fw.runner.calls[1]?.stdin ?? '');
    expect(plan).toMatchObject({ remove: [], create: [], update: [{ InstanceID: ruleId(BLOCK_SMB.name) }] });
    expect(fw.rules.mdm.get(ruleId(BLOCK_SMB.name))?.rule.LocalPortRanges).toBe('139,445');
    // A field the item no longer has is cleared (its CSP default holds), not kept from the old rule.
    await provider.apply([rules([{ name: BLOCK_SMB.name, enabled: true, direction: 'IN', action: 0, protocol: 6 }])]);
    expect(fw.rules.mdm.get(ruleId(BLOCK_SMB.name))?.rule).not.toHaveProperty('LocalPortRanges');
  });

  it('an update the device refuses leaves the old rule in force and reports the error by rule name', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    await provider.apply([rules([BLOCK_SMB])]);
    const before = structuredClone(fw.rules.mdm.get(ruleId(BLOCK_SMB.name)));
    const [result] = await provider.apply([rules([{ ...BLOCK_SMB, policyAppId: 'not a valid app id!' }])]);
    expect(result).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED' });
    expect(result && !result.ok ? result.message : '').toContain(`update "${BLOCK_SMB.name}": The parameter is incorrect. (PolicyAppId)`);
    expect(fw.rules.mdm.get(ruleId(BLOCK_SMB.name))).toEqual(before);
    expect(fw.rules.activeRules().some((r) => r.Name === ruleId(BLOCK_SMB.name))).toBe(true);
  });

  it('the script restores the old values when an update fails part-way, and enables a rule only after its children', () => {
    const text = FIREWALL_RULES_APPLY.text;
    expect(text).toContain('$old = Get-Snapshot $ours[$id]');
    expect(text).toContain('Set-RuleState $id $old.Rule $old.App $old.Action');
    // Only nodes that have a value are cleared (never a Delete of a node that is not there).
    expect(text).toContain('if ($null -ne $want[$n] -or $null -ne $cur.$n) { $h[$n] = $want[$n] }');
    const setState = text.slice(text.indexOf('function Set-RuleState'));
    expect(setState.indexOf("Set-Child 'MDM_Firewall_Action04'")).toBeLessThan(setState.indexOf('@{ Enabled = $true }'));
  });
});
