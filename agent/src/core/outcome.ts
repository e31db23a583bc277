// Per-setting and per-policy status from the decisions, what the providers did, and what was read back. Pure.
import type { PolicyPayload, PolicyStatus, SettingState, SettingStatus, SettingValue } from '../../../policy-schemas/src/index.js';
import type { EffectiveSetting } from './effective.js';
import { valuesEqual } from './plan.js';

/** Another manager on the host imposes its own value for a setting and wins over ours (Group Policy over MDM policy). */
export interface SettingOverride {
  /** Who imposes it, as an admin would name it: "Group Policy 'Contoso AV baseline'", "Group Policy". */
  readonly source: string;
  /** The value in effect, when the host says. */
  readonly effective?: SettingValue;
}

/** What happened on the host during one apply, keyed by setting id. */
export interface ApplyEvidence {
  /** Settings the host cannot enforce, with the reason (no mechanism on this OS, product not installed…). */
  readonly unsupported: ReadonlyMap<string, string>;
  /** Settings whose change the provider reported as failed. */
  readonly failed: ReadonlyMap<string, { readonly code: string; readonly message: string }>;
  /** Values read back after applying. */
  readonly observedAfter: ReadonlyMap<string, SettingValue | undefined>;
  /** Settings another manager on the host overrides (Group Policy over MDM), with who and the value in effect. */
  readonly overridden?: ReadonlyMap<string, SettingOverride>;
  /** Why a read-back may differ when no overriding manager is known, from the provider (`mismatchReasons`). */
  readonly mismatchReasons?: ReadonlyMap<string, string>;
}

/** One status per effective setting. A setting is `succeeded` only when the read-back value equals the desired one. */
export function settingStatuses(effective: readonly EffectiveSetting[], evidence: ApplyEvidence): SettingStatus[] {
  return effective.map((setting): SettingStatus => {
    const base = { settingId: setting.settingId, kind: setting.kind, policyIds: [...setting.policyIds] };
    if (setting.outcome === 'notApplicable') return { ...base, state: 'notApplicable', code: 'SETTING_NOT_APPLICABLE', message: setting.reason };
    if (setting.outcome === 'conflict') return { ...base, state: 'conflict', code: 'SETTING_CONFLICT', message: setting.reason };
    const unsupported = evidence.unsupported.get(setting.settingId);
    if (unsupported !== undefined) return { ...base, state: 'notApplicable', desired: setting.value, code: 'SETTING_NOT_APPLICABLE', message: unsupported };
    const observed = evidence.observedAfter.get(setting.settingId);
    const withValues = observed === undefined ? { ...base, desired: setting.value } : { ...base, desired: setting.value, observed };
    const failure = evidence.failed.get(setting.settingId);
    if (failure) return { ...withValues, state: 'error', code: failure.code, message: failure.message };
    const override = evidence.overridden?.get(setting.settingId);
    if (override && !valuesEqual(observed, setting.value)) {
      const effective = override.effective === undefined ? '' : ` (in effect: ${JSON.stringify(override.effective)})`;
      return {
        ...withValues,
        state: 'conflict',
        code: 'SETTING_OVERRIDDEN',
        message: `${override.source} sets this setting and wins over this policy${effective}`,
      };
    }
    if (!valuesEqual(observed, setting.value)) {
      const reason = evidence.mismatchReasons?.get(setting.settingId);
      const message = `value read back after applying differs from the policy value${reason === undefined ? '' : `: ${reason}`}`;
      return { ...withValues, state: 'error', code: 'SETTING_NOT_ENFORCED', message };
    }
    return { ...withValues, state: 'succeeded' };
  });
}

// Worst first: one failing setting makes the policy fail, as in Intune's per-device policy status.
const SEVERITY: readonly SettingState[] = ['error', 'conflict', 'pending', 'succeeded', 'notApplicable'];

/** Per-policy state: the worst state among its settings; `notApplicable` only when none of them applies. */
export function policyStatuses(policies: readonly PolicyPayload[], statuses: readonly SettingStatus[]): PolicyStatus[] {
  return policies.map((policy) => {
    const mine = statuses.filter((s) => s.policyIds.includes(policy.policyId)).map((s) => s.state);
    const state = SEVERITY.find((candidate) => mine.includes(candidate)) ?? 'notApplicable';
    return { policyId: policy.policyId, version: policy.version, name: policy.name, kind: policy.kind, state };
  });
}
