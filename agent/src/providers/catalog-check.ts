// The catalog's value check as a provider result: a change whose value the settings catalog refuses fails with
// POLICY_INVALID and the same message the endpoint gave at submission (one validator for a value everywhere).
import { validatePolicySettings, validateSettingLimits } from '../../../common/validation.js';
import type { SettingChange } from '../core/plan.js';
import type { ApplyResult } from './provider.js';

/** POLICY_INVALID when the catalog refuses the change's value; undefined when it accepts it or the change removes it. */
export function catalogRefusal(change: SettingChange): ApplyResult | undefined {
  if (change.to === undefined) return undefined;
  try {
    const doc = { kind: change.kind, settings: { [change.settingId]: change.to } };
    validatePolicySettings(doc, change.settingId);
    validateSettingLimits(doc, change.settingId);
    return undefined;
  } catch (err) {
    return { settingId: change.settingId, ok: false, code: 'POLICY_INVALID', message: err instanceof Error ? err.message : String(err) };
  }
}
