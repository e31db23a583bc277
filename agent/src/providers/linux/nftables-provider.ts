// The Linux host firewall provider (policy kind linuxFirewall): enforces the settings with nftables in the agent's
// own table `inet attache`, loaded atomically with `nft -f -` (the file text on stdin) and read back with
// `nft -j list table inet attache`. No other table is read or written. Without our table the host behaves like the
// catalog defaults (everything accepted), so an absent table reads as the defaults and a configuration equal to the
// defaults deletes the table: removing every setting restores exactly the ruleset the host had.
import { parseJsonText } from '../../../../common/json-text.js';
import { validatePolicySettings } from '../../../../common/validation.js';
import type { PolicyKind, SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import { type CommandRunner, type CommandSpec, describeFailure } from '../../system/command-runner.js';
import type { FileStore } from '../../system/file-store.js';
import type { ApplyResult, SettingsProvider } from '../provider.js';
import {
  DEFAULT_CONFIG,
  FIREWALL_FIELDS,
  type FirewallConfig,
  type FirewallField,
  fieldOf,
  type LinuxFirewallRule,
  normalizeRules,
  ruleFromNormalized,
  sameRule,
  settingIdOf,
} from './nftables-model.js';
import { ABSENT_TABLE, type ObservedFirewall, parseNftJson } from './nftables-parse.js';
import { renderRemoval, renderTable, TABLE_FAMILY, TABLE_NAME } from './nftables-render.js';

export const NFT_NOT_INSTALLED = 'nftables (nft) is not installed';

export interface NftablesProviderOptions {
  /** The nft executable (default `nft`, found through PATH by the OS, not a shell). */
  readonly nftPath?: string;
  /** Per nft run (default 30 s). */
  readonly timeoutMs?: number;
  /**
   * Where the rules as the policy wrote them survive a restart (a file in the agent's state dir). Without it, after a
   * restart a rule in non-canonical notation (`8080,22`) reads back canonical (`22,8080`) and is re-applied once.
   */
  readonly notation?: { readonly files: FileStore; readonly path: string };
}

const LIST_OUTPUT_LIMIT = 64 * 1024 * 1024; // 1000 rules of 1000 networks each stay far below this

export class NftablesFirewallProvider implements SettingsProvider {
  readonly kind: PolicyKind = 'linuxFirewall';
  private readonly nft: string;
  private readonly timeoutMs: number;
  /** Unknown until the first probe; then undefined (nft works) or why not. */
  private missing: string | undefined | null = null;
  /**
   * The rules as the policy last wrote them. nft keeps ports and networks sorted and merged, so a rule reads back
   * in canonical notation; where it means the same as a rule applied here, the policy's own notation is returned.
   */
  private appliedRules: readonly LinuxFirewallRule[] = [];

  constructor(
    private readonly options: NftablesProviderOptions,
    private readonly deps: { readonly runner: CommandRunner },
  ) {
    this.nft = options.nftPath ?? 'nft';
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async prepare(): Promise<void> {
    await this.probe();
  }

  /** Checks that nft can run; the answer feeds `unsupportedReason`. Called by observe/apply; call it early to know. */
  async probe(): Promise<string | undefined> {
    if (this.missing === undefined) return undefined;
    const result = await this.deps.runner.run(this.command(['--version']));
    this.missing = result.spawnError?.startsWith('ENOENT') ? NFT_NOT_INSTALLED : undefined;
    return this.missing;
  }

  unsupportedReason(settingId: string): string | undefined {
    if (!fieldOf(settingId)) return `${settingId} is not a Linux firewall setting`;
    return this.missing ?? undefined;
  }

  async observe(settingIds: readonly string[]): Promise<Map<string, SettingValue | undefined>> {
    await this.loadNotation();
    const reason = await this.probe();
    const observed = reason ? undefined : await this.read();
    const values = observed ? this.settingValues(observed) : undefined;
    return new Map(settingIds.map((id) => [id, values?.get(id)]));
  }

  async apply(changes: readonly SettingChange[]): Promise<ApplyResult[]> {
    if (changes.length === 0) return [];
    const reason = await this.probe();
    if (reason) return changes.map((c) => fail(c.settingId, 'SETTING_NOT_APPLICABLE', reason));
    const invalid = new Map<number, ApplyResult>();
    const updates: Partial<Record<FirewallField, unknown>> = {}; // each value checked against the catalog below
    for (const [i, change] of changes.entries()) {
      const field = fieldOf(change.settingId);
      const problem = field && checkValue(field, change);
      if (!field) invalid.set(i, fail(change.settingId, 'SETTING_NOT_APPLICABLE', `${change.settingId} is not a Linux firewall setting`));
      else if (problem) invalid.set(i, fail(change.settingId, 'SETTING_APPLY_FAILED', problem));
      else updates[field] = change.to ?? DEFAULT_CONFIG[field]; // stop managing = the default = what no table does
    }
    let failure: string | undefined;
    if (invalid.size < changes.length) {
      try {
        failure = await this.load({ ...configOf(await this.read()), ...updates } as FirewallConfig);
      } catch (err) {
        failure = (err as Error).message;
      }
    }
    return changes.map(
      (c, i) => invalid.get(i) ?? (failure === undefined ? { settingId: c.settingId, ok: true } : fail(c.settingId, 'SETTING_APPLY_FAILED', failure)),
    );
  }

  /** Renders and loads the configuration in one nft transaction; returns an error message or undefined. */
  private async load(config: FirewallConfig): Promise<string | undefined> {
    const text = isDefaultConfig(config) ? renderRemoval() : renderTable(config);
    const spec = this.command(['-f', '-'], text);
    const result = await this.deps.runner.run(spec);
    if (result.code !== 0 || result.timedOut) return `nft could not load table ${TABLE_FAMILY} ${TABLE_NAME}: ${describeFailure(spec, result)}`;
    this.appliedRules = config.rules;
    const notation = this.options.notation;
    // Best effort: losing it costs one re-apply after a restart, never a wrong verdict (sameRule guards its use).
    await notation?.files.writeAtomic(notation.path, `${JSON.stringify(config.rules)}\n`, { mode: 0o600 }).catch(() => undefined);
    return undefined;
  }

  private notationLoaded = false;

  /** Reads the remembered notation once, before the first observe. */
  private async loadNotation(): Promise<void> {
    const notation = this.options.notation;
    if (this.notationLoaded || !notation) return;
    this.notationLoaded = true;
    try {
      const text = await notation.files.read(notation.path);
      const rules = text === undefined ? [] : parseJsonText(text, notation.path, 'STATE_CORRUPT');
      // Only a list the catalog accepts as the rules setting is one this agent wrote; anything else is ignored.
      validatePolicySettings({ kind: 'linuxFirewall', settings: { [settingIdOf('rules')]: rules as SettingValue } }, notation.path);
      if (this.appliedRules.length === 0 && Array.isArray(rules)) this.appliedRules = rules as LinuxFirewallRule[];
    } catch {
      // unreadable: fall back to canonical notation
    }
  }

  /** The table as nft reports it; the defaults when it does not exist. Throws when nft fails otherwise. */
  private async read(): Promise<ObservedFirewall> {
    const spec = { ...this.command(['-j', 'list', 'table', TABLE_FAMILY, TABLE_NAME]), maxOutputBytes: LIST_OUTPUT_LIMIT };
    const result = await this.deps.runner.run(spec);
    if (result.code !== 0 && /No such file or directory/.test(result.stderr)) return ABSENT_TABLE;
    if (result.code !== 0 || result.timedOut || result.truncated) throw new Error(`cannot read the firewall table: ${describeFailure(spec, result)}`);
    return parseNftJson(result.stdout);
  }

  private settingValues(observed: ObservedFirewall): Map<string, SettingValue> {
    const applied = new Map(this.appliedRules.map((r) => [r.name, r]));
    const rules = observed.rules.map((n) => {
      const canonical = ruleFromNormalized(n);
      const mine = applied.get(canonical.name);
      return mine && sameRule(mine, canonical) ? mine : canonical;
    });
    const values: Record<FirewallField, SettingValue> = {
      defaultInboundAction: observed.defaultInboundAction,
      defaultOutboundAction: observed.defaultOutboundAction,
      allowEstablished: observed.allowEstablished,
      allowLoopback: observed.allowLoopback,
      // Anything in our table no rule explains makes the list differ from any policy, so the agent re-renders it.
      rules: [...rules, ...observed.unrecognized.map((u) => ({ unrecognized: u }))] as unknown as SettingValue,
    };
    return new Map(FIREWALL_FIELDS.map((f) => [settingIdOf(f), values[f]]));
  }

  private command(args: string[], stdin?: string): CommandSpec {
    return { file: this.nft, args, timeoutMs: this.timeoutMs, ...(stdin === undefined ? {} : { stdin }) };
  }
}

/** True when the table would change nothing: then there is no table at all. */
function isDefaultConfig(config: FirewallConfig): boolean {
  return FIREWALL_FIELDS.every((f) => (f === 'rules' ? config.rules.length === 0 : config[f] === DEFAULT_CONFIG[f]));
}

/** The configuration the table holds now, as the base for a partial change (unexplained content is dropped). */
function configOf(observed: ObservedFirewall): FirewallConfig {
  const bool = (v: boolean | string, fallback: boolean) => (typeof v === 'boolean' ? v : fallback);
  return {
    defaultInboundAction: observed.defaultInboundAction,
    defaultOutboundAction: observed.defaultOutboundAction,
    allowEstablished: bool(observed.allowEstablished, DEFAULT_CONFIG.allowEstablished),
    allowLoopback: bool(observed.allowLoopback, DEFAULT_CONFIG.allowLoopback),
    rules: observed.rules.map(ruleFromNormalized),
  };
}

/** Why the value cannot be applied (catalog schema, then the renderer's own checks), or undefined. */
function checkValue(field: FirewallField, change: SettingChange): string | undefined {
  if (change.to === undefined) return undefined;
  try {
    validatePolicySettings({ kind: 'linuxFirewall', settings: { [change.settingId]: change.to } }, change.settingId);
    if (field === 'rules') normalizeRules(change.to);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function fail(settingId: string, code: 'SETTING_APPLY_FAILED' | 'SETTING_NOT_APPLICABLE', message: string): ApplyResult {
  return { settingId, ok: false, code, message };
}

/** The Linux firewall provider over the given command runner (the real one, or one that runs nft in a namespace). */
export function createLinuxFirewallProvider(
  deps: { readonly runner: CommandRunner },
  options: NftablesProviderOptions = {},
): SettingsProvider & {
  probe(): Promise<string | undefined>;
} {
  return new NftablesFirewallProvider(options, deps);
}
