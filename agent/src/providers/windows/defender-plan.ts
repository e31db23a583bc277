// Turns setting changes into the one JSON plan the Defender apply script executes (pure). Every step of the plan is
// owned by one setting, so an error the script reports for a step becomes that setting's failure. Values that cannot
// be applied safely (NUL, a separator inside a list item, a wrong type) fail here, before any command runs.
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import type { ApplyResult } from '../provider.js';
import { ASR_ACTIONS, ASR_PER_RULE_KEY, type DefenderMapping, defenderMapping, THREAT_LEVELS } from './defender-mapping.js';
import { DefenderValueError, encodeMp, encodeThreatActions } from './defender-values.js';

export interface RegistryWrite {
  readonly key: string;
  readonly name: string;
  readonly type: 'DWord' | 'String';
  readonly value: number | string;
}
export interface RegistryDelete {
  readonly key: string;
  readonly name: string;
  readonly delete: true;
}

/** The apply script's input (`$in`). Parameter names and keys come from the mapping table only. */
export interface DefenderApplyPlan {
  /** Add-MpPreference -<param> <items>. */
  add: Record<string, string[]>;
  /** Remove-MpPreference -<param> <items> (the script skips items that are not present). */
  remove: Record<string, string[]>;
  /** Remove-MpPreference -<param> (switch): back to the Defender default. */
  reset: string[];
  /** Set-MpPreference @mp. */
  mp: Record<string, boolean | number | string>;
  /** Add-MpPreference -AttackSurfaceReductionRules_Ids/_Actions (adds or updates); Remove-MpPreference by id. */
  asr: { set: { id: string; action: number }[]; remove: string[] };
  /** Group Policy values written with New-ItemProperty or deleted with Remove-ItemProperty, in order. */
  registry: (RegistryWrite | RegistryDelete)[];
  /** After the registry steps, set or delete the ASR per-rule exclusions' enabled flag. */
  syncAsrPerRuleFlag: boolean;
}

/** A plan, which setting owns each step key the script may report, and the changes that failed before running. */
export interface DefenderPlanResult {
  readonly plan: DefenderApplyPlan;
  readonly owners: ReadonlyMap<string, string>;
  readonly failures: ReadonlyMap<string, ApplyResult>;
}

/** Step keys, as the apply script reports them in `errors[].step`. */
export const stepKey = {
  mp: (param: string) => `mp:${param}`,
  reset: (param: string) => `reset:${param}`,
  add: (param: string) => `add:${param}`,
  remove: (param: string) => `remove:${param}`,
  asr: (guid: string) => `asr:${guid}`,
  registry: (key: string, name: string) => `reg:${key}\\${name}`,
  asrPerRuleFlag: () => 'asrPerRuleFlag',
};

/** An empty plan. */
export function emptyPlan(): DefenderApplyPlan {
  return { add: {}, remove: {}, reset: [], mp: {}, asr: { set: [], remove: [] }, registry: [], syncAsrPerRuleFlag: false };
}

/** True when the plan asks for nothing. */
export function isEmptyPlan(plan: DefenderApplyPlan): boolean {
  return (
    Object.keys(plan.add).length + Object.keys(plan.remove).length + plan.reset.length + Object.keys(plan.mp).length === 0 &&
    plan.asr.set.length + plan.asr.remove.length + plan.registry.length === 0 &&
    !plan.syncAsrPerRuleFlag
  );
}

/**
 * Builds the plan. `current` gives the device's list for list changes whose `from` is not a list (the provider reads
 * it first); list changes add and remove exactly the items that differ, so items outside the diff are never touched.
 */
export function planDefenderChanges(changes: readonly SettingChange[], current: ReadonlyMap<string, SettingValue | undefined> = new Map()): DefenderPlanResult {
  const plan = emptyPlan();
  const owners = new Map<string, string>();
  const failures = new Map<string, ApplyResult>();
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
      const from = Array.isArray(change.from) ? change.from : current.get(settingId);
      addChange(plan, mapping, change, from, (step) => owners.set(step, settingId));
    } catch (err) {
      if (!(err instanceof DefenderValueError)) throw err;
      failures.set(settingId, { settingId, ok: false, code: 'SETTING_APPLY_FAILED', message: err.message });
    }
  }
  return { plan, owners, failures };
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
  return value as string[];
}

function noSeparator(items: readonly string[], separator: string, what: string): void {
  const bad = items.find((item) => item.includes(separator) || item === '');
  if (bad !== undefined)
    throw new DefenderValueError(`${what}: an item may not be empty or contain '${separator}' (it separates items on the device): ${JSON.stringify(bad)}`);
}

