// The Defender for Endpoint provider of one policy kind on Linux or macOS. Values go into the host's managed
// configuration file (shared by the kinds' providers through one MdatpHost); `mdatp health` says whether the product is
// installed and, after a write, whether mdatp took the values it reports.
import { type Platform, type PolicyKind, type SettingValue, settingById } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import type { CommandRunner } from '../../system/command-runner.js';
import { catalogRefusal } from '../catalog-check.js';
import type { ApplyResult, SettingsProvider } from '../provider.js';
import { MDATP_NOT_INSTALLED, type MdatpHealthReading, readMdatpHealth } from './cli.js';
import type { ManagedConfigFile } from './managed-config.js';
import { dropRetired, findNul, type MdatpSetting, mdatpSettingsOf } from './settings.js';
import { healthDisagreement, isVerifiable } from './verify.js';

/** How long to wait for mdatp to pick up a written value before calling it not enforced. */
export interface VerifyOptions {
  /** Health readings taken (the first right after the write). */
  readonly attempts: number;
  /** Pause between readings. */
  readonly delayMs: number;
}

export const DEFAULT_VERIFY: VerifyOptions = { attempts: 5, delayMs: 2000 };

export interface MdatpHostOptions {
  readonly platform: Extract<Platform, 'linux' | 'macos'>;
  readonly config: ManagedConfigFile;
  readonly runner: CommandRunner;
  readonly mdatpPath: string;
  /** Settings that take effect only after the daemon restarts, and how to restart it. */
  readonly restart?: { readonly settingIds: ReadonlySet<string>; run(): Promise<void> };
  readonly verify?: VerifyOptions;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * What the providers of one host share: the managed file, the mdatp CLI, and whether mdatp is installed. The install
 * state is needed synchronously (`unsupportedReason`), so it is the last known answer, refreshed in the background
 * (started at creation, again whenever it is unknown or "missing") and by every apply.
 */
export class MdatpHost {
  private installed: boolean | undefined;
  private probing: Promise<void> | undefined;

  constructor(readonly options: MdatpHostOptions) {}

  get platform(): MdatpHostOptions['platform'] {
    return this.options.platform;
  }

  get config(): ManagedConfigFile {
    return this.options.config;
  }

  /** true / false once known; undefined before the first answer. */
  get installState(): boolean | undefined {
    return this.installed;
  }

  /** Reads health once and records whether mdatp is installed. */
  async health(): Promise<MdatpHealthReading> {
    const reading = await readMdatpHealth(this.options.runner, { mdatpPath: this.options.mdatpPath });
    this.installed = reading.status !== 'notInstalled';
    return reading;
  }

  /** Starts a background health probe unless one is running; its errors only leave the state unknown. */
  refreshSoon(): Promise<void> {
    this.probing ??= this.health().then(
      () => {
        this.probing = undefined;
      },
      () => {
        this.probing = undefined;
      },
    );
    return this.probing;
  }
}

type Pending = { readonly index: number; readonly change: SettingChange; readonly setting: MdatpSetting };

const PLATFORM_NAMES = { linux: 'Linux', macos: 'macOS', windows: 'Windows' } as const;

export class MdatpProvider implements SettingsProvider {
  private readonly settings: ReadonlyMap<string, MdatpSetting>;

  constructor(
    readonly kind: PolicyKind,
    private readonly host: MdatpHost,
  ) {
    this.settings = new Map(mdatpSettingsOf(kind, host.platform).map((s) => [s.definition.id, s]));
  }

  /** The settings this provider handles on its platform. */
  get settingIds(): string[] {
    return [...this.settings.keys()];
  }

  /** Re-learns whether mdatp is installed (shares a probe already running); unsupportedReason answers from it. */
  refreshInstallState(): Promise<void> {
    return this.host.refreshSoon();
  }

  prepare(): Promise<void> {
    return this.refreshInstallState();
  }

  unsupportedReason(settingId: string): string | undefined {
    if (!this.settings.has(settingId)) return this.notMine(settingId);
    const installed = this.host.installState;
    if (installed !== true) void this.host.refreshSoon();
    return installed === false ? MDATP_NOT_INSTALLED : undefined;
  }

  async observe(settingIds: readonly string[]): Promise<Map<string, SettingValue | undefined>> {
    const doc = await this.host.config.read();
    return new Map(settingIds.map((id) => [id, this.settings.get(id)?.read(doc)]));
  }

  async apply(changes: readonly SettingChange[]): Promise<ApplyResult[]> {
    const results: (ApplyResult | undefined)[] = changes.map((change) => this.precheck(change));
    let pending: Pending[] = changes.flatMap((change, index) => {
      const setting = this.settings.get(change.settingId);
      return results[index] === undefined && setting ? [{ index, change, setting }] : [];
    });
    if (pending.length === 0) return results as ApplyResult[];

    const reading = await this.host.health();
    if (reading.status === 'notInstalled') {
      // Without mdatp nothing can take a value; removing ours from the file still works and leaves it clean.
      for (const p of pending) if (p.change.to !== undefined) results[p.index] = fail(p, 'SETTING_NOT_APPLICABLE', reading.reason);
      pending = pending.filter((p) => p.change.to === undefined);
    }

    const changed = await this.write(pending, results);
    const written = pending.filter((p) => results[p.index] === undefined);
    if (reading.status !== 'notInstalled') {
      await this.restartIfNeeded(written, changed, results);
      await this.verify(
        written.filter((p) => p.change.to !== undefined && isVerifiable(p.change.settingId) && results[p.index] === undefined),
        results,
      );
    }
    return changes.map((c, i) => results[i] ?? { settingId: c.settingId, ok: true });
  }

