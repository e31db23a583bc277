// Windows Defender providers, one per policy kind (antivirus, exclusions, ASR, update channels, Windows Security
// experience, EDR): observe and apply through the constant PowerShell scripts, with every value passed as JSON on
// stdin. Which cmdlet parameter or registry value a setting uses is the mapping table's business (defender-mapping.ts).
import { systemClock } from '../../../../common/clock.js';
import { type PolicyKind, type SettingValue, settingById } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import type { CommandRunner } from '../../system/command-runner.js';
import type { ApplyResult, SettingsProvider } from '../provider.js';
import { ASR_PER_RULE_KEY, DEFENDER_KINDS, defenderMapping } from './defender-mapping.js';
import { type DefenderApplyPlan, isEmptyPlan, planDefenderChanges } from './defender-plan.js';
import { DEFENDER_APPLY, DEFENDER_OBSERVE, DEFENDER_PROBE } from './defender-scripts.js';
import { type DefenderObservation, decodeSetting, registryPath } from './defender-values.js';
import { runPowerShell } from './powershell.js';

export interface WindowsDefenderDeps {
  readonly runner: CommandRunner;
  /** Shared by the providers of one host; created by the factory when absent. */
  readonly presence?: DefenderPresence;
}

export const DEFENDER_NOT_INSTALLED = 'Microsoft Defender Antivirus is not installed (no Defender PowerShell module or WinDefend service)';

/**
 * Whether Defender exists on this host, checked at most every `ttlMs` (one PowerShell run shared by the six
 * providers of a sync). An unreadable answer leaves it unknown: the providers then try and report what fails.
 */
export class DefenderPresence {
  reason: string | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly runner: CommandRunner,
    private readonly now: () => number = systemClock.now,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  check(): Promise<void> {
    if (this.now() - this.checkedAt < this.ttlMs) return Promise.resolve();
    this.pending ??= this.probe().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async probe(): Promise<void> {
    try {
      const result = (await runPowerShell(this.runner, DEFENDER_PROBE, null, 60_000)) as { module?: unknown; service?: unknown } | null;
      this.reason = result && result.module === false && result.service === false ? DEFENDER_NOT_INSTALLED : undefined;
      this.checkedAt = this.now();
    } catch {
      this.reason = undefined;
    }
  }
}

/** The observe script's input: which registry values to read, and whether to ask Get-MpComputerStatus. */
export interface DefenderObserveRequest {
  readonly registry: { readonly key: string; readonly name: string }[];
  readonly status: boolean;
}

/** Enforces the Windows settings of one Defender policy kind. */
export class WindowsDefenderProvider implements SettingsProvider {
  constructor(
    readonly kind: PolicyKind,
    private readonly deps: WindowsDefenderDeps,
  ) {}

  unsupportedReason(settingId: string): string | undefined {
    const setting = settingById(settingId);
    if (!setting) return `unknown setting ${settingId}`;
    if (setting.kind !== this.kind) return `${settingId} is a ${setting.kind} setting, not ${this.kind}`;
    const mapping = defenderMapping(settingId);
    if (!mapping) return `${settingId} does not apply to Windows (it is for ${setting.platforms.join(', ')})`;
    if (mapping.via === 'unsupported') return mapping.reason;
    return this.deps.presence?.reason;
  }

  async prepare(): Promise<void> {
    await this.deps.presence?.check();
  }

  async observe(settingIds: readonly string[]): Promise<Map<string, SettingValue | undefined>> {
    const mine = settingIds.filter((id) => defenderMapping(id) !== undefined && settingById(id)?.kind === this.kind);
    const seen = mine.length > 0 ? await this.read(mine) : undefined;
    return new Map(
      settingIds.map((id) => {
        const mapping = mine.includes(id) ? defenderMapping(id) : undefined;
        return [id, mapping && seen ? decodeSetting(mapping, seen) : undefined];
      }),
    );
  }

  async apply(changes: readonly SettingChange[]): Promise<ApplyResult[]> {
    if (changes.length === 0) return [];
    const foreign = new Set(
      changes.filter((c) => this.unsupportedReason(c.settingId) !== undefined && defenderMapping(c.settingId)?.via !== 'unsupported').map((c) => c.settingId),
    );
    const unread = new Map<string, string>();
    const current = await this.currentLists(
      changes.filter((c) => !foreign.has(c.settingId)),
      unread,
    );
    const ours = changes.filter((c) => !foreign.has(c.settingId) && !unread.has(c.settingId));
    const { plan, owners, failures } = planDefenderChanges(ours, current);
    const errors = new Map<string, string[]>([...unread].map(([id, message]) => [id, [message]]));
    if (!isEmptyPlan(plan)) for (const [id, messages] of await this.run(plan, owners)) errors.set(id, messages);
    return changes.map((c): ApplyResult => {
      const { settingId } = c;
      if (foreign.has(settingId)) return { settingId, ok: false, code: 'SETTING_NOT_APPLICABLE', message: this.unsupportedReason(settingId) as string };
      const failed = failures.get(settingId);
      if (failed) return failed;
      const messages = errors.get(settingId);
      return messages ? { settingId, ok: false, code: 'SETTING_APPLY_FAILED', message: messages.join('; ') } : { settingId, ok: true };
    });
  }

