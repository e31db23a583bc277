// Windows Firewall rules provider (policy kind firewallRules): the items of firewallRules.rules become rules in the
// group the agent owns (RULE_GROUP), one rule per item, -Name derived from the item key. Only items that differ from
// what is there are re-created; rules outside the group are never read, changed or removed.
import { canonicalJson } from '../../../../common/canonical-json.js';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import type { CommandRunner } from '../../system/command-runner.js';
import type { ApplyResult, SettingsProvider } from '../provider.js';
import {
  type FirewallRuleItem,
  itemFromRule,
  type ObservedRule,
  type RuleParameters,
  reportedItem,
  ruleId,
  ruleParameters,
  ruleProblem,
  ruleSignature,
} from './firewall-rules-map.js';
import { FIREWALL_RULES_APPLY, FIREWALL_RULES_OBSERVE } from './firewall-scripts.js';
import { runPowerShell } from './powershell.js';

export const FIREWALL_RULES_SETTING = 'firewallRules.rules';

/** What FIREWALL_RULES_APPLY is asked to do, in its order: remove, enable/disable, create, store hints. */
export interface RulesPlan {
  readonly remove: string[];
  readonly enable: { Name: string; Enabled: 'True' | 'False'; Hint: string }[];
  readonly create: { Parameters: RuleParameters; Hint: string }[];
  readonly hint: { Name: string; Hint: string }[];
}

/** The operations that turn the observed rules of the group into the desired items (pure; exported for tests). */
export function planRules(desired: readonly FirewallRuleItem[], observed: readonly ObservedRule[]): RulesPlan {
  const plan: RulesPlan = { remove: [], enable: [], create: [], hint: [] };
  const wanted = new Map(desired.map((item) => [ruleId(item.name), item]));
  const present = new Map(observed.map((rule) => [rule.Name, rule]));
  for (const rule of observed) if (!wanted.has(rule.Name)) plan.remove.push(rule.Name);
  for (const [id, item] of wanted) {
    const hint = canonicalJson(item);
    const rule = present.get(id);
    if (!rule) {
      plan.create.push({ Parameters: ruleParameters(item), Hint: hint });
      continue;
    }
    const current = itemFromRule(rule);
    const want = ruleSignature(item);
    if (ruleSignature(current) === want) {
      if (rule.Hint !== hint) plan.hint.push({ Name: id, Hint: hint });
    } else if (ruleSignature({ ...current, enabled: item.enabled !== false }) === want) {
      plan.enable.push({ Name: id, Enabled: item.enabled === false ? 'False' : 'True', Hint: hint });
    } else {
      plan.remove.push(id);
      plan.create.push({ Parameters: ruleParameters(item), Hint: hint });
    }
  }
  return plan;
}

function isEmpty(plan: RulesPlan): boolean {
  return plan.remove.length + plan.enable.length + plan.create.length + plan.hint.length === 0;
}

/** Desired items from a change, or the reason they cannot be enforced (nothing is changed then). */
function desiredItems(to: SettingValue | undefined): { items: FirewallRuleItem[] } | { problem: string } {
  if (to === undefined) return { items: [] };
  if (!Array.isArray(to) || to.some((i: unknown) => typeof i !== 'object' || i === null || typeof (i as { name?: unknown }).name !== 'string'))
    return { problem: 'value must be a list of firewall rule objects with a name' };
  const items = to as unknown as FirewallRuleItem[];
  const problems = items.flatMap((item) => {
    const problem = ruleProblem(item);
    return problem ? [`rule ${JSON.stringify(item.name)}: ${problem}`] : [];
  });
  if (new Set(items.map((i) => i.name)).size !== items.length) problems.push('two rules have the same name');
  return problems.length > 0 ? { problem: `no rule changed: ${problems.join('; ')}` } : { items };
}

/** The fields Get-NetFirewallRule prints as lists; every other field is one value. */
const LIST_FIELDS = new Set(['LocalPort', 'RemotePort', 'IcmpType', 'LocalAddress', 'RemoteAddress']);

