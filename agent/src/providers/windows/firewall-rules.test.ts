// Boundary tests of the Windows Firewall rules provider: exact invocations for a policy (MDM bridge instances on
// stdin), other managers' rules left alone, only differing items replaced, exact read-back of golden output; upgrade
// and store merge in firewall-rules-stores.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { FIREWALL_RULES_SETTING, planRules, WindowsFirewallRulesProvider } from './firewall-rules.js';
import { type FirewallRuleItem, itemFromRule, ruleId, ruleInstance } from './firewall-rules-map.js';
import {
  FIREWALL_RULES_APPLY,
  FIREWALL_RULES_OBSERVE,
  LEGACY_HINT_KEY,
  LEGACY_RULE_GROUP,
  RULE_ID_PATTERN,
  RULE_PROPERTIES,
  RULES_PARENT,
} from './firewall-rules-scripts.js';
import { powerShellCommand } from './powershell.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';
import { observeRules, rulesChange as rules } from './testing/firewall-rules-fixtures.js';

const golden = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

const RDP: FirewallRuleItem = {
  name: 'Allow RDP from intranet',
  enabled: true,
  direction: 'IN',
  action: 1,
  protocol: 6,
  localPortRanges: '3389',
  remoteAddressRanges: ['Intranet', '10.0.0.0/8'],
  profiles: 1,
};
const PING: FirewallRuleItem = {
  name: 'Allow ping',
  direction: 'IN',
  action: 1,
  protocol: 1,
  icmpTypesAndCodes: '8:*',
  localAddressRanges: ['10.0.0.0/8', 'fe80::/64'],
};
const SMB: FirewallRuleItem = {
  name: 'Block SMB out',
  direction: 'OUT',
  action: 0,
  protocol: 6,
  remotePortRanges: '139,445',
  profiles: 0x7fffffff,
  enabled: true,
};
const AGENT: FirewallRuleItem = {
  name: 'Agent updates',
  enabled: true,
  interfaceTypes: ['Lan', 'Wireless', 'MBB'],
  localUserAuthorizedList: 'O:LSD:(A;;CC;;;S-1-5-18)',
  filePath: 'C:\\Program Files\\Attache\\agent.exe',
};

/** A rule the agent of an earlier version wrote to the local store (group Attaché). */
const _legacyRule = (name: string) => ({ Name: ruleId(name), DisplayName: name, Group: LEGACY_RULE_GROUP, Profile: 'Any' as const });

