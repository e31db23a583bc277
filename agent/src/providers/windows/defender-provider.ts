// Windows Defender providers, one per policy kind (antivirus, exclusions, ASR, update channels, Windows Security
// experience, EDR): policy-level writes (MDM store, else the Policies key, else a marked local preference) and read-back
// of every store through the constant PowerShell scripts, values as JSON on stdin (defender-mapping.ts says where).
import { systemClock } from '../../../../common/clock.js';
import { type BaselineEntry, type OsType, type PolicyKind, type SettingValue, settingById } from '../../../../policy-schemas/src/index.js';
import type { SettingOverride } from '../../core/outcome.js';
import type { SettingChange } from '../../core/plan.js';
import type { CommandRunner } from '../../system/command-runner.js';
import type { ApplyResult, SettingsProvider } from '../provider.js';
import { DEFENDER_WRITE_SCHEME, planLegacyCleanup } from './defender-legacy.js';
import { DEFENDER_KINDS, type DefenderMapping, defenderMapping } from './defender-mapping.js';
import { type DefenderApplyPlan, isEmptyPlan, planDefenderChanges } from './defender-plan.js';
import { asArray, type DefenderObserveRequest, observeRequest, parseObservation } from './defender-read.js';
import { DEFENDER_APPLY, DEFENDER_OBSERVE, DEFENDER_PROBE } from './defender-scripts.js';
import { type DefenderObservation, decodeEffective, observedPolicyValue, policyOverride } from './defender-store.js';
import { runPowerShell } from './powershell.js';

export interface WindowsDefenderDeps {
  readonly runner: CommandRunner;
  /** Shared by the providers of one host; created by the factory when absent. */
  readonly presence?: DefenderPresence;
  /** The OS edition the agent states in its inventory (nativeOsType): ASR rules limited to one edition use it. */
  readonly osType?: OsType;
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

/** Enforces the Windows settings of one Defender policy kind. */
export class WindowsDefenderProvider implements SettingsProvider {
  private lastOverrides = new Map<string, SettingOverride>();
  private lastReasons = new Map<string, string>();

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
    return editionReason(mapping, this.deps.osType) ?? this.deps.presence?.reason;
  }

  async prepare(): Promise<void> {
    await this.deps.presence?.check();
  }

  async observe(settingIds: readonly string[]): Promise<Map<string, SettingValue | undefined>> {
    const mine = settingIds.filter((id) => defenderMapping(id) !== undefined && settingById(id)?.kind === this.kind);
    const seen = mine.length > 0 ? await this.read(mine) : undefined;
    const overrides = new Map<string, SettingOverride>();
    const reasons = new Map<string, string>();
    const values = new Map(
      settingIds.map((id): [string, SettingValue | undefined] => {
        const mapping = mine.includes(id) ? defenderMapping(id) : undefined;
        if (!mapping || !seen) return [id, undefined];
        if (mapping.via === 'policy') {
          const override = policyOverride(mapping, seen);
          if (override) overrides.set(id, override);
          else if (mapping.effective) reasons.set(id, unownedMismatch(seen.tamperProtected));
          return [id, observedPolicyValue(mapping, seen)];
        }
        return [id, observedOther(mapping, seen)];
      }),
    );
    this.lastOverrides = overrides;
    this.lastReasons = reasons;
    return values;
  }

  overrides(): ReadonlyMap<string, SettingOverride> {
    return this.lastOverrides;
  }

  mismatchReasons(): ReadonlyMap<string, string> {
    return this.lastReasons;
  }

  readonly writeScheme = DEFENDER_WRITE_SCHEME;

  /**
   * Upgrade clean-up: removes what the previous agent (local preferences, a few Policies values) wrote for these
   * settings from where it wrote it (defender-legacy.ts); the settings whose steps did not fail are done.
   */
  async migrate(entries: ReadonlyMap<string, BaselineEntry>): Promise<ReadonlySet<string>> {
    const { plan, owners, ids } = planLegacyCleanup(new Map([...entries].filter(([id]) => settingById(id)?.kind === this.kind)));
    const errors = isEmptyPlan(plan) ? new Map<string, string[]>() : await this.run(plan, owners);
    return new Set(ids.filter((id) => !errors.has(id)));
  }