function ruleField(key: string, v: unknown): string | string[] | undefined {
  const text = (x: unknown) => (typeof x === 'string' ? x : typeof x === 'number' ? String(x) : undefined);
  if (!LIST_FIELDS.has(key) || !Array.isArray(v)) return text(v);
  const items = v.map(text);
  return items.every((x) => x !== undefined) ? (items as string[]) : undefined;
}

function parseRules(result: unknown): ObservedRule[] {
  const rules = (result as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) throw new Error('firewall-rules-observe: unexpected output');
  return rules
    .filter((r): r is ObservedRule => typeof r === 'object' && r !== null && typeof r.Name === 'string' && typeof r.DisplayName === 'string')
    .map((r) => {
      // Enum fields as names; a number (an enum PowerShell printed raw) becomes its digits, which the map also reads.
      // Anything else that is not text (or a list of text) is not a value Get-NetFirewallRule prints: left out, so the
      // rule reads as whatever its other fields say (drift) instead of the map throwing a TypeError on it.
      const fields = Object.entries(r).flatMap(([k, v]) => {
        const value = ruleField(k, v);
        return value === undefined ? [] : [[k, value]];
      });
      return Object.fromEntries(fields) as ObservedRule;
    });
}

export class WindowsFirewallRulesProvider implements SettingsProvider {
  readonly kind = 'firewallRules' as const;

  constructor(private readonly deps: { readonly runner: CommandRunner }) {}

  unsupportedReason(settingId: string): string | undefined {
    return settingId === FIREWALL_RULES_SETTING ? undefined : `${settingId} is not a Windows Firewall rules setting`;
  }

  async observe(settingIds: readonly string[]): Promise<Map<string, SettingValue | undefined>> {
    const out = new Map<string, SettingValue | undefined>(settingIds.map((id) => [id, undefined]));
    if (!settingIds.includes(FIREWALL_RULES_SETTING)) return out;
    const items = (await this.readRules()).map(reportedItem);
    out.set(FIREWALL_RULES_SETTING, items as unknown as SettingValue);
    return out;
  }

  async apply(changes: readonly SettingChange[]): Promise<ApplyResult[]> {
    const results: ApplyResult[] = [];
    for (const change of changes) results.push(await this.applyOne(change));
    return results;
  }

  private async applyOne(change: SettingChange): Promise<ApplyResult> {
    const { settingId } = change;
    const reason = this.unsupportedReason(settingId);
    if (reason) return { settingId, ok: false, code: 'SETTING_NOT_APPLICABLE', message: reason };
    const desired = desiredItems(change.to);
    if ('problem' in desired) return { settingId, ok: false, code: 'SETTING_APPLY_FAILED', message: desired.problem };
    try {
      const plan = planRules(desired.items, await this.readRules());
      if (isEmpty(plan)) return { settingId, ok: true };
      const failures = parseResults(await runPowerShell(this.deps.runner, FIREWALL_RULES_APPLY, plan, 600_000));
      if (failures.length === 0) return { settingId, ok: true };
      const names = new Map(desired.items.map((i) => [ruleId(i.name), i.name]));
      const detail = failures.map((f) => `${f.op} ${JSON.stringify(names.get(f.name) ?? f.name)}: ${f.error}`).join('; ');
      return { settingId, ok: false, code: 'SETTING_APPLY_FAILED', message: `firewall rules not fully applied: ${detail}` };
    } catch (err) {
      return { settingId, ok: false, code: 'SETTING_APPLY_FAILED', message: err instanceof Error ? err.message : String(err) };
    }
  }

  private async readRules(): Promise<ObservedRule[]> {
    return parseRules(await runPowerShell(this.deps.runner, FIREWALL_RULES_OBSERVE, null, 300_000));
  }
}

function parseResults(result: unknown): { op: string; name: string; error: string }[] {
  const results = (result as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) throw new Error('firewall-rules-apply: unexpected output');
  return results.flatMap((r: { op?: unknown; name?: unknown; error?: unknown }) =>
    typeof r?.error === 'string' && r.error !== '' ? [{ op: String(r.op), name: String(r.name), error: r.error }] : [],
  );
}
