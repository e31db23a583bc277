// Turns setting changes into the one JSON plan the Defender apply script executes (pure). Policy-level settings become
// a bridge write (MDM store) carrying its Policies-key fallback, which the script uses when this build's bridge class
// lacks the property; preference-only settings become Set-/Add-/Remove-MpPreference steps. Every step is owned by
// settings, so an error the script reports becomes their failure. Values that cannot be carried safely fail here.
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import type { ApplyResult } from '../provider.js';
import {
  ASR_ACTIONS,
  ASR_KEY,
  ASR_RULES_FLAG,
  ASR_RULES_SUBKEY,
  type BridgeClass,
  type DefenderMapping,
  defenderMapping,
  type PolicyRegistry,
  THREAT_ACTIONS_FLAG,
  THREAT_ACTIONS_SUBKEY,
  THREATS_KEY,
} from './defender-mapping.js';
import { DefenderValueError, encodeMp, threatActionPairs } from './defender-values.js';

/** One Policies-key operation; `values` makes a list subkey hold `set` (exactly, when `exact`) and syncs its flag. */
export type RegistryOp =
  | { readonly op: 'set'; readonly key: string; readonly name: string; readonly type: 'DWord' | 'String'; readonly value: number | string }
  | { readonly op: 'delete'; readonly key: string; readonly name: string }
  | {
      readonly op: 'values';
      readonly key: string;
      /** Value name → data (null deletes). Pairs, not an object: ConvertFrom-Json refuses keys differing only in case. */
      readonly set: { readonly name: string; readonly data: string | null }[];
      readonly exact: boolean;
      readonly flagKey: string;
      readonly flag: string;
    };

/** A bridge property write (null clears it); `merge` updates GUID=n pairs of the property instead of replacing it. */
export interface BridgeWrite {
  readonly cls: BridgeClass;
  readonly property: string;
  readonly value?: number | string | null;
  readonly merge?: { readonly guid: string; readonly action: number | null }[];
  readonly step: string;
  /** What to do instead when this build's bridge class has no such property. */
  readonly fallback: RegistryOp[];
}

/** The apply script's input (`$in`). Classes, properties, keys and parameters come from the mapping table only. */
export interface DefenderApplyPlan {
  bridge: BridgeWrite[];
  registry: { step: string; ops: RegistryOp[] }[];
  preference: { mp: Record<string, boolean | number | string>; reset: string[]; add: Record<string, string[]>; remove: Record<string, string[]> };
}

/** A plan, which settings own each step key the script may report, and the changes that failed before running. */
export interface DefenderPlanResult {
  readonly plan: DefenderApplyPlan;
  readonly owners: ReadonlyMap<string, readonly string[]>;
  readonly failures: ReadonlyMap<string, ApplyResult>;
}

/** The step of the merged ASR rule write (one bridge property holds every rule). */
export const ASR_RULES_STEP = 'asrRules';

/** An empty plan. */
export function emptyPlan(): DefenderApplyPlan {
  return { bridge: [], registry: [], preference: { mp: {}, reset: [], add: {}, remove: {} } };
}

/** True when the plan asks for nothing. */
export function isEmptyPlan(plan: DefenderApplyPlan): boolean {
  const p = plan.preference;
  return plan.bridge.length + plan.registry.length + p.reset.length + Object.keys(p.mp).length + Object.keys(p.add).length + Object.keys(p.remove).length === 0;
}

type PolicyMapping = Extract<DefenderMapping, { via: 'policy' }>;

/**
 * Builds the plan. `current` gives the device's list for preference-list changes whose `from` is not a list (the
 * provider reads it first); those add and remove exactly the items that differ. Policy values replace the whole value.
 */