function addChange(
  plan: DefenderApplyPlan,
  mapping: Exclude<DefenderMapping, { via: 'unsupported' }>,
  change: SettingChange,
  from: SettingValue | undefined,
  own: (step: string) => void,
): void {
  const { settingId: what, to } = change;
  switch (mapping.via) {
    case 'mp':
      if (to === undefined || (mapping.codec === 'string' && to === '')) reset(plan, mapping.param, own);
      else {
        plan.mp[mapping.param] = encodeMp(mapping.codec, to, what);
        own(stepKey.mp(mapping.param));
      }
      return;
    case 'mpJoined': {
      const items = stringList(to, what);
      noSeparator(items, '|', what);
      if (items.length === 0) reset(plan, mapping.param, own);
      else {
        plan.mp[mapping.param] = items.join('|');
        own(stepKey.mp(mapping.param));
      }
      return;
    }
    case 'mpList': {
      const want = stringList(to, what);
      const have = stringList(from, what);
      const removing = have.filter((item) => !want.includes(item));
      const adding = [...new Set(want.filter((item) => !have.includes(item)))];
      if (removing.length > 0) {
        plan.remove[mapping.param] = removing;
        own(stepKey.remove(mapping.param));
      }
      if (adding.length > 0) {
        plan.add[mapping.param] = adding;
        own(stepKey.add(mapping.param));
      }
      return;
    }
    case 'threatActions': {
      const actions = to === undefined ? new Map<string, number>() : encodeThreatActions(to, what);
      for (const [, param] of THREAT_LEVELS) {
        const action = actions.get(param);
        if (action === undefined) reset(plan, param, own);
        else {
          plan.mp[param] = action;
          own(stepKey.mp(param));
        }
      }
      return;
    }
    case 'asrRule': {
      const action = to === undefined ? ASR_ACTIONS.notConfigured : typeof to === 'string' ? ASR_ACTIONS[to] : undefined;
      if (action === undefined) throw new DefenderValueError(`${what}: unknown ASR mode ${JSON.stringify(to)}`);
      // Not configured means "not managed": the rule leaves the list instead of being stored as 5.
      if (action === ASR_ACTIONS.notConfigured) plan.asr.remove.push(mapping.guid);
      else plan.asr.set.push({ id: mapping.guid, action });
      own(stepKey.asr(mapping.guid));
      return;
    }
    case 'registry':
      plan.registry.push(registryStep(mapping, to, what));
      own(stepKey.registry(mapping.key, mapping.name));
      return;
    case 'asrRuleExclusions': {
      const items = stringList(to, what);
      noSeparator(items, '>', what);
      plan.registry.push(
        items.length === 0
          ? { key: ASR_PER_RULE_KEY, name: mapping.guid, delete: true }
          : { key: ASR_PER_RULE_KEY, name: mapping.guid, type: 'String', value: items.join('>') },
      );
      plan.syncAsrPerRuleFlag = true;
      own(stepKey.registry(ASR_PER_RULE_KEY, mapping.guid));
      own(stepKey.asrPerRuleFlag());
      return;
    }
  }
}

function reset(plan: DefenderApplyPlan, param: string, own: (step: string) => void): void {
  if (!plan.reset.includes(param)) plan.reset.push(param);
  own(stepKey.reset(param));
}

function registryStep(mapping: Extract<DefenderMapping, { via: 'registry' }>, to: SettingValue | undefined, what: string): RegistryWrite | RegistryDelete {
  const { key, name } = mapping;
  if (to === undefined || (mapping.codec === 'string' && to === '')) return { key, name, delete: true };
  if (mapping.codec === 'string') {
    if (typeof to !== 'string') throw new DefenderValueError(`${what}: expected a string, got ${JSON.stringify(to)}`);
    if (/[\r\n]/.test(to)) throw new DefenderValueError(`${what}: a line break is not allowed in this registry string`);
    return { key, name, type: 'String', value: to };
  }
  if (typeof to !== 'number' || !Number.isInteger(to) || to < 0 || to > 0x7fffffff)
    throw new DefenderValueError(`${what}: expected a DWORD, got ${JSON.stringify(to)}`);
  if (mapping.codec === 'invertedDword') {
    if (to !== 0 && to !== 1) throw new DefenderValueError(`${what}: expected 0 or 1, got ${to}`);
    return { key, name, type: 'DWord', value: 1 - to };
  }
  return { key, name, type: 'DWord', value: to };
}
