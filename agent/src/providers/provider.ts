// The provider interface: one per settings area (antivirus, firewall, …), one implementation per OS plus simulated.
import type { ErrorCode } from '../../../common/errors.js';
import type { BaselineEntry, PolicyKind, SettingValue } from '../../../policy-schemas/src/index.js';
import type { SettingOverride } from '../core/outcome.js';
import type { SettingChange } from '../core/plan.js';

/** Outcome of one change. A failed setting is data reported upstream, never an exception. */
export type ApplyResult =
  | { readonly settingId: string; readonly ok: true }
  | { readonly settingId: string; readonly ok: false; readonly code: ErrorCode; readonly message: string };

/** Enforces the settings of one kind on one host: observe current values, apply a plan, say what it cannot do. */
export interface SettingsProvider {
  readonly kind: PolicyKind;
  /**
   * Called before each sync or plan, before `unsupportedReason`: refreshes what that synchronous answer rests on
   * (is nft / mdatp installed?). Must not throw for a missing tool; that is what `unsupportedReason` then says.
   */
  prepare?(): Promise<void>;
  /** Why this host cannot enforce the setting (e.g. "mdatp is not installed"), or undefined when it can. */
  unsupportedReason(settingId: string): string | undefined;
  /** Current values of the given settings; undefined where the host has no value. */
  observe(settingIds: readonly string[]): Promise<Map<string, SettingValue | undefined>>;
  /** Applies the changes and returns one result per change, in order. */
  apply(changes: readonly SettingChange[]): Promise<ApplyResult[]>;
  /**
   * Settings of the last `observe` that another manager overrides, keyed by setting id. Providers whose host has no
   * precedence above theirs leave it out.
   */
  overrides?(): ReadonlyMap<string, SettingOverride>;
  /**
   * For settings of the last `observe` with no known overriding manager: why the value read back may still differ from
   * the one applied ("tamper protection is on", "another manager may set it"), put into SETTING_NOT_ENFORCED messages.
   */
  mismatchReasons?(): ReadonlyMap<string, string>;
  /**
   * True when the value read back means the desired one though it is written differently (the host fills in defaults on
   * read-back). The sync then takes it as the desired value: no re-apply, no drift. Left out: plain equality.
   */
  sameValue?(settingId: string, observed: SettingValue | undefined, desired: SettingValue): boolean;
  /**
   * True when restoring the setting (no policy manages it any more) means clearing the value the agent wrote to a
   * policy store (MDM store property $null, its Policies-key value deleted) rather than writing the recorded
   * pre-management value: that value was the effective default, and writing it as policy would tattoo it. Left out,
   * or false, for local-preference settings: restore writes the recorded value back.
   */
  restoreClears?(settingId: string): boolean;
  /**
   * Where this provider stores values, as a number raised whenever that changes (absent: 1). Baseline entries carry
   * the scheme they were written under; an older entry is handed to `migrate` once, before the next apply.
   */
  readonly writeScheme?: number;
  /**
   * Removes what an earlier agent version wrote under an older scheme, for the given baseline entries only (their
   * `applied` value is what it wrote, `original` what was there before it): never anything it did not write. Returns
   * the ids cleaned up; the sync then re-writes those settings under the current scheme (even if the value read now
   * equals the policy) and stamps their entries. Ids left out, or a throw, are retried at the next sync.
   */
  migrate?(entries: ReadonlyMap<string, BaselineEntry>): Promise<ReadonlySet<string>>;
}
