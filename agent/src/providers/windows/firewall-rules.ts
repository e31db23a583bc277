// Windows Firewall rules provider (policy kind firewallRules): each item of firewallRules.rules is one Firewall CSP
// MdmStore/FirewallRules node written through the MDM bridge, node name derived from the item key. MDM-store rules are
// not "local store" rules, so a Group Policy AllowLocalPolicyMerge=false does not switch them off (firewall-csp).
import type { BaselineEntry, SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import type { CommandRunner } from '../../system/command-runner.js';
import type { ApplyResult, SettingsProvider } from '../provider.js';
import { FIREWALL_WRITE_SCHEME } from './firewall-legacy.js';
import {
  type FirewallRuleItem,
  itemFromRule,
  type ObservedRule,
  type RuleInstance,
  ruleId,
  ruleInstance,
  ruleProblem,
  sameRule,
} from './firewall-rules-map.js';
import { FIREWALL_RULES_APPLY, FIREWALL_RULES_OBSERVE, RULE_ID_PATTERN } from './firewall-rules-scripts.js';
import { runPowerShell } from './powershell.js';

export const FIREWALL_RULES_SETTING = 'firewallRules.rules';

/** What FIREWALL_RULES_APPLY is asked to do, in its order: remove, update, create. */
export interface RulesPlan {
  readonly remove: string[];
  /** Changed rules, rewritten in place (the old rule stays in force if the update fails). */
  readonly update: RuleInstance[];
  readonly create: RuleInstance[];
}

/** What FIREWALL_RULES_OBSERVE reports, parsed. */
export interface ObservedRules {
  /** The agent's rule instances in the MDM store. */
  readonly rules: ObservedRule[];
  /** Names and display names of the MDM-sourced rules in force (ActiveStore). */
  readonly active: { readonly Name: string; readonly DisplayName: string }[];
  /** Leftovers of the pre-MDM agent: its local-store rules (group Attaché), plus 1 for its registry hint key. */
  readonly legacy: number;
}

/** The operations that turn the agent's MDM rules into the desired items (pure; exported for tests). */
export function planRules(desired: readonly FirewallRuleItem[], observed: ObservedRules): RulesPlan {
  const plan: RulesPlan = { remove: [], update: [], create: [] };
  const wanted = new Map(desired.map((item) => [ruleId(item.name), item]));
  const present = new Map(observed.rules.map((rule) => [rule.InstanceID, rule]));
  for (const rule of observed.rules) if (!wanted.has(rule.InstanceID)) plan.remove.push(rule.InstanceID);
  for (const [id, item] of wanted) {
    const rule = present.get(id);
    if (rule && sameRule(itemFromRule(rule), item)) continue;
    // A changed rule is rewritten whole in place: every node the item leaves out is cleared, so the CSP default holds.
    (rule ? plan.update : plan.create).push(ruleInstance(item));
  }
  return plan;
}

/**
 * Node names of the agent's MDM rules in force: those the ActiveStore lists by that name. Only on a device that names
 * none of its MDM rules in force by node name (`Attache-…`) does the display name count, and then only one exactly one
 * MDM rule in force has (another manager's rule of the same name never vouches for ours).
 */
export function rulesInForce(observed: ObservedRules): Set<string> {
  const names = new Set(observed.active.map((a) => a.Name));
  if (observed.active.some((a) => RULE_ID_PATTERN.test(a.Name))) return new Set(observed.rules.map((r) => r.InstanceID).filter((id) => names.has(id)));
  const count = new Map<string, number>();
  for (const a of observed.active) count.set(a.DisplayName, (count.get(a.DisplayName) ?? 0) + 1);
  return new Set(observed.rules.filter((r) => typeof r.Name === 'string' && count.get(r.Name) === 1).map((r) => r.InstanceID));
}

const isEmpty = (plan: RulesPlan) => plan.remove.length + plan.update.length + plan.create.length === 0;

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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseRules(result: unknown): ObservedRules {
  if (!isRecord(result) || !Array.isArray(result.rules)) throw new Error('firewall-rules-observe: unexpected output');
  // Only the agent's node names; anything else is not ours to report or change.
  const rules = result.rules.filter((r): r is ObservedRule => isRecord(r) && typeof r.InstanceID === 'string' && RULE_ID_PATTERN.test(r.InstanceID));
  const active = (Array.isArray(result.active) ? result.active : [result.active]).filter(
    (a): a is ObservedRules['active'][number] => isRecord(a) && typeof a.Name === 'string' && typeof a.DisplayName === 'string',
  );
  return { rules, active, legacy: typeof result.legacy === 'number' ? result.legacy : 0 };
}

export class WindowsFirewallRulesProvider implements SettingsProvider {
  readonly kind = 'firewallRules' as const;

  constructor(private readonly deps: { readonly runner: CommandRunner }) {}

  unsupportedReason(settingId: string): string | undefined {
    return settingId === FIREWALL_RULES_SETTING ? undefined : `${settingId} is not a Windows Firewall rules setting`;
  }

  /**
   * The items whose MDM rule is in force (`rulesInForce`): a rule in the MDM store that the ActiveStore does not list
   * is left out, so the setting reads as not enforced instead of claimed.
   */
  async observe(settingIds: readonly string[]): Promise<Map<string, SettingValue | undefined>> {
    const out = new Map<string, SettingValue | undefined>(settingIds.map((id) => [id, undefined]));
    if (!settingIds.includes(FIREWALL_RULES_SETTING)) return out;
    const observed = await this.readRules();
    const inForce = rulesInForce(observed);
    const items = observed.rules.flatMap((rule) => {
      const item = itemFromRule(rule);
      // A node without a name (changed behind our back) is no item; the setting then reads as drifted and is rewritten.
      if (typeof item.name !== 'string') return [];
      return inForce.has(rule.InstanceID) ? [item] : [];
    });
    out.set(FIREWALL_RULES_SETTING, items as unknown as SettingValue);
    return out;
  }

  /** The rules read back are the desired ones when each makes the same rule once the CSP defaults are filled in. */
  sameValue(settingId: string, observed: SettingValue | undefined, desired: SettingValue): boolean {
    if (settingId !== FIREWALL_RULES_SETTING || !Array.isArray(observed) || !Array.isArray(desired) || observed.length !== desired.length) return false;
    const seen = new Map((observed as unknown as FirewallRuleItem[]).map((item) => [item.name, item]));
    return (desired as unknown as FirewallRuleItem[]).every((item) => {
      const other = typeof item?.name === 'string' ? seen.get(item.name) : undefined;
      return other !== undefined && sameRule(other, item);
    });
  }

  readonly writeScheme = FIREWALL_WRITE_SCHEME;

  /**
   * Upgrade clean-up, once, when the baseline shows the previous agent managed the rules: its local-store rules (group
   * Attaché, `Attache-…` names) and its hint key are removed, whatever the policy now says (a throw is retried).
   */
  async migrate(entries: ReadonlyMap<string, BaselineEntry>): Promise<ReadonlySet<string>> {
    if (!entries.has(FIREWALL_RULES_SETTING)) return new Set();
    if ((await this.readRules()).legacy > 0) {
      const failures = parseResults(await runPowerShell(this.deps.runner, FIREWALL_RULES_APPLY, { removeLegacy: true }, 600_000));
      if (failures.length > 0) throw new Error(`old local-store rules not removed: ${failures.map((f) => f.error).join('; ')}`);
    }
    return new Set([FIREWALL_RULES_SETTING]);
  }

  /** Restoring the rules removes our MDM rule nodes (never re-writes the recorded rules as new MDM rules). */
  restoreClears(settingId: string): boolean {
    return settingId === FIREWALL_RULES_SETTING;
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

  private async readRules(): Promise<ObservedRules> {
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
