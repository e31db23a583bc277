// Diff of desired against observed values: the changes a provider must make. Pure and shared by every provider.
import { canonicalJson } from '../../../common/canonical-json.js';
import type { PolicyKind, SettingValue } from '../../../policy-schemas/src/index.js';
import type { EffectiveSetting } from './effective.js';

/**
 * One change a provider is asked to make. `from` is what was observed (undefined: not set / unknown); `to`
 * undefined means "remove our value" (the host had none before we managed it: the OS default applies again).
 */
export interface SettingChange {
  readonly settingId: string;
  readonly kind: PolicyKind;
  readonly from: SettingValue | undefined;
  readonly to: SettingValue | undefined;
}

/** True when two setting values mean the same; lists (of strings or objects) compare as sets: devices do not keep our order. */
export function valuesEqual(a: SettingValue | undefined, b: SettingValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    const left = a.map((item: unknown) => canonicalJson(item)).sort();
    const right = b.map((item: unknown) => canonicalJson(item)).sort();
    return left.every((item, i) => item === right[i]);
  }
  return a === b;
}

/** The changes needed to bring the enforceable settings to their desired values, in setting-id order. */
export function planChanges(effective: readonly EffectiveSetting[], observed: ReadonlyMap<string, SettingValue | undefined>): SettingChange[] {
  const changes: SettingChange[] = [];
  for (const setting of effective) {
    if (setting.outcome !== 'enforce') continue;
    const current = observed.get(setting.settingId);
    if (!valuesEqual(current, setting.value)) changes.push({ settingId: setting.settingId, kind: setting.kind, from: current, to: setting.value });
  }
  return changes;
}
