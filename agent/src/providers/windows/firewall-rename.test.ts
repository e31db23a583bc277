// A stored firewall-rules policy written before the rename localUserAuthorizationList → localUserAuthorizedList (the
// Firewall CSP node name) is refused by the same catalog check on the endpoint (`attache-admin policy validate`, the
// API) and on the agent, and the refusal names the new property (review 16c A7).
import { describe, expect, it } from 'vitest';
import { validatePolicySettings } from '../../../../common/validation.js';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import { settingStatuses } from '../../core/outcome.js';
import { applyEffective } from '../../sync/apply.js';
import { FIREWALL_RULES_SETTING, WindowsFirewallRulesProvider } from './firewall-rules.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';

const OLD_ITEM = { name: 'Agent updates', enabled: true, localUserAuthorizationList: 'O:LSD:(A;;CC;;;S-1-5-18)' };
const NAMED = 'unknown property "localUserAuthorizationList": renamed to "localUserAuthorizedList"';

describe('the renamed firewall rule property', () => {
  it('the catalog check names the new property', () => {
    expect(() => validatePolicySettings({ kind: 'firewallRules', settings: { [FIREWALL_RULES_SETTING]: [OLD_ITEM] } })).toThrow(NAMED);
  });

  it('the agent reports the setting failed with that message and changes no rule', async () => {
    const fw = new EmulatedWindowsFirewall();
    const effective = [
      {
        settingId: FIREWALL_RULES_SETTING,
        kind: 'firewallRules' as const,
        policyIds: ['p'],
        outcome: 'enforce' as const,
        value: [OLD_ITEM] as unknown as SettingValue,
      },
    ];
    const before = fw.foreignRules();
    const report = await applyEffective(effective, [new WindowsFirewallRulesProvider({ runner: fw.runner })]);
    const [status] = settingStatuses(effective, report);
    expect(status?.code).toBe('POLICY_INVALID');
    expect(status?.message).toContain(NAMED);
    expect([...fw.rules.mdm.keys()].filter((id) => id.startsWith('Attache-'))).toEqual([]);
    expect(fw.foreignRules()).toBe(before);
  });
});
