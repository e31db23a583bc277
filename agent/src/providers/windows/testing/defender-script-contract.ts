// The apply script's refusals, taken from the script's own text: its allow-lists are parsed out of the constant
// PowerShell (not the mapping table), so the emulator refuses exactly what the script's lists refuse, and a list
// edited in the script changes what the boundary tests see.
import type { DefenderApplyPlan, RegistryOp } from '../defender-plan.js';
import { DEFENDER_APPLY } from '../defender-scripts.js';

/** The quoted items of `$name = @('a', 'b', …)` in a script, sorted. */
export function scriptList(name: string, text: string = DEFENDER_APPLY.text): string[] {
  const m = new RegExp(`\\$${name} = @\\(([^)]*)\\)`).exec(text);
  if (!m) throw new Error(`no $${name} in the script`);
  return [...(m[1] as string).matchAll(/'([^']*)'/g)].map((x) => x[1] as string).sort();
}

/** `$name = '<text>'` of the script. */
function scriptString(name: string, text: string = DEFENDER_APPLY.text): string {
  const m = new RegExp(`\\$${name} = '([^']*)'`).exec(text);
  if (!m) throw new Error(`no $${name} in the script`);
  return m[1] as string;
}

const allowed = (name: string, list: readonly string[], what: string) => {
  if (!list.includes(name)) throw new Error(`refusing ${what} ${name}: not in the allow-list`);
};

/** The script casts each field to [string] (PowerShell joins an array's items with spaces). */
const str = (v: unknown): string => (Array.isArray(v) ? v.map(str).join(' ') : v === null || v === undefined ? '' : String(v));

function listMode(exact: unknown): 'exact' | 'merge' {
  if (exact === undefined || exact === null) return 'merge';
  if (typeof exact !== 'boolean') throw new Error('refusing a list operation whose exact flag is not a boolean');
  return exact ? 'exact' : 'merge';
}

function checkOp(op: RegistryOp, lists: { values: readonly string[]; listOps: readonly string[]; legacy: string }): void {
  const raw = op as unknown as Record<string, unknown>;
  const kind = str(raw.op);
  if (kind === 'values') {
    const signature = `${str(raw.key)}|${str(raw.flagKey)}|${str(raw.flag)}|${listMode(raw.exact)}`;
    const items = (Array.isArray(raw.set) ? raw.set : [raw.set]).filter((i) => i !== null && i !== undefined) as Record<string, unknown>[];
    for (const item of items) {
      if (typeof item.name !== 'string' || item.name === '') throw new Error('refusing a list value name that is not a non-empty string');
      if (item.data !== null && item.data !== undefined && typeof item.data !== 'string') throw new Error('refusing list value data that is not a string');
    }
    if (signature === lists.legacy) {
      if (items.some((i) => i.data !== null && i.data !== undefined))
        throw new Error('refusing a write to the previous agent per-rule exclusions key (deletions only)');
    } else allowed(signature, lists.listOps, 'list operation');
  } else if (kind === 'set' || kind === 'delete') {
    allowed(`${str(raw.key)}\\${str(raw.name)}`, lists.values, 'registry value');
    if (kind === 'set' && str(raw.type) !== 'DWord' && str(raw.type) !== 'String') throw new Error('refusing an unknown registry value type');
  } else throw new Error('refusing an unknown registry operation');
}

/** Throws as the apply script's validation pass does: a plan naming anything outside its lists changes nothing. */
export function checkApplyPlan(plan: DefenderApplyPlan): void {
  const classes = scriptList('bridgeClasses');
  const properties: Record<string, string[]> = {
    Defender: scriptList('defenderProperties'),
    WindowsDefenderSecurityCenter: scriptList('securityCenterProperties'),
  };
  const registry = { values: scriptList('valueAllowed'), listOps: scriptList('listOpAllowed'), legacy: scriptString('legacyListOp') };
  const guid = new RegExp(scriptString('guidPattern'));
  for (const b of plan.bridge) {
    allowed(String(b.cls), classes, 'bridge class');
    allowed(String(b.property), properties[b.cls] ?? [], 'bridge property');
    for (const m of b.merge ?? []) if (typeof m.guid !== 'string' || !guid.test(m.guid)) throw new Error('refusing an ASR rule id that is not a GUID');
    if (b.value !== undefined && b.value !== null && typeof b.value !== 'string' && !Number.isInteger(b.value))
      throw new Error(`refusing a value for bridge property ${b.property} that is not a number or a string`);
    for (const op of b.fallback) checkOp(op, registry);
  }
  for (const r of plan.registry) for (const op of r.ops) checkOp(op, registry);
  const lists = scriptList('listAllowed');
  const scalars = [...scriptList('mpAllowed'), ...scriptList('legacyMpAllowed')];
  for (const name of Object.keys(plan.preference.add)) allowed(name, lists, 'list parameter');
  for (const name of Object.keys(plan.preference.remove)) allowed(name, [...lists, ...scriptList('legacyListAllowed')], 'list parameter');
  for (const name of [...plan.preference.reset, ...Object.keys(plan.preference.mp)]) allowed(name, scalars, 'parameter');
}
