// No tattooing, pure: the pre-management value of every managed setting, which settings go back to it when no
// policy manages them any more, and which changes are drift repairs. Effects (files, providers) stay in sync/.
import type { BaselineEntry, PolicyKind, SettingValue } from '../../../policy-schemas/src/index.js';
import type { EffectiveSetting } from './effective.js';
import { valuesEqual } from './plan.js';

/** Baseline entries by setting id. */
export type Baseline = Readonly<Record<string, BaselineEntry>>;

/** A setting going back to its pre-management value; `to` undefined: the host had none, remove ours. */
export interface RestoreChange {
  readonly settingId: string;
  readonly kind: PolicyKind;
  readonly to: SettingValue | undefined;
}

/**
 * Adds an entry for every managed setting that has none yet: its observed value, before anything is applied, and the
 * write scheme of its provider (`schemeOf`, when above 1).
 */
export function recordBaseline(
  baseline: Baseline,
  managed: readonly { readonly settingId: string; readonly kind: PolicyKind }[],
  observed: ReadonlyMap<string, SettingValue | undefined>,
  at: string,
  schemeOf: (kind: PolicyKind) => number | undefined = () => undefined,
): Baseline {
  const next: Record<string, BaselineEntry> = { ...baseline };
  for (const { settingId, kind } of managed) {
    if (next[settingId]) continue;
    const original = observed.get(settingId);
    const scheme = schemeOf(kind);
    next[settingId] = { kind, ...(original === undefined ? {} : { original }), ...(scheme !== undefined && scheme > 1 ? { scheme } : {}), recordedAt: at };
  }
  return next;
}

/** Entries written under an older scheme than their provider's now (absent scheme: 1), by setting id. */
export function entriesToMigrate(baseline: Baseline, kind: PolicyKind, scheme: number): Map<string, BaselineEntry> {
  return new Map(Object.entries(baseline).filter(([, e]) => e.kind === kind && (e.scheme ?? 1) < scheme));
}

/** The baseline with the given entries stamped with their provider's current scheme. */
export function stampScheme(baseline: Baseline, settingIds: Iterable<string>, schemeOf: (kind: PolicyKind) => number | undefined): Baseline {
  const next: Record<string, BaselineEntry> = { ...baseline };
  for (const id of settingIds) {
    const entry = next[id];
    const scheme = entry ? schemeOf(entry.kind) : undefined;
    if (entry && scheme !== undefined) next[id] = { ...entry, scheme };
  }
  return next;
}

/**
 * Settings to restore: those with a baseline that no assigned policy manages any more. A setting in conflict is
 * still claimed by policies, so it is left as it is and keeps its baseline. Sorted by setting id.
 */
export function planRestores(effective: readonly EffectiveSetting[], baseline: Baseline): RestoreChange[] {
  const claimed = new Set(effective.filter((s) => s.outcome === 'enforce' || s.outcome === 'conflict').map((s) => s.settingId));
  return Object.keys(baseline)
    .filter((id) => !claimed.has(id))
    .sort()
    .map((settingId) => {
      const entry = baseline[settingId] as BaselineEntry;
      return { settingId, kind: entry.kind, to: entry.original };
    });
}

/** True when changing the setting to `desired` repairs drift: the agent had already enforced this very value. */
export function isDriftRepair(entry: BaselineEntry | undefined, desired: SettingValue | undefined): boolean {
  return entry?.applied !== undefined && desired !== undefined && valuesEqual(entry.applied, desired);
}

/** Notes the values read back equal to the desired ones as enforced; other entries keep their last enforced value. */
export function markEnforced(
  baseline: Baseline,
  effective: readonly EffectiveSetting[],
  observedAfter: ReadonlyMap<string, SettingValue | undefined>,
): Baseline {
  const next: Record<string, BaselineEntry> = { ...baseline };
  for (const setting of effective) {
    const entry = next[setting.settingId];
    if (!entry || setting.outcome !== 'enforce') continue;
    const after = observedAfter.get(setting.settingId);
    if (after !== undefined && valuesEqual(after, setting.value) && !valuesEqual(entry.applied, setting.value)) {
      next[setting.settingId] = { ...entry, applied: setting.value };
    }
  }
  return next;
}

/** The baseline without the given settings (restored: nothing to remember any more). */
export function forgetBaseline(baseline: Baseline, settingIds: Iterable<string>): Baseline {
  const next: Record<string, BaselineEntry> = { ...baseline };
  for (const id of settingIds) delete next[id];
  return next;
}
