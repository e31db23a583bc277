// Dry run, pure: what applying the effective settings would do given what the host holds now. Nothing is changed.
import type { SettingValue, SyncPlan } from '../../../policy-schemas/src/index.js';
import type { RestoreChange } from './baseline.js';
import type { EffectiveSetting } from './effective.js';
import { valuesEqual } from './plan.js';

/** What the host was observed to hold, and which settings its providers cannot enforce. */
export interface PreviewObservation {
  readonly observed: ReadonlyMap<string, SettingValue | undefined>;
  readonly unsupported: ReadonlyMap<string, string>;
}

type PlanBody = Pick<SyncPlan, 'settings' | 'conflicts' | 'restores' | 'notApplicable'>;

/** Sorts every effective setting and planned restore into the plan's sections, with current → desired values. */
export function previewPlan(effective: readonly EffectiveSetting[], restores: readonly RestoreChange[], seen: PreviewObservation): PlanBody {
  const body: { -readonly [K in keyof PlanBody]: PlanBody[K][number][] } = { settings: [], conflicts: [], restores: [], notApplicable: [] };
  for (const s of effective) {
    const base = { settingId: s.settingId, kind: s.kind, policyIds: [...s.policyIds] };
    if (s.outcome === 'conflict') body.conflicts.push({ ...base, message: s.reason });
    else if (s.outcome === 'notApplicable') body.notApplicable.push({ ...base, message: s.reason });
    else {
      const reason = seen.unsupported.get(s.settingId);
      if (reason !== undefined) {
        body.notApplicable.push({ ...base, message: reason });
        continue;
      }
      const current = seen.observed.get(s.settingId);
      body.settings.push({ ...base, ...(current === undefined ? {} : { current }), desired: s.value, change: !valuesEqual(current, s.value) });
    }
  }
  for (const r of restores) {
    const current = seen.observed.get(r.settingId);
    body.restores.push({
      settingId: r.settingId,
      kind: r.kind,
      ...(current === undefined ? {} : { current }),
      ...(r.to === undefined ? {} : { restoreTo: r.to }),
      remove: r.to === undefined,
    });
  }
  return body;
}
