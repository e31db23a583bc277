// Boundary tests of the Windows Firewall rules provider: exact invocations for a policy, rules outside the agent's
// group left alone, only differing items re-created, read-back of recorded output, and restart without false drift.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import { valuesEqual } from '../../core/plan.js';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { FIREWALL_RULES_SETTING, planRules, WindowsFirewallRulesProvider } from './firewall-rules.js';
import { type FirewallRuleItem, type ObservedRule, ruleId, ruleSignature } from './firewall-rules-map.js';
import { FIREWALL_RULES_APPLY, FIREWALL_RULES_OBSERVE, RULE_GROUP } from './firewall-scripts.js';
import { powerShellCommand } from './powershell.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';

const golden = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const rules = (to: FirewallRuleItem[] | undefined): SettingChange => ({
  settingId: FIREWALL_RULES_SETTING,
  kind: 'firewallRules',
  from: undefined,
  to: to as unknown as SettingValue,
});

const RDP: FirewallRuleItem = {
  name: 'Allow RDP from intranet',
  direction: 'IN',
  action: 1,
  protocol: 6,
  localPortRanges: '3389',
  remoteAddressRanges: ['Intranet'],
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

describe('Windows firewall rules provider: invocations', () => {
  it('reads the group, then creates each rule with parameters from the item and its exact JSON as hint', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    const [result] = await provider.apply([rules([RDP, PING])]);
    expect(result).toEqual({ settingId: FIREWALL_RULES_SETTING, ok: true });
    expect(fw.runner.calls).toEqual([
      powerShellCommand(FIREWALL_RULES_OBSERVE, null, 300_000),
      powerShellCommand(
        FIREWALL_RULES_APPLY,
        {
          remove: [],
          enable: [],
          create: [
            {
              Parameters: {
                Name: 'Attache-6de305df96477de910724091b0e55535',
                DisplayName: 'Allow RDP from intranet',
                Enabled: 'True',
                Direction: 'Inbound',
                Action: 'Allow',
                Protocol: '6',
                LocalPort: ['3389'],
                RemoteAddress: ['Intranet'],
                Profile: 'Domain',
              },
              Hint: '{"action":1,"direction":"IN","localPortRanges":"3389","name":"Allow RDP from intranet","profiles":1,"protocol":6,"remoteAddressRanges":["Intranet"]}',
            },
            {
              Parameters: {
                Name: ruleId('Allow ping'),
                DisplayName: 'Allow ping',
                Enabled: 'True',
                Direction: 'Inbound',
                Action: 'Allow',
                Protocol: '1',
                IcmpType: ['8'],
                LocalAddress: ['10.0.0.0/8', 'fe80::/64'],
                Profile: 'Any',
              },
              Hint: '{"action":1,"direction":"IN","icmpTypesAndCodes":"8:*","localAddressRanges":["10.0.0.0/8","fe80::/64"],"name":"Allow ping","protocol":1}',
            },
          ],
          hint: [],
        },
        600_000,
      ),
    ]);
  });

  it('derives a stable rule id from the item name only', () => {
    expect(ruleId('Allow RDP from intranet')).toBe(ruleId('Allow RDP from intranet'));
    expect(ruleId('Allow RDP from intranet')).not.toBe(ruleId('allow RDP from intranet'));
    expect(ruleId('x')).toMatch(/^Attache-[0-9a-f]{32}$/);
  });

  it('re-creates only the items that changed, toggles Enabled in place, and removes items no longer wanted', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    await provider.apply([rules([RDP, PING, SMB])]);
    fw.runner.calls.length = 0;
    await provider.apply([rules([RDP, { ...PING, localAddressRanges: ['10.0.0.0/8'] }, { ...SMB, enabled: false }])]);
    expect(fw.runner.calls).toHaveLength(2);
    const plan = JSON.parse(fw.runner.calls[1]?.stdin ?? '');
    expect(plan.remove).toEqual([ruleId('Allow ping')]);
    expect(plan.create.map((c: { Parameters: { DisplayName: string } }) => c.Parameters.DisplayName)).toEqual(['Allow ping']);
    expect(plan.enable).toEqual([{ Name: ruleId('Block SMB out'), Enabled: 'False', Hint: expect.stringContaining('"enabled":false') }]);
    expect(plan.hint).toEqual([]);
    fw.runner.calls.length = 0;
    await provider.apply([rules([RDP])]);
    expect(JSON.parse(fw.runner.calls[1]?.stdin ?? '').remove.sort()).toEqual([ruleId('Allow ping'), ruleId('Block SMB out')].sort());
  });

  it('never reads, changes or removes a rule outside its group, even one with the same display name', async () => {
    const fw = new EmulatedWindowsFirewall();
    const before = fw.foreignRules();
    expect(before).toContain('"DisplayName":"Allow RDP from intranet"');
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    await provider.apply([rules([RDP, PING, SMB])]);
    await provider.apply([rules([{ ...RDP, enabled: false }])]);
    await provider.apply([rules(undefined)]);
    expect(fw.foreignRules()).toBe(before);
    expect((await provider.observe([FIREWALL_RULES_SETTING])).get(FIREWALL_RULES_SETTING)).toEqual([]);
    expect([...fw.rules.values()].filter((r) => r.Group === RULE_GROUP)).toEqual([]);
    expect(fw.hints.size).toBe(0);
  });

  it('reads back the exact items after a restart, without re-applying anything', async () => {
    const fw = new EmulatedWindowsFirewall();
    await new WindowsFirewallRulesProvider({ runner: fw.runner }).apply([rules([RDP, PING, SMB])]);
    const restarted = new WindowsFirewallRulesProvider({ runner: fw.runner });
    const seen = (await restarted.observe([FIREWALL_RULES_SETTING])).get(FIREWALL_RULES_SETTING);
    expect(valuesEqual(seen, [RDP, PING, SMB] as unknown as SettingValue)).toBe(true);
    fw.runner.calls.length = 0;
    expect(await restarted.apply([rules([RDP, PING, SMB])])).toEqual([{ settingId: FIREWALL_RULES_SETTING, ok: true }]);
    expect(fw.runner.calls.map((c) => c.args.at(-1))).toEqual([powerShellCommand(FIREWALL_RULES_OBSERVE, null).args.at(-1)]);
  });

  it('reports what Windows enforces when a rule was changed behind its back (the hint does not mask drift)', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    await provider.apply([rules([RDP])]);
    const rule = fw.rules.get(ruleId(RDP.name));
    if (rule) rule.LocalPort = ['3390'];
    const seen = (await provider.observe([FIREWALL_RULES_SETTING])).get(FIREWALL_RULES_SETTING) as unknown as FirewallRuleItem[];
    expect(seen).toEqual([{ ...RDP, localPortRanges: '3390' }]);
    await provider.apply([rules([RDP])]);
    expect(fw.rules.get(ruleId(RDP.name))?.LocalPort).toEqual(['3389']);
  });

  it('compares addresses by the shared rules (core/net-address.ts): masks, host bits, IPv6 text, mapped IPv4', () => {
    const item = (remoteAddressRanges: string[]) => ({ name: 'r', remoteAddressRanges });
    const same = [
      [['10.1.2.3/255.0.0.0'], ['10.0.0.0/8']],
      [['2001:DB8:0:0::1'], ['2001:db8::1/128']],
      [['::ffff:192.0.2.1'], ['192.0.2.1']],
      [['192.0.2.1/32-192.0.2.9'], ['192.0.2.1-192.0.2.9']],
    ];
    for (const [a, b] of same) expect(ruleSignature(item(a as string[]))).toBe(ruleSignature(item(b as string[])));
    // A leading zero is not read as 10 (nor as octal 8): the entry stays as written, unequal to both.
    expect(ruleSignature(item(['010.0.0.1']))).not.toBe(ruleSignature(item(['10.0.0.1'])));
    expect(ruleSignature(item(['10.0.0.0/255.0.255.0']))).not.toBe(ruleSignature(item(['10.0.0.0/16'])));
  });

  it('stores only a new hint when an item is written differently but means the same', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallRulesProvider({ runner: fw.runner });
    await provider.apply([rules([SMB])]);
    const plain = { name: SMB.name, action: 0 as const, protocol: 6, remotePortRanges: '445,139' };
    expect(ruleSignature(plain)).toBe(ruleSignature(SMB));
    fw.runner.calls.length = 0;
    await provider.apply([rules([plain])]);
    const plan = JSON.parse(fw.runner.calls[1]?.stdin ?? '');
    expect(plan).toMatchObject({ remove: [], enable: [], create: [], hint: [{ Name: ruleId(SMB.name) }] });
    expect((await provider.observe([FIREWALL_RULES_SETTING])).get(FIREWALL_RULES_SETTING)).toEqual([plain]);
  });

  it('refuses the whole list, changing nothing, when an item cannot be expressed with New-NetFirewallRule', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: '{"ok":true,"result":{"rules":[]}}' }));
    const provider = new WindowsFirewallRulesProvider({ runner });
    const results = await provider.apply([
      rules([RDP, { name: 'Calculator', packageFamilyName: 'Microsoft.WindowsCalculator_8wekyb3d8bbwe' }]),
      rules([{ name: 'Ports without protocol', localPortRanges: '80' }]),
      rules([{ name: 'Edge out', direction: 'OUT', edgeTraversal: true }]),
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.message))).toEqual([
      expect.stringMatching(/^no rule changed: rule "Calculator": packageFamilyName has no NetSecurity equivalent/),
      'no rule changed: rule "Ports without protocol": port ranges need protocol 6 (TCP) or 17 (UDP)',
      'no rule changed: rule "Edge out": edgeTraversal applies to inbound (IN) rules only',
    ]);
    expect(runner.calls).toHaveLength(0);
  });

  it('reports the operations that failed by rule name', async () => {
    const runner = new ScriptedCommandRunner((spec) => ({
      stdout: JSON.stringify({
        ok: true,
        result:
          spec.args.at(-1) === powerShellCommand(FIREWALL_RULES_OBSERVE, null).args.at(-1)
            ? { rules: [] }
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
  it('maps Get-NetFirewallRule + filter output (Windows spelling) back to CSP items', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: golden('firewall-rules-observe-output.json') }));
    const seen = (await new WindowsFirewallRulesProvider({ runner }).observe([FIREWALL_RULES_SETTING])).get(FIREWALL_RULES_SETTING);
    expect(seen).toEqual([
      RDP, // from the stored hint
      {
        name: 'Allow ping',
        direction: 'IN',
        action: 1,
        protocol: 1,
        icmpTypesAndCodes: '8',
        localAddressRanges: ['10.0.0.0/255.0.0.0', 'fe80::/64'],
        profiles: 3,
      },
      { name: 'Block SMB out', description: 'Lateral movement', enabled: false, direction: 'OUT', action: 0, protocol: 6, remotePortRanges: '139,445' },
      {
        name: 'Agent updates',
        direction: 'OUT',
        action: 1,
        remoteAddressRanges: ['Defaultgateway', 'RmtIntranet', '192.168.1.10-192.168.1.20'],
        interfaceTypes: ['Lan', 'Wireless'],
        localUserAuthorizationList: 'O:LSD:(A;;CC;;;S-1-5-18)',
        filePath: 'C:\\Program Files\\Attache\\agent.exe',
        serviceName: 'wuauserv',
      },
      { name: 'Teredo in', direction: 'IN', action: 1, protocol: 17, localPortRanges: '3544', profiles: 4, edgeTraversal: true },
    ]);
    // Windows' spelling of "Allow ping" (8, mask) means the CSP item's (8:*, /8): no re-creation is planned for it.
    const observed = (JSON.parse(golden('firewall-rules-observe-output.json')) as { result: { rules: ObservedRule[] } }).result.rules;
    const plan = planRules(
      [{ ...PING, profiles: 3 }],
      observed.filter((r) => r.DisplayName === 'Allow ping'),
    );
    expect(plan).toMatchObject({ remove: [], enable: [], create: [], hint: [{ Name: ruleId('Allow ping') }] });
  });

  it('reads enums PowerShell printed as numbers (Enabled False=2, Direction Inbound=1, Action Block=4)', async () => {
    const raw = { Name: ruleId('n'), DisplayName: 'n', Enabled: 2, Direction: 1, Action: 4, Profile: 'Any', Protocol: 'TCP', LocalPort: '22' };
    const runner = new ScriptedCommandRunner(() => ({ stdout: JSON.stringify({ ok: true, result: { rules: [raw] } }) }));
    const seen = (await new WindowsFirewallRulesProvider({ runner }).observe([FIREWALL_RULES_SETTING])).get(FIREWALL_RULES_SETTING);
    expect(seen).toEqual([{ name: 'n', enabled: false, direction: 'IN', action: 0, protocol: 6, localPortRanges: '22' }]);
  });
});