  /** A result for a change that cannot be attempted, or undefined. */
  private precheck(change: SettingChange): ApplyResult | undefined {
    const setting = this.settings.get(change.settingId);
    if (!setting) return { settingId: change.settingId, ok: false, code: 'SETTING_NOT_APPLICABLE', message: this.notMine(change.settingId) };
    if (change.to === undefined) return undefined;
    const nul = findNul(change.to);
    if (nul !== undefined) {
      return { settingId: change.settingId, ok: false, code: 'POLICY_INVALID', message: `${change.settingId}: NUL character in ${nul}; mdatp cannot take it` };
    }
    return catalogRefusal({ ...change, kind: setting.definition.kind });
  }

  /** One read-modify-write for the batch; returns the ids whose value in the file changed. */
  private async write(pending: readonly Pending[], results: (ApplyResult | undefined)[]): Promise<Set<string>> {
    const changed = new Set<string>();
    if (pending.length === 0) return changed;
    try {
      await this.host.config.update((doc) => {
        for (const p of pending) {
          try {
            if (p.setting.write(doc, p.change.to)) changed.add(p.change.settingId);
          } catch (err) {
            results[p.index] = fail(p, 'SETTING_APPLY_FAILED', `${this.host.config.path}: ${errorText(err)}`);
          }
        }
        const retired = dropRetired(doc, this.kind, this.host.platform);
        return { changed: changed.size > 0 || retired, result: undefined };
      });
    } catch (err) {
      for (const p of pending) results[p.index] ??= fail(p, 'SETTING_APPLY_FAILED', errorText(err));
      changed.clear();
    }
    return changed;
  }

  private async restartIfNeeded(written: readonly Pending[], changed: ReadonlySet<string>, results: (ApplyResult | undefined)[]): Promise<void> {
    const restart = this.host.options.restart;
    const needing = written.filter((p) => changed.has(p.change.settingId) && restart?.settingIds.has(p.change.settingId));
    if (!restart || needing.length === 0) return;
    try {
      await restart.run();
    } catch (err) {
      for (const p of needing) results[p.index] = fail(p, 'SETTING_APPLY_FAILED', `written, but restarting mdatp to apply it failed: ${errorText(err)}`);
    }
  }

  /** Polls health until it agrees with every written value it reports, or the attempts run out. */
  private async verify(toCheck: readonly Pending[], results: (ApplyResult | undefined)[]): Promise<void> {
    if (toCheck.length === 0) return;
    const { attempts, delayMs } = this.host.options.verify ?? DEFAULT_VERIFY;
    let open = new Map<Pending, string>();
    for (let attempt = 0; attempt < Math.max(1, attempts); attempt++) {
      if (attempt > 0) await this.host.options.sleep(delayMs);
      const reading = await this.host.health();
      open = new Map();
      for (const p of toCheck) {
        const why =
          reading.status === 'ok'
            ? healthDisagreement(p.change.settingId, p.change.to as SettingValue, reading.health)
            : `written to ${this.host.config.path}, but mdatp health could not confirm it: ${reading.status === 'unavailable' ? reading.message : reading.reason}`;
        if (why !== undefined) open.set(p, why);
      }
      if (open.size === 0) return;
    }
    for (const [p, why] of open) results[p.index] = fail(p, 'SETTING_NOT_ENFORCED', why);
  }

  private notMine(settingId: string): string {
    const def = settingById(settingId);
    if (!def) return `unknown setting ${settingId}`;
    if (def.kind !== this.kind) return `${settingId} is a ${def.kind} setting, not ${this.kind}`;
    const where = def.platforms.map((p) => PLATFORM_NAMES[p]).join(', ');
    return `${settingId} does not apply to ${PLATFORM_NAMES[this.host.platform]} (${where} only)`;
  }
}

function fail(p: Pending, code: 'SETTING_APPLY_FAILED' | 'SETTING_NOT_ENFORCED' | 'SETTING_NOT_APPLICABLE', message: string): ApplyResult {
  return { settingId: p.change.settingId, ok: false, code, message };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One provider per mdatp policy kind that has settings on the host's platform, all sharing the host. */
export function createMdatpProviders(host: MdatpHost, kinds: readonly PolicyKind[]): MdatpProvider[] {
  // Whether mdatp is installed is learnt in prepare(), which the engine awaits before each sync or plan: creating the
  // providers (also for `enroll` or `status`) runs nothing.
  return kinds.map((kind) => new MdatpProvider(kind, host)).filter((p) => p.settingIds.length > 0);
}
