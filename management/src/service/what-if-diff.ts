// What a change of a device's assigned policies would do, pure: the merge before and after (the same computeEffective
// the agent runs), compared setting by setting against what the device last observed.
import { canonicalJson } from '../../../common/canonical-json.js';
import type { EffectiveSetting } from '../../../common/policy-merge.js';
import type { SettingValue, WhatIfDevice } from '../../../policy-schemas/src/index.js';

/** The per-device findings of a what-if (WhatIfDevice without the device fields). */
export type WhatIfFindings = Pick<WhatIfDevice, 'changes' | 'newConflicts' | 'restored' | 'notApplicable'>;

// Lists compare as sets, as the agent's plan does: order and duplicates do not make a change.
function canonicalValue(value: SettingValue): string {
  if (!Array.isArray(value)) return canonicalJson(value);
  return canonicalJson([...new Set((value as unknown[]).map((v) => canonicalJson(v)))].sort());
}

/** True when two setting values are the same (lists as sets). */
export function sameValue(a: SettingValue, b: SettingValue): boolean {
  return canonicalValue(a) === canonicalValue(b);
}

/** Compares the effective settings before and after a change; `observed` holds the device's last reported values. */
export function diffEffective(
  before: readonly EffectiveSetting[],
  after: readonly EffectiveSetting[],
  observed: ReadonlyMap<string, SettingValue>,
): WhatIfFindings {
  const was = new Map(before.map((s) => [s.settingId, s]));
  const will = new Map(after.map((s) => [s.settingId, s]));
  const findings: WhatIfFindings = { changes: [], newConflicts: [], restored: [], notApplicable: [] };
  for (const settingId of [...new Set([...was.keys(), ...will.keys()])].sort()) {
    const b = was.get(settingId);
    const a = will.get(settingId);
    const current = observed.get(settingId) ?? (b?.outcome === 'enforce' ? b.value : null);
    if (!a) {
      if (b?.outcome === 'enforce') findings.restored.push({ settingId, from: current });
      continue;
    }
    if (a.outcome === 'enforce') {
      if (b?.outcome !== 'enforce' || !sameValue(b.value, a.value)) findings.changes.push({ settingId, from: current, to: a.value });
    } else if (a.outcome === 'conflict') {
      if (b?.outcome !== 'conflict') findings.newConflicts.push({ settingId, policyIds: [...a.policyIds], reason: a.reason });
    } else if (b?.outcome !== 'notApplicable') {
      findings.notApplicable.push({ settingId, reason: a.reason });
    }
  }
  return findings;
}
