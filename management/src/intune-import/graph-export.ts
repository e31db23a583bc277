// Reads a Microsoft Graph (beta) Intune policy export: strips a UTF-8 BOM, parses, checks its shape and flattens the
// nested setting instances (choice children, group collections) into leaves that carry a value. Pure.
import { AttacheError } from '../../../common/errors.js';
import { nestedDeeperThan } from '../../../common/json-text.js';

/** A setting instance that carries a value, with the group-collection item it sits in (for object lists). */
export interface LeafInstance {
  readonly settingDefinitionId: string;
  readonly shape: 'choice' | 'simple' | 'simpleCollection' | 'choiceCollection' | 'unsupported';
  /** choice: the option id; simple: the value; collections: the values. */
  readonly raw: string | number | boolean | readonly (string | number)[] | undefined;
  readonly odataType: string;
  /** `<group settingDefinitionId>#<item index>` path of the enclosing group-collection items ('' at top level). */
  readonly groupItem: string;
}

/** What kind of Graph object the export is. */
export interface ParsedExport {
  readonly kind: 'configurationPolicy' | 'other';
  readonly odataType: string;
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly platforms: string;
  readonly technologies: string;
  readonly templateFamily: string;
  readonly templateDisplayName: string;
  readonly leaves: readonly LeafInstance[];
}

const GRAPH = '#microsoft.graph.deviceManagementConfiguration';
const GRAPH_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Setting instances nest a few levels in real exports; far deeper is hostile and would overflow the recursion. */
const MAX_INSTANCE_DEPTH = 64;
/** The largest export read (real ones are well under 1 MiB); checked before reading or parsing. */
export const MAX_EXPORT_BYTES = 32 * 1024 * 1024;
/**
 * JSON nesting an export may have: 64 instance levels take about 4 JSON levels each. Deeper values would overflow every
 * recursive walk after the import (the mapping table, `--json` output), so they are refused before mapping.
 */
export const MAX_EXPORT_JSON_DEPTH = 300;