  /** Runs the apply script; the errors it reports, by owning setting (all planned settings when the run itself failed). */
  private async run(plan: DefenderApplyPlan, owners: ReadonlyMap<string, string>): Promise<Map<string, string[]>> {
    const errors = new Map<string, string[]>();
    const everyone = new Set(owners.values());
    try {
      const result = (await runPowerShell(this.deps.runner, DEFENDER_APPLY, plan)) as { errors?: unknown } | null;
      for (const e of asArray(result?.errors)) {
        const { step, message } = (e ?? {}) as { step?: unknown; message?: unknown };
        const owner = typeof step === 'string' ? owners.get(step) : undefined;
        const text = `${String(step)}: ${typeof message === 'string' ? message : 'failed'}`;
        for (const id of owner ? [owner] : everyone) errors.set(id, [...(errors.get(id) ?? []), text]);
      }
    } catch (err) {
      for (const id of everyone) errors.set(id, [err instanceof Error ? err.message : String(err)]);
    }
    return errors;
  }

  /**
   * The device's lists for list changes whose `from` is unknown, so only the items that differ are touched. When they
   * cannot be read, those changes fail (noted in `unread`) rather than guessing what to remove.
   */
  private async currentLists(changes: readonly SettingChange[], unread: Map<string, string>): Promise<Map<string, SettingValue | undefined>> {
    const unknown = changes.filter((c) => defenderMapping(c.settingId)?.via === 'mpList' && !Array.isArray(c.from)).map((c) => c.settingId);
    if (unknown.length === 0) return new Map();
    try {
      return await this.observe(unknown);
    } catch (err) {
      for (const id of unknown) unread.set(id, `cannot read the current list: ${err instanceof Error ? err.message : String(err)}`);
      return new Map();
    }
  }

  private async read(settingIds: readonly string[]): Promise<DefenderObservation> {
    const request = observeRequest(settingIds);
    const result = (await runPowerShell(this.deps.runner, DEFENDER_OBSERVE, request)) as Record<string, unknown> | null;
    if (!result || typeof result.preference !== 'object' || result.preference === null) throw new Error('defender-observe: Get-MpPreference returned nothing');
    const registry = new Map<string, unknown>();
    for (const entry of asArray(result.registry)) {
      const { key, name, value } = (entry ?? {}) as { key?: unknown; name?: unknown; value?: unknown };
      if (typeof key === 'string' && typeof name === 'string') registry.set(registryPath(key, name), value);
    }
    const status = result.status as { IsTamperProtected?: unknown } | null | undefined;
    const tamperProtected = typeof status?.IsTamperProtected === 'boolean' ? status.IsTamperProtected : undefined;
    return { preference: result.preference as Record<string, unknown>, registry, ...(tamperProtected === undefined ? {} : { tamperProtected }) };
  }
}

/** What the observe script must read for these settings (registry values in table order, no duplicates). */
export function observeRequest(settingIds: readonly string[]): DefenderObserveRequest {
  const registry = new Map<string, { key: string; name: string }>();
  let status = false;
  for (const id of settingIds) {
    const m = defenderMapping(id);
    if (m?.via === 'registry') registry.set(registryPath(m.key, m.name), { key: m.key, name: m.name });
    if (m?.via === 'asrRuleExclusions') registry.set(registryPath(ASR_PER_RULE_KEY, m.guid), { key: ASR_PER_RULE_KEY, name: m.guid });
    if (m?.via === 'unsupported' && m.status !== undefined) status = true;
  }
  return { registry: [...registry.values()], status };
}

/** PowerShell 5.1 may render a one-element array as the element itself. */
function asArray(value: unknown): unknown[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

/** One provider per Defender policy kind, all driving the same host through `deps.runner`. */
export function createWindowsDefenderProviders(deps: WindowsDefenderDeps): SettingsProvider[] {
  const shared = { ...deps, presence: deps.presence ?? new DefenderPresence(deps.runner) };
  return DEFENDER_KINDS.map((kind) => new WindowsDefenderProvider(kind, shared));
}
