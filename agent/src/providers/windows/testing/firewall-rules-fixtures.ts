// Shared pieces of the Windows Firewall rules tests: the change for a rule list and the observed rule list of a provider.
// Test support only.
import type { SettingValue } from '../../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../../core/plan.js';
import { FIREWALL_RULES_SETTING, type WindowsFirewallRulesProvider } from '../firewall-rules.js';
import type { FirewallRuleItem } from '../firewall-rules-map.js';

/** The firewallRules.rules change to `to` (undefined: stop managing). */
export function rulesChange(to: FirewallRuleItem[] | undefined): SettingChange {
  return { settingId: FIREWALL_RULES_SETTING, kind: 'firewallRules', from: undefined, to: to as unknown as SettingValue };
}

/** What the provider reports for firewallRules.rules. */
export async function observeRules(provider: WindowsFirewallRulesProvider): Promise<SettingValue | undefined> {
  return (await provider.observe([FIREWALL_RULES_SETTING])).get(FIREWALL_RULES_SETTING);
}