function invalid(message: string): AttacheError {
  return new AttacheError('INTUNE_EXPORT_INVALID', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Parses export text (a leading UTF-8 BOM is allowed, as PowerShell writes it) or takes an already parsed value. */
export function parseExportText(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  if (input.length > MAX_EXPORT_BYTES) throw tooLarge(input.length);
  const body = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new AttacheError('INTUNE_EXPORT_INVALID', `the Intune export is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** INTUNE_EXPORT_INVALID for an export of `size` bytes (more than MAX_EXPORT_BYTES). */
export function tooLarge(size: number): AttacheError {
  return invalid(`the Intune export is ${size} bytes; at most ${MAX_EXPORT_BYTES} (32 MiB) are read`);
}

/** Refuses a parsed export that nests deeper than MAX_EXPORT_JSON_DEPTH (after readExport named deep setting instances). */
export function checkExportDepth(data: unknown): void {
  if (nestedDeeperThan(data, MAX_EXPORT_JSON_DEPTH)) throw invalid(`the Intune export nests deeper than ${MAX_EXPORT_JSON_DEPTH} JSON levels`);
}

/** Checks the export's shape and flattens its settings; throws INTUNE_EXPORT_INVALID naming what is wrong. */
export function readExport(input: unknown): ParsedExport {
  const data = parseExportText(input);
  if (!isObject(data)) throw invalid('the Intune export must be a JSON object (one policy as returned by Microsoft Graph)');
  const odataType = text(data['@odata.type']);
  const template = isObject(data.templateReference) ? data.templateReference : {};
  const base = {
    odataType,
    id: text(data.id),
    name: text(data.name) || text(data.displayName),
    description: text(data.description),
    platforms: text(data.platforms),
    technologies: text(data.technologies),
    templateFamily: text(template.templateFamily),
    templateDisplayName: text(template.templateDisplayName),
  };
  // The id is what a re-import matches on: Graph ids of these objects are GUIDs; anything else is not an export.
  if (base.id !== '' && !GRAPH_ID.test(base.id))
    throw invalid(`the Intune export's "id" ${JSON.stringify(base.id.slice(0, 60))} is not a Graph object id (a GUID)`);
  if (data.id !== undefined && typeof data.id !== 'string') throw invalid('the Intune export\'s "id" is not a string');
  const isConfigurationPolicy = odataType === '#microsoft.graph.deviceManagementConfigurationPolicy' || (odataType === '' && 'settings' in data);
  if (!isConfigurationPolicy) {
    if (!odataType) throw invalid('the Intune export has neither "@odata.type" nor "settings": it is not a Graph policy export');
    return { ...base, kind: 'other', leaves: [] };
  }
  if (!Array.isArray(data.settings)) {
    throw invalid('the Intune export has no "settings" array: export the policy with its settings expanded ($expand=settings)');
  }
  const leaves: LeafInstance[] = [];
  data.settings.forEach((setting, i) => {
    const instance = isObject(setting) ? setting.settingInstance : undefined;
    if (!isObject(instance)) throw invalid(`settings[${i}] has no "settingInstance" object`);
    flatten(instance, `settings[${i}]`, '', leaves);
  });
  return { ...base, kind: 'configurationPolicy', leaves };
}

function flatten(instance: Record<string, unknown>, where: string, groupItem: string, out: LeafInstance[], depth = 0): void {
  const id = instance.settingDefinitionId;
  const odataType = text(instance['@odata.type']);
  if (typeof id !== 'string' || id === '') throw invalid(`${where}: a setting instance has no "settingDefinitionId"`);
  if (depth >= MAX_INSTANCE_DEPTH) throw invalid(`${where.slice(0, 200)}…: setting instances nested deeper than ${MAX_INSTANCE_DEPTH} levels`);
  const shape = odataType.startsWith(GRAPH) ? odataType.slice(GRAPH.length) : odataType;
  const leaf = (kind: LeafInstance['shape'], raw: LeafInstance['raw']) => out.push({ settingDefinitionId: id, shape: kind, raw, odataType, groupItem });
  const children = (list: unknown, itemPath: string) => {
    if (!Array.isArray(list)) return;
    for (const child of list) {
      if (!isObject(child)) throw invalid(`${where} (${id}): a child setting instance is not an object`);
      flatten(child, `${where} > ${id}`, itemPath, out, depth + 1);
    }
  };
  const value = (v: unknown, field: string): Record<string, unknown> => {
    if (!isObject(v)) throw invalid(`${where} (${id}): ${shape} has no "${field}" object`);
    return v;
  };
  const collection = (v: unknown, field: string): Record<string, unknown>[] => {
    if (!Array.isArray(v) || !v.every(isObject)) throw invalid(`${where} (${id}): ${shape} has no "${field}" array`);
    return v;
  };
  switch (shape) {
    case 'ChoiceSettingInstance': {
      const choice = value(instance.choiceSettingValue, 'choiceSettingValue');
      leaf('choice', text(choice.value));
      children(choice.children, groupItem);
      return;
    }
    case 'SimpleSettingInstance':
      leaf('simple', value(instance.simpleSettingValue, 'simpleSettingValue').value as LeafInstance['raw']);
      return;
    case 'SimpleSettingCollectionInstance':
      leaf(
        'simpleCollection',
        collection(instance.simpleSettingCollectionValue, 'simpleSettingCollectionValue').map((v) => v.value as string | number),
      );
      return;
    case 'ChoiceSettingCollectionInstance': {
      const items = collection(instance.choiceSettingCollectionValue, 'choiceSettingCollectionValue');
      leaf(
        'choiceCollection',
        items.map((v) => text(v.value)),
      );
      for (const item of items) children(item.children, groupItem);
      return;
    }
    case 'GroupSettingCollectionInstance':
      collection(instance.groupSettingCollectionValue, 'groupSettingCollectionValue').forEach((item, i) => {
        children(item.children, `${groupItem}/${id}#${i}`);
      });
      return;
    case 'GroupSettingInstance':
      children(value(instance.groupSettingValue, 'groupSettingValue').children, groupItem);
      return;
    default:
      leaf('unsupported', undefined);
  }
}
