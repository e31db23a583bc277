// Value converters of the Intune import: choice option ids (`<settingDefinitionId>_<n>`), booleans, ASR modes, simple
// values and collections. Each returns the converted value or a reason it cannot. Pure.
import type { SettingDefinition } from '../../../policy-schemas/src/index.js';
import type { LeafInstance } from './graph-export.js';
import { ASR_MODES, type Converter } from './mapping-table.js';

/** A converted value, or why there is none. */
export type Converted = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly detail: string };

const ok = (value: unknown): Converted => ({ ok: true, value });
const fail = (detail: string): Converted => ({ ok: false, detail });

/** The option suffix of a choice value: `device_..._allowrealtimemonitoring_1` → `1`; undefined when it is not one. */
export function choiceSuffix(leaf: Pick<LeafInstance, 'settingDefinitionId' | 'raw'>): string | undefined {
  const prefix = `${leaf.settingDefinitionId}_`;
  if (typeof leaf.raw !== 'string' || !leaf.raw.startsWith(prefix) || leaf.raw.length === prefix.length) return undefined;
  return leaf.raw.slice(prefix.length);
}

/** `_<n>` → n. */
export function choiceToInteger(leaf: LeafInstance): Converted {
  const suffix = choiceSuffix(leaf);
  if (suffix === undefined || !/^\d+$/.test(suffix)) return fail(`choice value "${String(leaf.raw)}" does not end in _<number>`);
  return ok(Number(suffix));
}

/** `_true`/`_false` and `_1`/`_0` → boolean. */
export function choiceToBoolean(leaf: LeafInstance): Converted {
  const suffix = choiceSuffix(leaf);
  if (suffix === 'true' || suffix === '1') return ok(true);
  if (suffix === 'false' || suffix === '0') return ok(false);
  return fail(`choice value "${String(leaf.raw)}" is not _true/_false or _1/_0`);
}

/** ASR rule choice `_off|_block|_audit|_warn` → the same word, which is our `asr.<guid>` value. */
export function asrMode(leaf: LeafInstance): Converted {
  const suffix = choiceSuffix(leaf);
  if (suffix === undefined || !ASR_MODES.includes(suffix)) return fail(`ASR rule value "${String(leaf.raw)}" is not _off, _block, _audit or _warn`);
  return ok(suffix);
}

/** `_<n>` → options[n]; a suffix that is one of the options (case-insensitive) is that option. */
export function choiceToOption(leaf: LeafInstance, options: readonly string[]): Converted {
  const suffix = choiceSuffix(leaf)?.toLowerCase();
  const named = options.find((o) => o.toLowerCase() === suffix);
  if (named !== undefined) return ok(named);
  const n = choiceToInteger(leaf);
  if (!n.ok) return fail(`choice value "${String(leaf.raw)}" is neither _<index> nor one of ${options.join(', ')}`);
  const option = options[n.value as number];
  return option === undefined ? fail(`choice index ${String(n.value)} is not one of the ${options.length} known options`) : ok(option);
}

/** The option suffixes of a choice collection (`<id>_<suffix>` each). */
function collectionSuffixes(leaf: LeafInstance): string[] | undefined {
  if (leaf.shape !== 'choiceCollection' || !Array.isArray(leaf.raw)) return undefined;
  const suffixes = leaf.raw.map((raw) => choiceSuffix({ settingDefinitionId: leaf.settingDefinitionId, raw }));
  return suffixes.every((s): s is string => s !== undefined) ? suffixes : undefined;
}

/** A choice collection of `_<flag>` options → their sum (firewall rule profiles 1 Domain, 2 Private, 4 Public). */
export function choiceFlags(leaf: LeafInstance): Converted {
  const suffixes = collectionSuffixes(leaf);
  if (!suffixes?.every((s) => /^\d+$/.test(s))) return fail(`expected a choice collection of _<number> options, got ${leaf.shape}`);
  return ok([...new Set(suffixes.map(Number))].reduce((sum, n) => sum | n, 0));
}