export function planDefenderChanges(changes: readonly SettingChange[], current: ReadonlyMap<string, SettingValue | undefined> = new Map()): DefenderPlanResult {
  const plan = emptyPlan();
  const owners = new Map<string, string[]>();
  const own = (step: string, id: string) => owners.set(step, [...(owners.get(step) ?? []), id]);
  const failures = new Map<string, ApplyResult>();
  const asr: Record<string, number | null> = {};
  for (const change of changes) {
    const { settingId } = change;
    const mapping = defenderMapping(settingId);
    if (!mapping || mapping.via === 'unsupported') {
      const message = mapping ? mapping.reason : `${settingId} is not a Windows Defender setting`;
      failures.set(settingId, { settingId, ok: false, code: 'SETTING_NOT_APPLICABLE', message });
      continue;
    }
    try {
      rejectNul(change.to, settingId);
      if (mapping.via === 'preference') addPreference(plan, mapping, change, Array.isArray(change.from) ? change.from : current.get(settingId), own);
      else if (mapping.registry.kind === 'asrRule') {
        asr[mapping.registry.guid] = asrAction(change.to, settingId);
        own(ASR_RULES_STEP, settingId);
      } else addPolicy(plan, mapping, change);
      if (mapping.via === 'policy' && mapping.registry.kind !== 'asrRule') own(settingId, settingId);
    } catch (err) {
      if (!(err instanceof DefenderValueError)) throw err;
      failures.set(settingId, { settingId, ok: false, code: 'SETTING_APPLY_FAILED', message: err.message });
    }
  }
  if (Object.keys(asr).length > 0) {
    const merge = Object.entries(asr).map(([guid, action]) => ({ guid, action }));
    const set = merge.map(({ guid, action }) => ({ name: guid, data: action === null ? null : String(action) }));
    const fallback: RegistryOp[] = [{ op: 'values', key: ASR_RULES_SUBKEY, set, exact: false, flagKey: ASR_KEY, flag: ASR_RULES_FLAG }];
    plan.bridge.push({ cls: 'Defender', property: 'AttackSurfaceReductionRules', merge, step: ASR_RULES_STEP, fallback });
  }
  return { plan, owners, failures };
}

/** Not configured means "not managed": the rule leaves the policy instead of being stored as 5. */
function asrAction(to: SettingValue | undefined, what: string): number | null {
  const action = to === undefined ? ASR_ACTIONS.notConfigured : typeof to === 'string' ? ASR_ACTIONS[to] : undefined;
  if (action === undefined) throw new DefenderValueError(`${what}: unknown ASR mode ${JSON.stringify(to)}`);
  return action === ASR_ACTIONS.notConfigured ? null : action;
}

function rejectNul(value: SettingValue | undefined, settingId: string): void {
  const strings = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
  if (strings.some((s) => s.includes('\0'))) {
    throw new DefenderValueError(`${settingId}: the value contains a NUL character; refused before running any command`);
  }
}

function stringList(value: SettingValue | undefined, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new DefenderValueError(`${what}: expected a list of strings`);
  // Registry value names and Defender's list items compare case-insensitively: two such items would read back as one.
  const seen = new Map<string, string>();
  for (const item of value as string[]) {
    const twin = seen.get(item.toLowerCase());
    if (twin !== undefined)
      throw new DefenderValueError(`${what}: ${JSON.stringify(twin)} and ${JSON.stringify(item)} are the same item on Windows (case-insensitive)`);
    seen.set(item.toLowerCase(), item);
  }
  return value as string[];
}

function noSeparator(items: readonly string[], separator: string, what: string): void {
  const bad = items.find((item) => item.includes(separator) || item === '');
  if (bad !== undefined)
    throw new DefenderValueError(`${what}: an item may not be empty or contain '${separator}' (it separates items on the device): ${JSON.stringify(bad)}`);
}

function addPolicy(plan: DefenderApplyPlan, mapping: PolicyMapping, change: SettingChange): void {
  const { settingId: what, to } = change;
  const ops = registryOps(mapping.registry, to, what);
  if (!mapping.bridge) {
    plan.registry.push({ step: what, ops });
    return;
  }
  plan.bridge.push({ cls: mapping.bridge.cls, property: mapping.bridge.property, value: bridgeValue(mapping.registry, to, what), step: what, fallback: ops });
}

