// Small constructors for catalog entries, shared by the per-kind catalog files so each entry reads as one line of data.
// They only fill in the repetitive fields (id prefix, kind, platforms, source path); values come from the caller.
import type { PolicyKind } from '../primitives.js';
import type { SettingDefinition } from './setting-definition.js';

/** Everything of an entry except what the builder derives. */
export type EntryRest = Omit<SettingDefinition, 'id' | 'kind' | 'platforms' | 'source' | 'description'> & { description?: string };

/** Windows Policy CSP Defender node. */
export const POLICY_CSP_DEFENDER = './Device/Vendor/MSFT/Policy/Config/Defender/';
/** Windows Defender CSP configuration node. */
export const DEFENDER_CSP_CONFIG = './Device/Vendor/MSFT/Defender/Configuration/';

/** `[value, label]` pairs as catalog `values`. */
export function choices(values: readonly (readonly [number | string, string])[]): NonNullable<SettingDefinition['values']> {
  return values.map(([value, label]) => ({ value, label }));
}

/** String values that are their own label. */
export function labels(...values: string[]): NonNullable<SettingDefinition['values']> {
  return values.map((value) => ({ value, label: value }));
}

/** A 0/1 integer switch with the given meaning of 0 and 1. */
export function switch01(off: string, on: string): NonNullable<SettingDefinition['values']> {
  return choices([
    [0, off],
    [1, on],
  ]);
}

/** The Defender schedule-day enum: 0 every day, 1 Sunday … 7 Saturday, 8 never (with the CSP's labels for 0 and 8). */
export function weekdays(everyDay: string, never: string): NonNullable<SettingDefinition['values']> {
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  return choices([[0, everyDay], ...days.map((day, i): [number, string] => [i + 1, day]), [8, never]]);
}

/** A Windows CSP node: id `<prefix>.<name>`, Windows only. */
export function csp(kind: PolicyKind, prefix: string, path: string, name: string, rest: EntryRest): SettingDefinition {
  return { description: `CSP node ${path}${name}.`, ...rest, id: `${prefix}.${name}`, kind, platforms: ['windows'], source: path + name };
}

/** A Policy CSP Defender node (`defender.<Name>`). */
export function defender(kind: PolicyKind, name: string, rest: EntryRest): SettingDefinition {
  return csp(kind, 'defender', POLICY_CSP_DEFENDER, name, { description: `Policy CSP Defender/${name}.`, ...rest });
}

/** A Defender CSP configuration node (`defenderConfig.<Name>`). */
export function defenderConfig(kind: PolicyKind, name: string, rest: EntryRest): SettingDefinition {
  return csp(kind, 'defenderConfig', DEFENDER_CSP_CONFIG, name, { description: `Defender CSP Configuration/${name}.`, ...rest });
}

/** An mdatp managed-configuration key (mdatp_managed.json on Linux, com.microsoft.wdav on macOS). */
export function mdatp(kind: PolicyKind, key: string, rest: EntryRest, platforms: SettingDefinition['platforms'] = ['linux', 'macos']): SettingDefinition {
  return { description: `mdatp managed configuration key ${key}.`, ...rest, id: `mdatp.${key}`, kind, platforms, source: key };
}

/**
 * Item-schema condition: when any of `fields` is present, the properties in `then` must be present and match them
 * (a JSON Schema if/then; strict mode wants each tested field named under `properties`).
 */
export function whenPresent(fields: readonly string[], then: Record<string, unknown>): Record<string, unknown> {
  return {
    if: { anyOf: fields.map((f) => ({ properties: { [f]: true }, required: [f] })) },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword
    then: { properties: then, required: Object.keys(then) },
  };
}
