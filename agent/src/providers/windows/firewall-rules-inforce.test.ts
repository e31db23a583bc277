// Which of the agent's MDM rules count as in force (review 16c A6): matched by node name; another manager's MDM rule
// with the same display name (common while moving off Intune) never makes ours count.
import { describe, expect, it } from 'vitest';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { type ObservedRules, rulesInForce, WindowsFirewallRulesProvider } from './firewall-rules.js';
import { ruleId } from './firewall-rules-map.js';
import { observeRules } from './testing/firewall-rules-fixtures.js';

const ours = (name: string) => ({ InstanceID: ruleId(name), Name: name, Enabled: true, Direction: 'IN' });
const INTUNE = '{8f3e0c1a-2b4d-4e6f-9a1b-3c5d7e9f0a2b}';

describe('rules in force', () => {
  it('by node name: an Intune rule with our rule’s display name does not vouch for ours', async () => {
    const observed: ObservedRules = {
      rules: [ours('Allow RDP'), ours('Block SMB')],
      active: [
        { Name: ruleId('Block SMB'), DisplayName: 'Block SMB' },
        { Name: INTUNE, DisplayName: 'Allow RDP' },
      ],
      legacy: 0,
    };
    expect([...rulesInForce(observed)]).toEqual([ruleId('Block SMB')]);
    const runner = new ScriptedCommandRunner(() => ({ stdout: JSON.stringify({ ok: true, result: observed }) }));
    const seen = (await observeRules(new WindowsFirewallRulesProvider({ runner }))) as unknown as { name: string }[];
    expect(seen.map((i) => i.name)).toEqual(['Block SMB']);
  });

  it('a device that does not name MDM rules by node name: a display name counts only when exactly one rule has it', () => {
    const observed: ObservedRules = {
      rules: [ours('Allow RDP'), ours('Block SMB')],
      active: [
        { Name: '{1}', DisplayName: 'Block SMB' },
        { Name: '{2}', DisplayName: 'Allow RDP' },
        { Name: INTUNE, DisplayName: 'Allow RDP' },
      ],
      legacy: 0,
    };
    expect([...rulesInForce(observed)]).toEqual([ruleId('Block SMB')]);
  });
});
