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

/** `$name = '<pattern>'` of the script as a RegExp. */
function scriptPattern(name: string): RegExp {
  const m = new RegExp(`\\$${name} = '([^']*)'`).exec(DEFENDER_APPLY.text);
  if (!m) throw new Error(`no $${name} in the script`);
  return new RegExp(m[1] as string);
}

const allowed = (name: string, list: readonly string[], what: string) => {
  if (!list.includes(name)) throw new Error(`refusing ${what} ${name}: not in the allow-list`);
};

function checkOp(op: RegistryOp, keys: readonly string[], valueName: RegExp): void {
  allowed(String(op.key), keys, 'registry key');
  if (op.op === 'values') {
    allowed(String(op.flagKey), keys, 'registry key');
    if (!valueName.test(String(op.flag))) throw new Error('refusing a flag value name outside [A-Za-z0-9_-]');
  } else if (op.op === 'set' || op.op === 'delete') {
    if (!valueName.test(String(op.name))) throw new Error('refusing a registry value name outside [A-Za-z0-9_-]');
  } else throw new Error('refusing an unknown registry operation');
}

/** Throws as the apply script's validation pass does: a plan naming anything outside its lists changes nothing. */
export function checkApplyPlan(plan: DefenderApplyPlan): void {
  const keys = scriptList('keyAllowed');
  const classes = scriptList('bridgeClasses');
  const properties: Record<string, string[]> = {
    Defender: scriptList('defenderProperties'),
    WindowsDefenderSecurityCenter: scriptList('securityCenterProperties'),
  };
  const valueName = scriptPattern('valueNamePattern');
  const guid = scriptPattern('guidPattern');
  for (const b of plan.bridge) {
    allowed(String(b.cls), classes, 'bridge class');
    allowed(String(b.property), properties[b.cls] ?? [], 'bridge property');
    for (const m of b.merge ?? []) if (!guid.test(String(m.guid))) throw new Error('refusing an ASR rule id that is not a GUID');
    for (const op of b.fallback) checkOp(op, keys, valueName);
  }
  for (const r of plan.registry) for (const op of r.ops) checkOp(op, keys, valueName);
  const lists = scriptList('listAllowed');
  const scalars = [...scriptList('mpAllowed'), ...scriptList('legacyMpAllowed')];
  for (const name of Object.keys(plan.preference.add)) allowed(name, lists, 'list parameter');
  for (const name of Object.keys(plan.preference.remove)) allowed(name, [...lists, ...scriptList('legacyListAllowed')], 'list parameter');
  for (const name of [...plan.preference.reset, ...Object.keys(plan.preference.mp)]) allowed(name, scalars, 'parameter');
}
