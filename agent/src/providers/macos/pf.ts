// macOS firewall rules (kind `firewallRules`, setting `firewallRules.pfRules`) with pf, in the anchor the agent owns,
// com.apple/250.AttacheFirewall. The stock /etc/pf.conf holds `anchor "com.apple/*"` (plus `load anchor "com.apple"
// from "/etc/pf.anchors/com.apple"`), and pf.conf(5) says a trailing `*` evaluates every anchor attached at that point,
// alphabetically, not recursively; Apple's own 200.AirDrop and 250.ApplicationFirewall sit there the same way. So
// neither pf.conf nor the main ruleset nor any other anchor is touched. The anchor is replaced whole
// (`pfctl -a <anchor> -f -`, rules on stdin), read back with `-s rules`, emptied with `-F rules`; pf is kept enabled by
// the agent's own enable reference (pf-enable.ts: `pfctl -E` token, `pfctl -X <token>`; pfctl(8) on macOS).
import { PF_ANCHOR } from '../../../../policy-schemas/src/catalog/firewall-rules.js';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import type { CommandRunner } from '../../system/command-runner.js';
import type { ApplyResult, SettingsProvider } from '../provider.js';
import { checkedPfctl, FilePfTokenStore, MemoryPfTokenStore, PFCTL, PfEnableReference, type PfTokenStore, runPfctl } from './pf-enable.js';
import { type AppliedPfRule, itemsFromRules, parseAnchorRules } from './pf-parse.js';
import { normalizePfRule, renderPfRuleset } from './pf-render.js';

export { FilePfTokenStore, MemoryPfTokenStore, PF_ANCHOR, PFCTL, type PfTokenStore };
export const PF_SETTING_ID = 'firewallRules.pfRules';
const TIMEOUT_MS = 60_000;

export interface PfRulesDeps {
  readonly runner: CommandRunner;
  /** Default: memory only. */
  readonly tokens?: PfTokenStore;
}

/** pfctl answers `-s rules` for an anchor that has no rules (pf removes empty anchors) with this error. */
const NO_SUCH_ANCHOR = /DIOCGETRULES: Invalid argument/;

export class PfRulesProvider implements SettingsProvider {
  readonly kind = 'firewallRules' as const;
  private readonly runner: CommandRunner;
  private readonly reference: PfEnableReference;
  /** What the last apply loaded, by rule name: the read-back returns the policy's own spelling for rules pf still holds. */
  private applied = new Map<string, AppliedPfRule>();

  constructor(deps: PfRulesDeps) {
    this.runner = deps.runner;
    this.reference = new PfEnableReference(deps.runner, deps.tokens ?? new MemoryPfTokenStore());
  }

  unsupportedReason(settingId: string): string | undefined {
    return settingId === PF_SETTING_ID ? undefined : `${settingId} is not enforced on macOS (firewall rules there are ${PF_SETTING_ID}, in pf)`;
  }

  async observe(settingIds: readonly string[]): Promise<Map<string, SettingValue | undefined>> {
    const out = new Map<string, SettingValue | undefined>();
    for (const id of settingIds) out.set(id, id === PF_SETTING_ID ? await this.readRules() : undefined);
    return out;
  }

  async apply(changes: readonly SettingChange[]): Promise<ApplyResult[]> {
    const results: ApplyResult[] = [];
    for (const change of changes) results.push(await this.applyOne(change));
    return results;
  }

  /** The rules in force: none while pf is disabled, since loaded rules then filter nothing. */
  private async readRules(): Promise<SettingValue> {
    if ((await this.reference.status()) === 'disabled') return [];
    const res = await this.runner.run({ file: PFCTL, args: ['-a', PF_ANCHOR, '-s', 'rules'], timeoutMs: TIMEOUT_MS });
    if (res.code !== 0 && !res.spawnError && NO_SUCH_ANCHOR.test(res.stderr)) return [];
    checkedPfctl(['-a', PF_ANCHOR, '-s', 'rules'], res);
    return itemsFromRules(parseAnchorRules(res.stdout), this.applied) as SettingValue;
  }

  private async applyOne(change: SettingChange): Promise<ApplyResult> {
    const { settingId } = change;
    if (settingId !== PF_SETTING_ID) return { settingId, ok: false, code: 'SETTING_NOT_APPLICABLE', message: this.unsupportedReason(settingId) as string };
    try {
      // Removing the setting means no rules: the catalog default, which is also the state before management.
      if (change.to === undefined || (Array.isArray(change.to) && change.to.length === 0)) await this.clear();
      else await this.load(change.to);
      return { settingId, ok: true };
    } catch (err) {
      return { settingId, ok: false, code: 'SETTING_APPLY_FAILED', message: (err as Error).message };
    }
  }

  private async load(value: SettingValue): Promise<void> {
    if (!Array.isArray(value)) throw new Error(`${PF_SETTING_ID} must be a list of rules`);
    const items = value as readonly unknown[];
    // Every item is checked before pfctl runs: a bad rule changes nothing.
    const rules = items.map((item) => normalizePfRule(item));
    const text = renderPfRuleset(rules, PF_ANCHOR);
    // -o none: no ruleset optimizer, so pf keeps the rules as written (no tables, no reordering) and -s rules reads back.
    await runPfctl(this.runner, ['-a', PF_ANCHOR, '-o', 'none', '-f', '-'], text);
    this.applied = new Map(rules.map((rule, i) => [rule.name, { item: items[i] as Record<string, unknown>, rule }]));
    await this.reference.hold();
  }

  private async clear(): Promise<void> {
    await runPfctl(this.runner, ['-a', PF_ANCHOR, '-F', 'rules']);
    this.applied = new Map();
    await this.reference.release();
  }
}