  /** Policy-level settings are restored by clearing what the agent wrote; local preferences get their old value back. */
  restoreClears(settingId: string): boolean {
    return defenderMapping(settingId)?.via === 'policy';
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
  private async run(plan: DefenderApplyPlan, owners: ReadonlyMap<string, readonly string[]>): Promise<Map<string, string[]>> {
    const errors = new Map<string, string[]>();
    const everyone = new Set([...owners.values()].flat());
    try {
      const result = (await runPowerShell(this.deps.runner, DEFENDER_APPLY, plan)) as { errors?: unknown } | null;
      for (const e of asArray(result?.errors)) {
        const { step, message } = (e ?? {}) as { step?: unknown; message?: unknown };
        const owner = typeof step === 'string' ? owners.get(step) : undefined;
        const text = `${String(step)}: ${typeof message === 'string' ? message : 'failed'}`;
        for (const id of owner ?? everyone) errors.set(id, [...(errors.get(id) ?? []), text]);
      }
    } catch (err) {
      for (const id of everyone) errors.set(id, [err instanceof Error ? err.message : String(err)]);
    }
    return errors;
  }

  /**
   * The device's local lists for preference-list changes whose `from` is unknown, so only the items that differ are
   * touched. When they cannot be read, those changes fail (noted in `unread`) rather than guessing what to remove.
   */
  private async currentLists(changes: readonly SettingChange[], unread: Map<string, string>): Promise<Map<string, SettingValue | undefined>> {
    const unknown = changes
      .filter((c) => {
        const m = defenderMapping(c.settingId);
        return m?.via === 'preference' && m.codec === 'list' && !Array.isArray(c.from);
      })
      .map((c) => c.settingId);
    if (unknown.length === 0) return new Map();
    try {
      return await this.observe(unknown);
    } catch (err) {
      for (const id of unknown) unread.set(id, `cannot read the current list: ${err instanceof Error ? err.message : String(err)}`);
      return new Map();
    }
  }

  private async read(settingIds: readonly string[]): Promise<DefenderObservation> {
    const request: DefenderObserveRequest = observeRequest(settingIds);
    return parseObservation(await runPowerShell(this.deps.runner, DEFENDER_OBSERVE, request));
  }
}

/** Why an ASR rule limited to one OS edition does not apply here (ASR rules reference, OS support table). */
function editionReason(mapping: DefenderMapping, osType: OsType | undefined): string | undefined {
  if (mapping.via !== 'policy' || mapping.edition === undefined || osType === undefined || mapping.edition === osType) return undefined;
  const where = mapping.edition === 'server' ? 'Windows Server only' : 'Windows 10/11 clients only';
  return `this ASR rule exists on ${where} (ASR rules reference, operating system support); this device is a ${osType === 'server' ? 'Windows Server' : 'Windows client'}`;
}

/** A preference-only setting reads its local preference; an unsupported one reports tamper protection where it can. */
function observedOther(mapping: Exclude<DefenderMapping, { via: 'policy' }>, seen: DefenderObservation): SettingValue | undefined {
  if (mapping.via === 'preference') {
    const read =
      mapping.codec === 'list' ? ({ kind: 'list', param: mapping.param } as const) : ({ kind: 'mp', param: mapping.param, codec: mapping.codec } as const);
    return decodeEffective(read, seen.preference);
  }
  return mapping.status === undefined || seen.tamperProtected === undefined ? undefined : seen.tamperProtected ? 1 : 0;
}

/** Why Defender's effective value differs from the policy stores when no Group Policy or foreign Policies value owns it. */
function unownedMismatch(tamperProtected: boolean | undefined): string {
  if (tamperProtected === true) return 'tamper protection is on, and Defender keeps its protected settings whatever local policy says';
  return 'no Group Policy or Policies-key value sets it, so tamper protection or another manager (Configuration Manager, MDE security settings management, a local administrator) keeps another value';
}

/** One provider per Defender policy kind, all driving the same host through `deps.runner`. */
export function createWindowsDefenderProviders(deps: WindowsDefenderDeps): SettingsProvider[] {
  const shared = { ...deps, presence: deps.presence ?? new DefenderPresence(deps.runner) };
  return DEFENDER_KINDS.map((kind) => new WindowsDefenderProvider(kind, shared));
}