/** A choice collection → the mapped value of each option suffix. */
export function choiceList(leaf: LeafInstance, options: Readonly<Record<string, string>>): Converted {
  const suffixes = collectionSuffixes(leaf);
  if (!suffixes) return fail(`expected a choice collection, got ${leaf.shape}`);
  const unknown = suffixes.filter((s) => options[s] === undefined);
  if (unknown.length > 0) return fail(`option(s) ${unknown.join(', ')} are not ${Object.keys(options).join(', ')}`);
  return ok([...new Set(suffixes.map((s) => options[s]))]);
}

/** A simple value or a simple collection, joined with commas. */
export function joined(leaf: LeafInstance): Converted {
  if (leaf.shape === 'simple') return simpleValue(leaf).ok ? ok(String(leaf.raw)) : fail('simple setting without a value');
  const list = stringList(leaf);
  return list.ok ? ok((list.value as string[]).join(',')) : list;
}

/** A simple setting's value as is (integer or string). */
export function simpleValue(leaf: LeafInstance): Converted {
  if (leaf.shape !== 'simple') return fail(`expected a simple setting, got ${leaf.shape}`);
  return typeof leaf.raw === 'string' || typeof leaf.raw === 'number' ? ok(leaf.raw) : fail('simple setting without a string or integer value');
}

/** A simple setting collection → list of strings. */
export function stringList(leaf: LeafInstance): Converted {
  if (leaf.shape !== 'simpleCollection' || !Array.isArray(leaf.raw)) return fail(`expected a simple setting collection, got ${leaf.shape}`);
  return ok(leaf.raw.map(String));
}

/** Converts by the table's converter; `byCatalog` picks one from the catalog entry's type. */
export function convert(leaf: LeafInstance, converter: Converter, setting: SettingDefinition | undefined): Converted {
  switch (converter.type) {
    case 'bool':
      return choiceToBoolean(leaf);
    case 'options':
      return choiceToOption(leaf, converter.options);
    case 'optionMap': {
      const suffix = choiceSuffix(leaf);
      const mapped = suffix === undefined ? undefined : converter.options[suffix];
      return mapped === undefined ? fail(`choice value "${String(leaf.raw)}" is not a known option`) : ok(mapped);
    }
    case 'simple':
      return simpleValue(leaf);
    case 'integer':
      return leaf.shape === 'simple' ? simpleValue(leaf) : choiceToInteger(leaf);
    case 'list':
      return stringList(leaf);
    case 'joined':
      return joined(leaf);
    case 'flags':
      return choiceFlags(leaf);
    case 'choiceList':
      return choiceList(leaf, converter.options);
    case 'byCatalog':
      return byCatalogType(leaf, setting);
  }
}

function byCatalogType(leaf: LeafInstance, setting: SettingDefinition | undefined): Converted {
  if (!setting) return fail('no catalog entry to take the value type from');
  if (setting.type === 'stringList') return stringList(leaf);
  if (leaf.shape === 'simple') return simpleValue(leaf);
  if (leaf.shape !== 'choice') return fail(`a ${leaf.shape} cannot become a ${setting.type} setting`);
  if (setting.type === 'boolean') return choiceToBoolean(leaf);
  if (setting.type === 'integer') return choiceToInteger(leaf);
  if (setting.type === 'string' && setting.values) {
    // Only an option named by its value: an index would need Intune's option order, which the catalog does not know.
    const suffix = choiceSuffix(leaf)?.toLowerCase();
    const named = setting.values.find((v) => String(v.value).toLowerCase() === suffix);
    return named ? ok(named.value) : fail(`choice value "${String(leaf.raw)}" names none of ${setting.values.map((v) => v.value).join(', ')}`);
  }
  return fail(`a choice cannot become a ${setting.type} setting`);
}
