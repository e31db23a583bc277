// Effective settings: what the assigned policies together ask of this device. Pure: policies in, decisions out.
// Intune semantics (mde-domain.md §1.7): equal values agree, different scalar values are a conflict that changes
// nothing on the device, list settings (exclusions) merge as a union.
import { canonicalJson } from '../../../common/canonical-json.js';
import { type Platform, type PolicyKind, type PolicyPayload, type SettingValue, settingById } from '../../../policy-schemas/src/index.js';

/** The decision for one setting named by at least one assigned policy. */
export type EffectiveSetting =
  | { readonly settingId: string; readonly kind: PolicyKind; readonly policyIds: readonly string[]; readonly outcome: 'enforce'; readonly value: SettingValue }
  | { readonly settingId: string; readonly kind: PolicyKind; readonly policyIds: readonly string[]; readonly outcome: 'conflict'; readonly reason: string }
  | {
      readonly settingId: string;
      readonly kind: PolicyKind;
      readonly policyIds: readonly string[];
      readonly outcome: 'notApplicable';
      readonly reason: string;
    };

interface Claim {
  readonly policyId: string;
  readonly policyName: string;
  readonly kind: PolicyKind;
  readonly value: SettingValue;
}

/** Merges policies into one decision per setting, sorted by setting id. Independent of policy order. */
export function computeEffective(policies: readonly PolicyPayload[], platform: Platform): EffectiveSetting[] {
  const claims = new Map<string, Claim[]>();
  for (const policy of policies) {
    for (const [settingId, value] of Object.entries(policy.settings)) {
      const list = claims.get(settingId) ?? [];
      list.push({ policyId: policy.policyId, policyName: policy.name, kind: policy.kind, value });
      claims.set(settingId, list);
    }
  }
  return [...claims.keys()].sort().map((settingId) => decide(settingId, claims.get(settingId) ?? [], platform));
}

function decide(settingId: string, claims: readonly Claim[], platform: Platform): EffectiveSetting {
  const policyIds = [...new Set(claims.map((c) => c.policyId))].sort();
  const definition = settingById(settingId);
  const kind = definition?.kind ?? (claims[0] as Claim).kind;
  if (!definition) return { settingId, kind, policyIds, outcome: 'notApplicable', reason: 'setting is not in this agent’s catalog' };
  if (!definition.platforms.includes(platform)) {
    return { settingId, kind, policyIds, outcome: 'notApplicable', reason: `applies to ${definition.platforms.join(', ')}, not ${platform}` };
  }
  if (definition.type === 'stringList') {
    const union = new Set<string>();
    for (const claim of claims) for (const item of claim.value as string[]) union.add(item);
    return { settingId, kind, policyIds, outcome: 'enforce', value: [...union].sort() };
  }
  const distinct = new Map<string, Claim[]>();
  for (const claim of claims) {
    const key = canonicalJson(claim.value);
    distinct.set(key, [...(distinct.get(key) ?? []), claim]);
  }
  if (distinct.size > 1) {
    const sides = [...distinct.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(
        ([key, cs]) =>
          `${key} from ${cs
            .map((c) => `"${c.policyName}" (${c.policyId})`)
            .sort()
            .join(', ')}`,
      );
    return { settingId, kind, policyIds, outcome: 'conflict', reason: `policies disagree: ${sides.join(' vs ')}` };
  }
  return { settingId, kind, policyIds, outcome: 'enforce', value: (claims[0] as Claim).value };
}
