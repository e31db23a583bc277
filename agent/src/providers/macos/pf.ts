// macOS firewall rules (kind `firewallRules`, setting `firewallRules.pfRules`) with pf, in the anchor the agent owns,
// com.apple/250.AttacheFirewall. The stock /etc/pf.conf holds `anchor "com.apple/*"` (plus `load anchor "com.apple"
// from "/etc/pf.anchors/com.apple"`), and pf.conf(5) says a trailing `*` evaluates every anchor attached at that point,
// alphabetically, not recursively; Apple's own 200.AirDrop and 250.ApplicationFirewall sit there the same way. So
// neither pf.conf nor the main ruleset nor any other anchor is touched. The anchor is replaced whole
// (`pfctl -a <anchor> -f -`, rules on stdin), read back with `-s rules`, emptied with `-F rules`; pf is kept enabled by
// the agent's own enable reference (`pfctl -E` prints a token; `pfctl -X <token>` releases it; pfctl(8) on macOS).
import { PF_ANCHOR } from '../../../../policy-schemas/src/catalog/firewall-rules.js';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import { type CommandResult, type CommandRunner, describeFailure } from '../../system/command-runner.js';
import type { FileStore } from '../../system/file-store.js';
import type { ApplyResult, SettingsProvider } from '../provider.js';
import { type AppliedPfRule, itemsFromRules, parseAnchorRules, parseEnableToken, parsePfStatus } from './pf-parse.js';
import { normalizePfRule, renderPfRuleset } from './pf-render.js';

export { PF_ANCHOR };
export const PFCTL = '/sbin/pfctl';
export const PF_SETTING_ID = 'firewallRules.pfRules';
const TIMEOUT_MS = 60_000;
const TOKEN = /^[0-9]{1,20}$/;

/**
 * Where the token of the agent's pf enable reference is kept. pf holds references in the kernel until they are
 * released (or `pfctl -d` drops them all), not per process, so the token must outlive an agent restart.
 */
export interface PfTokenStore {
  read(): Promise<string | undefined>;
  write(token: string | undefined): Promise<void>;
}

/** Keeps the token for the life of the process only (tests; a restart then leaks one reference until reboot). */
export class MemoryPfTokenStore implements PfTokenStore {
  private token: string | undefined;
  async read(): Promise<string | undefined> {
    return this.token;
  }
  async write(token: string | undefined): Promise<void> {
    this.token = token;
  }
}

/** Keeps the token in a root-only file (e.g. `<stateDir>/pf-token`). */
export class FilePfTokenStore implements PfTokenStore {
  constructor(
    private readonly files: FileStore,
    private readonly path: string,
  ) {}
  async read(): Promise<string | undefined> {
    const text = (await this.files.read(this.path))?.trim();
    // Anything but digits is not a token pf gave us; it is never passed to pfctl.
    return text && TOKEN.test(text) ? text : undefined;
  }
  async write(token: string | undefined): Promise<void> {
    if (token === undefined) await this.files.remove(this.path);
    else await this.files.writeAtomic(this.path, `${token}\n`, { mode: 0o600 });
  }
}

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
  private readonly tokens: PfTokenStore;
  /** What the last apply loaded, by rule name: the read-back returns the policy's own spelling for rules pf still holds. */
  private applied = new Map<string, AppliedPfRule>();

  constructor(deps: PfRulesDeps) {
    this.runner = deps.runner;
    this.tokens = deps.tokens ?? new MemoryPfTokenStore();
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
    if ((await this.status()) === 'disabled') return [];
    const res = await this.runner.run({ file: PFCTL, args: ['-a', PF_ANCHOR, '-s', 'rules'], timeoutMs: TIMEOUT_MS });
    if (res.code !== 0 && !res.spawnError && NO_SUCH_ANCHOR.test(res.stderr)) return [];
    checked(['-a', PF_ANCHOR, '-s', 'rules'], res);
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
    await this.pfctl(['-a', PF_ANCHOR, '-o', 'none', '-f', '-'], text);
    this.applied = new Map(rules.map((rule, i) => [rule.name, { item: items[i] as Record<string, unknown>, rule }]));
    await this.holdReference();
  }

  /** Takes an enable reference unless the agent holds one and pf is on (`pfctl -d` drops every reference). */
  private async holdReference(): Promise<void> {
    const token = await this.tokens.read();
    if (token !== undefined && (await this.status()) === 'enabled') return;
    const res = await this.pfctl(['-E']);
    await this.tokens.write(parseEnableToken(`${res.stdout}\n${res.stderr}`));
  }

  private async clear(): Promise<void> {
    await this.pfctl(['-a', PF_ANCHOR, '-F', 'rules']);
    this.applied = new Map();
    const token = await this.tokens.read();
    if (token === undefined) return;
    // pf disables itself when the last reference goes. A token pf no longer knows (after pfctl -d) fails here, and is
    // gone either way, so the result is not checked.
    await this.runner.run({ file: PFCTL, args: ['-X', token], timeoutMs: TIMEOUT_MS });
    await this.tokens.write(undefined);
  }

  private async status(): Promise<'enabled' | 'disabled'> {
    return parsePfStatus((await this.pfctl(['-s', 'info'])).stdout);
  }

  private async pfctl(args: readonly string[], stdin?: string): Promise<CommandResult> {
    const res = await this.runner.run({ file: PFCTL, args, timeoutMs: TIMEOUT_MS, ...(stdin === undefined ? {} : { stdin }) });
    return checked(args, res);
  }
}

function checked(args: readonly string[], res: CommandResult): CommandResult {
  if (res.spawnError || res.timedOut || res.code !== 0) throw new Error(describeFailure({ file: PFCTL, args }, res));
  return res;
}