/** The CSP value as the bridge property holds it: numbers and strings as they are, lists '|'-joined; null clears. */
function bridgeValue(registry: PolicyRegistry, to: SettingValue | undefined, what: string): number | string | null {
  if (to === undefined) return null;
  if (Array.isArray(to)) {
    const items = stringList(to, what);
    return items.length === 0 ? null : items.join('|');
  }
  if (registry.kind === 'value' && registry.codec === 'string' && to === '') return null;
  if (typeof to !== 'number' && typeof to !== 'string') throw new DefenderValueError(`${what}: expected a number or a string, got ${JSON.stringify(to)}`);
  return to;
}

function registryOps(registry: PolicyRegistry, to: SettingValue | undefined, what: string): RegistryOp[] {
  switch (registry.kind) {
    case 'value':
      return [valueOp(registry, to, what)];
    case 'list': {
      const items = stringList(to, what);
      noSeparator(items, '|', what);
      const set = items.map((name) => ({ name, data: '0' }));
      return [{ op: 'values', key: `${registry.key}\\${registry.subkey}`, set, exact: true, flagKey: registry.key, flag: registry.flag }];
    }
    case 'threatActions': {
      const pairs = to === undefined ? new Map<number, number>() : threatActionPairs(to, what);
      const set = [...pairs].map(([level, action]) => ({ name: String(level), data: String(action) }));
      return [{ op: 'values', key: THREAT_ACTIONS_SUBKEY, set, exact: true, flagKey: THREATS_KEY, flag: THREAT_ACTIONS_FLAG }];
    }
    case 'asrRule':
      throw new Error('ASR rules are planned together');
  }
}

function valueOp(registry: Extract<PolicyRegistry, { kind: 'value' }>, to: SettingValue | undefined, what: string): RegistryOp {
  const { key, name, codec } = registry;
  if (to === undefined || (codec === 'string' && to === '') || (codec === 'joined' && Array.isArray(to) && to.length === 0)) return { op: 'delete', key, name };
  if (codec === 'string') {
    if (typeof to !== 'string') throw new DefenderValueError(`${what}: expected a string, got ${JSON.stringify(to)}`);
    return { op: 'set', key, name, type: 'String', value: to };
  }
  if (codec === 'joined') {
    const items = stringList(to, what);
    noSeparator(items, '|', what);
    return { op: 'set', key, name, type: 'String', value: items.join('|') };
  }
  // REG_DWORD is unsigned 32-bit: 0 … 4294967295 (the script stores values above 2^31-1 by their bit pattern).
  if (typeof to !== 'number' || !Number.isInteger(to) || to < 0 || to > 0xffffffff)
    throw new DefenderValueError(`${what}: expected a DWORD, got ${JSON.stringify(to)}`);
  if (codec === 'dword') return { op: 'set', key, name, type: 'DWord', value: to };
  if (to !== 0 && to !== 1) throw new DefenderValueError(`${what}: expected 0 or 1, got ${to}`);
  return { op: 'set', key, name, type: 'DWord', value: codec === 'maps' ? to * 2 : 1 - to };
}

function addPreference(
  plan: DefenderApplyPlan,
  mapping: Extract<DefenderMapping, { via: 'preference' }>,
  change: SettingChange,
  from: SettingValue | undefined,
  own: (step: string, id: string) => void,
): void {
  const { settingId: what, to } = change;
  const { param } = mapping;
  const pref = plan.preference;
  if (mapping.codec !== 'list') {
    if (to === undefined) {
      pref.reset.push(param);
      own(`reset:${param}`, what);
    } else {
      pref.mp[param] = encodeMp(mapping.codec, to, what);
      own(`mp:${param}`, what);
    }
    return;
  }
  const want = stringList(to, what);
  const have = stringList(from, what);
  const removing = have.filter((item) => !want.includes(item));
  const adding = [...new Set(want.filter((item) => !have.includes(item)))];
  if (removing.length > 0) {
    pref.remove[param] = removing;
    own(`remove:${param}`, what);
  }
  if (adding.length > 0) {
    pref.add[param] = adding;
    own(`add:${param}`, what);
  }
}