describe('Windows firewall rules provider: invocations', () => {
  it('reads the MDM store, then creates each rule as bridge instances built verbatim from the item', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    expect(await provider.apply([rules([RDP, AGENT])])).toEqual([{ settingId: FIREWALL_RULES_SETTING, ok: true }]);
    // Written by hand from the Firewall CSP node names (mde-domain.md §2.4); absent fields stay unset (CSP defaults).
    const plan = {
      remove: [],
      update: [],
      create: [
        {
          InstanceID: 'Attache-6de305df96477de910724091b0e55535',
          Rule: {
            Name: 'Allow RDP from intranet',
            Enabled: true,
            Direction: 'IN',
            Protocol: 6,
            LocalPortRanges: '3389',
            RemoteAddressRanges: 'Intranet,10.0.0.0/8',
            Profiles: 1,
          },
          App: null,
          Action: { Type: 1 },
        },
        {
          InstanceID: ruleId('Agent updates'),
          Rule: { Name: 'Agent updates', Enabled: true, InterfaceTypes: 'Lan,Wireless,MBB', LocalUserAuthorizedList: 'O:LSD:(A;;CC;;;S-1-5-18)' },
          App: { FilePath: 'C:\\Program Files\\Attache\\agent.exe' },
          Action: null,
        },
      ],
    };
    expect(fw.runner.calls).toEqual([powerShellCommand(FIREWALL_RULES_OBSERVE, null, 300_000), powerShellCommand(FIREWALL_RULES_APPLY, plan, 600_000)]);
  });

  it('a rule without enabled is created without Enabled: the CSP default, disabled — never enabled by the agent', () => {
    expect(ruleInstance(PING).Rule).not.toHaveProperty('Enabled');
    expect(itemFromRule({ InstanceID: ruleId(PING.name), ...ruleInstance(PING).Rule, Action: { Type: 1 } })).toEqual(PING);
    // The script adds the App/Action children before it switches an enabled rule on.
    const text = FIREWALL_RULES_APPLY.text;
    expect(text.indexOf("$rule['Enabled'] = $false")).toBeLessThan(text.indexOf("'MDM_Firewall_Action04' -Property"));
    expect(text.indexOf("'MDM_Firewall_Action04' -Property")).toBeLessThan(text.indexOf("$created.CimInstanceProperties['Enabled'].Value = $true"));
  });

  it('derives a stable node name from the item name only', () => {
    expect(ruleId('Allow RDP from intranet')).toBe(ruleId('Allow RDP from intranet'));
    expect(ruleId('Allow RDP from intranet')).not.toBe(ruleId('allow RDP from intranet'));
    expect(ruleId('x')).toMatch(/^Attache-[0-9a-f]{32}$/);
  });

  it('updates only the items that changed, in place, and removes items no longer wanted', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    await provider.apply([rules([RDP, PING, SMB])]);
    fw.runner.calls.length = 0;
    await provider.apply([rules([RDP, { ...PING, localAddressRanges: ['10.0.0.0/8'] }, { ...SMB, enabled: false }])]);
    const plan = JSON.parse(fw.runner.calls[1]?.stdin ?? '');
    expect(plan.remove).toEqual([]);
    expect(plan.create).toEqual([]);
    expect(plan.update.map((c: { Rule: { Name: string } }) => c.Rule.Name)).toEqual(['Allow ping', 'Block SMB out']);
    expect(await observeRules(provider)).toEqual([RDP, { ...PING, localAddressRanges: ['10.0.0.0/8'] }, { ...SMB, enabled: false }]);
    fw.runner.calls.length = 0;
    await provider.apply([rules([RDP])]);
    expect(JSON.parse(fw.runner.calls[1]?.stdin ?? '').remove.sort()).toEqual([ruleId('Allow ping'), ruleId('Block SMB out')].sort());
  });

  it('never changes another manager’s rule (Intune’s MDM rule, local and GPO rules), even one with the same display name', async () => {
    const fw = new EmulatedWindowsFirewall();
    const before = fw.foreignRules();
    expect(before).toContain('"DisplayName":"Allow RDP from intranet"');
    expect(before).toContain('Intune: allow VPN client');
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    await provider.apply([rules([RDP, PING, SMB])]);
    await provider.apply([rules([{ ...RDP, enabled: false }])]);
    await provider.apply([rules(undefined)]);
    expect(fw.foreignRules()).toBe(before);
    expect(await observeRules(provider)).toEqual([]);
  });

  it('reads back the exact items after a restart, without re-applying anything', async () => {
    const fw = new EmulatedWindowsFirewall();
    await new WindowsFirewallRulesProvider({ runner: fw.runner }).apply([rules([RDP, PING, SMB, AGENT])]);
    const restarted = new WindowsFirewallRulesProvider({ runner: fw.runner });
    expect(await observeRules(restarted)).toEqual([RDP, PING, SMB, AGENT]);
    fw.runner.calls.length = 0;
    expect(await restarted.apply([rules([RDP, PING, SMB, AGENT])])).toEqual([{ settingId: FIREWALL_RULES_SETTING, ok: true }]);
    expect(fw.runner.calls.map((c) => c.args.at(-1))).toEqual([powerShellCommand(FIREWALL_RULES_OBSERVE, null).args.at(-1)]);
  });

  it('reports a rule changed behind its back as it is, and puts it back', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    await provider.apply([rules([RDP])]);
    const node = fw.rules.mdm.get(ruleId(RDP.name));
    if (node) node.rule.LocalPortRanges = '3390';
    expect(await observeRules(provider)).toEqual([{ ...RDP, localPortRanges: '3390' }]);
    await provider.apply([rules([RDP])]);
    expect(fw.rules.mdm.get(ruleId(RDP.name))?.rule.LocalPortRanges).toBe('3389');
  });

  it('refuses the whole list, changing nothing, when an item cannot be written to the Firewall CSP', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: '{"ok":true,"result":{"rules":[],"active":[],"legacy":0}}' }));
    const results = await new WindowsFirewallRulesProvider({ runner }).apply([
      rules([{ name: 'Ports without protocol', localPortRanges: '80' }]),
      rules([{ name: 'Edge out', direction: 'OUT', edgeTraversal: true }]),
      rules([{ name: 'Any ICMP code', protocol: 1, icmpTypesAndCodes: '*:*' }]),
      rules([{ name: 'All in a list', protocol: 1, icmpTypesAndCodes: '*,3:4' }]),
      rules([{ name: 'ICMP on TCP', protocol: 6, icmpTypesAndCodes: '8' }]),
      rules([{ name: 'All and Lan', interfaceTypes: ['All', 'Lan'] }]),
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.message))).toEqual([
      'no rule changed: rule "Ports without protocol": port ranges need protocol 6 (TCP) or 17 (UDP)',
      'no rule changed: rule "Edge out": edgeTraversal applies to inbound (IN) rules only',
      'no rule changed: rule "Any ICMP code": icmpTypesAndCodes: "*:<code>", "*:*" and "*" inside a list are invalid (use "*" alone)',
      'no rule changed: rule "All in a list": icmpTypesAndCodes: "*:<code>", "*:*" and "*" inside a list are invalid (use "*" alone)',
      'no rule changed: rule "ICMP on TCP": icmpTypesAndCodes needs protocol 1 (ICMPv4) or 58 (ICMPv6)',
      'no rule changed: rule "All and Lan": interfaceTypes: "All" must stand alone',
    ]);
    expect(runner.calls).toHaveLength(0);
  });

  it('reports the operations that failed by rule name', async () => {
    const runner = new ScriptedCommandRunner((spec) => ({
      stdout: JSON.stringify({
        ok: true,
        result:
          spec.args.at(-1) === powerShellCommand(FIREWALL_RULES_OBSERVE, null).args.at(-1)
            ? { rules: [], active: [], legacy: 0 }
            : { results: [{ op: 'create', name: ruleId(RDP.name), error: 'Access is denied.' }] },
      }),
    }));
    const [r] = await new WindowsFirewallRulesProvider({ runner }).apply([rules([RDP])]);
    expect(r).toMatchObject({
      ok: false,
      code: 'SETTING_APPLY_FAILED',
      message: 'firewall rules not fully applied: create "Allow RDP from intranet": Access is denied.',
    });
  });
});

