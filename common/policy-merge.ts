// Effective settings: what a set of assigned policies together asks of one device. Pure (no node:*, no clock), shared
// by the agent core and the endpoint's what-if. Intune semantics (mde-domain.md §1.7, §2.5): equal values agree,
// different scalar values conflict, lists merge as a union, object lists merge by item key, "not configured" yields.
import { type Platform, type PolicyKind, type PolicyPayload, type SettingDefinition, type SettingValue, settingById } from '../policy-schemas/src/index.js';
import { canonicalJson } from './canonical-json.js';

interface Common {
  readonly settingId: string;
  readonly kind: PolicyKind;
  /** Every policy that names the setting, sorted. */
  readonly policyIds: readonly string[];
}

/** The decision for one setting named by at least one assigned policy. A conflict never carries a value. */
export type EffectiveSetting =
  | (Common & { readonly outcome: 'enforce'; readonly value: SettingValue })
  | (Common & { readonly outcome: 'conflict'; readonly reason: string })
  | (Common & { readonly outcome: 'notApplicable'; readonly reason: string });

interface Claim {
  readonly policyId: string;
  readonly policyName: string;
  readonly kind: PolicyKind;
  readonly value: SettingValue;
}

type Decision = { readonly outcome: 'enforce'; readonly value: SettingValue } | { readonly outcome: 'conflict'; readonly reason: string };

/** Merges policies into one decision per setting, sorted by setting id. Independent of policy order and duplicates. */
export function computeEffective(policies: readonly PolicyPayload[], platform: Platform): EffectiveSetting[] {
  const claims = new Map<string, Claim[]>();
  for (const policy of policies) {
    for (const [settingId, value] of Object.entries(policy.settings)) {
      const list = claims.get(settingId) ?? [];
      list.push({ policyId: policy.policyId, policyName: policy.name, kind: policy.kind, value });
      claims.set(settingId, list);
    }
  }
  return [...claims.keys()].sort(compare).map((settingId) => decide(settingId, claims.get(settingId) ?? [], platform));
}

function decide(settingId: string, claims: readonly Claim[], platform: Platform): EffectiveSetting {
  const policyIds = [...new Set(claims.map((c) => c.policyId))].sort(compare);
  const definition = settingById(settingId);
  // The kind of an unknown setting comes from a policy; take the smallest so the result does not depend on order.
  const kind = definition?.kind ?? [...claims.map((c) => c.kind)].sort(compare)[0] ?? 'antivirus';
  const common = { settingId, kind, policyIds };
  if (!definition) return { ...common, outcome: 'notApplicable', reason: 'setting is not in this agent’s catalog' };
  if (!definition.platforms.includes(platform)) {
    return { ...common, outcome: 'notApplicable', reason: `applies to ${definition.platforms.join(', ')}, not ${platform}` };
  }
  return { ...common, ...mergeValues(definition, claims) };
}

function mergeValues(definition: SettingDefinition, claims: readonly Claim[]): Decision {
  switch (definition.type) {
    case 'stringList':
      return definition.singleItem ? mergeSingleItem(definition, claims) : mergeStringList(claims);
    case 'objectList':
      return mergeObjectList(definition, claims);
    default:
      return mergeScalar(definition, claims);
  }
}

function mergeStringList(claims: readonly Claim[]): Decision {
  const union = new Set<string>();
  for (const claim of claims) for (const item of asArray(claim.value)) if (typeof item === 'string') union.add(item);
  return { outcome: 'enforce', value: [...union].sort(compare) };
}

/** One-item lists ("one value per tag type") merge like a scalar: an empty list yields, two different items conflict. */
function mergeSingleItem(definition: SettingDefinition, claims: readonly Claim[]): Decision {
  const naming = claims.filter((c) => asArray(c.value).length > 0);
  return mergeScalar(definition, naming.length > 0 ? naming : claims);
}

/** Scalars: the setting's unsetValue ("not configured") yields to any other value; two other values conflict. */
function mergeScalar(definition: SettingDefinition, claims: readonly Claim[]): Decision {
  const unset = definition.unsetValue === undefined ? undefined : canonicalJson(definition.unsetValue);
  const byValue = groupBy(claims, (c) => canonicalJson(c.value));
  if (unset !== undefined && byValue.size > 1) byValue.delete(unset);
  if (byValue.size > 1) {
    const sides = [...byValue.entries()].map(([value, cs]) => `${value} from ${describe(cs)}`);
    return { outcome: 'conflict', reason: `policies disagree: ${sides.join(' vs ')}` };
  }
  const [first] = [...byValue.values()].flat();
  return { outcome: 'enforce', value: (first as Claim).value };
}

/** Object lists: union of items by itemKey; identical items dedupe; one key with two contents is a conflict. */
function mergeObjectList(definition: SettingDefinition, claims: readonly Claim[]): Decision {
  const byKey = new Map<string, Map<string, Claim[]>>();
  for (const claim of claims) {
    for (const item of asArray(claim.value)) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) continue;
      const record = item as Record<string, unknown>;
      const key = canonicalJson(itemKeyOf(definition, record));
      const contents = byKey.get(key) ?? new Map<string, Claim[]>();
      const content = canonicalJson(record);
      contents.set(content, [...(contents.get(content) ?? []), claim]);
      byKey.set(key, contents);
    }
  }
  const keys = [...byKey.keys()].sort(compare);
  const clashes = keys.filter((key) => (byKey.get(key)?.size ?? 0) > 1);
  if (clashes.length > 0) {
    const details = clashes.map((key) => {
      const sides = [...(byKey.get(key) ?? new Map<string, Claim[]>()).entries()].sort(([a], [b]) => compare(a, b)).map(([, cs]) => describe(cs));
      return `item ${key} differs between ${sides.join(' and ')}`;
    });
    return { outcome: 'conflict', reason: `policies disagree: ${details.join('; ')}` };
  }
  // Rebuilt from canonical JSON so key order, too, is the same whichever policy came first.
  const items = keys.map((key) => JSON.parse([...(byKey.get(key)?.keys() ?? [])][0] as string) as Record<string, unknown>);
  return { outcome: 'enforce', value: items };
}

/** The identity of an object-list item: its itemKey properties in order (absent ones as null). */
export function itemKeyOf(definition: SettingDefinition, item: Readonly<Record<string, unknown>>): unknown[] {
  const key = definition.itemKey ?? Object.keys(item).sort(compare);
  return key.map((k) => item[k] ?? null);
}

function asArray(value: SettingValue): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const key of items.map(keyOf).sort(compare)) groups.set(key, []);
  for (const item of items) groups.get(keyOf(item))?.push(item);
  return groups;
}

/** `"Name" (id)` of each distinct policy behind some claims, sorted. */
function describe(claims: readonly Claim[]): string {
  return [...new Set(claims.map((c) => `"${c.policyName}" (${c.policyId})`))].sort(compare).join(', ');
}

/** Code-unit order, independent of locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