describe('Windows firewall rules: read-back of recorded output', () => {
  it('maps the bridge instances and their App/Action children back to the exact CSP items', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: golden('firewall-rules-observe-output.json') }));
    expect(await observeRules(new WindowsFirewallRulesProvider({ runner }))).toEqual([
      RDP,
      {
        name: 'Block SMB out',
        description: 'no SMB to the internet',
        enabled: true,
        direction: 'OUT',
        action: 0,
        protocol: 6,
        remotePortRanges: '139,445',
        profiles: 2147483647,
      },
      PING,
      AGENT,
    ]);
    const golden2 = JSON.parse(golden('firewall-rules-observe-output.json')).result;
    // Nothing to do for the same items (the old local-store rules are the upgrade clean-up's, not the plan's).
    const plan = planRules(
      [
        RDP,
        PING,
        AGENT,
        { ...SMB, description: 'no SMB to the internet' },
        { name: 'Not in force', enabled: true, direction: 'OUT', protocol: 17, remotePortRanges: '53' },
      ],
      golden2,
    );
    expect(plan).toEqual({ remove: [], update: [], create: [] });
  });

  it('reports the failed operations of golden apply output by rule name', async () => {
    const runner = new ScriptedCommandRunner((spec) => ({
      stdout:
        spec.args.at(-1) === powerShellCommand(FIREWALL_RULES_OBSERVE, null).args.at(-1)
          ? JSON.stringify({ ok: true, result: { rules: [], active: [], legacy: 1 } })
          : golden('firewall-rules-apply-output.json'),
    }));
    const [r] = await new WindowsFirewallRulesProvider({ runner }).apply([rules([RDP, PING])]);
    expect(r).toEqual({
      settingId: FIREWALL_RULES_SETTING,
      ok: false,
      code: 'SETTING_APPLY_FAILED',
      message: 'firewall rules not fully applied: create "Allow ping": A general error occurred that is not covered by a more specific error code.',
    });
  });

  it('keeps the scripts’ property lists identical to the table', () => {
    const line = FIREWALL_RULES_APPLY.text.split('\n').find((l) => l.startsWith('$ruleProps = @(')) ?? '';
    expect([...line.matchAll(/'([A-Za-z]+)'/g)].map((m) => m[1])).toEqual(Object.keys(RULE_PROPERTIES));
    expect(FIREWALL_RULES_APPLY.text).not.toMatch(/New-NetFirewallRule|Set-NetFirewallRule/);
    expect(FIREWALL_RULES_APPLY.text).toContain(`$parent = '${RULES_PARENT}'`);
    expect(FIREWALL_RULES_APPLY.text).toContain(`$idPattern = '${RULE_ID_PATTERN.source}'`);
    expect(FIREWALL_RULES_APPLY.text).toContain(`DeleteSubKeyTree('${LEGACY_HINT_KEY}', $false)`);
    expect(FIREWALL_RULES_APPLY.text).toContain(`-Group '${LEGACY_RULE_GROUP}' -PolicyStore PersistentStore`);
  });
});
