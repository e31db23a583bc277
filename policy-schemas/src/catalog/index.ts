// The settings catalog: every setting we manage, and the value schema each one implies.
import type { Platform, PolicyKind, SettingValue } from '../primitives.js';
import { ANTIVIRUS_SETTINGS } from './antivirus.js';
import { ANTIVIRUS_EXCLUSIONS_SETTINGS } from './antivirus-exclusions.js';
import { ASR_SETTINGS } from './asr.js';
import { DEFENDER_UPDATE_SETTINGS } from './defender-update.js';
import { EDR_SETTINGS } from './edr.js';
import { FIREWALL_SETTINGS } from './firewall.js';
import { FIREWALL_RULES_SETTINGS } from './firewall-rules.js';
import { INDICATOR_SETTINGS } from './indicators.js';
import { LINUX_FIREWALL_SETTINGS } from './linux-firewall.js';
import { SECURITY_EXPERIENCE_SETTINGS } from './security-experience.js';
import type { SettingDefinition } from './setting-definition.js';
import { TEXT_PATTERN } from './text.js';

export { type AsrRuleEdition, asrRuleEdition } from './asr.js';
export { RENAMED_PROPERTIES } from './firewall-rules.js';
export * from './intune-sources.js';
export type { SettingDefinition } from './setting-definition.js';
export { TEXT_FORBIDDEN, TEXT_PATTERN, textPatternMessage } from './text.js';

/** A plain JSON Schema object (the catalog builds these from data, so they carry no static type). */
export type JsonSchema = Record<string, unknown>;

/** Every setting of every kind, in catalogue order. */
export const SETTINGS: readonly SettingDefinition[] = [
  ...ANTIVIRUS_SETTINGS,
  ...ANTIVIRUS_EXCLUSIONS_SETTINGS,
  ...DEFENDER_UPDATE_SETTINGS,
  ...SECURITY_EXPERIENCE_SETTINGS,
  ...FIREWALL_SETTINGS,
  ...FIREWALL_RULES_SETTINGS,
  ...EDR_SETTINGS,
  ...ASR_SETTINGS,
  ...LINUX_FIREWALL_SETTINGS,
  ...INDICATOR_SETTINGS,
];

const BY_ID = new Map(SETTINGS.map((s) => [s.id, s]));

/** The catalog entry of a setting id, if this build knows it. */
export function settingById(id: string): SettingDefinition | undefined {
  return BY_ID.get(id);
}

/** The settings of one policy kind, in catalog order. */
export function settingsOfKind(kind: PolicyKind): SettingDefinition[] {
  return SETTINGS.filter((s) => s.kind === kind);
}

/** The default value of a setting on a platform (platform-specific default first). */
export function defaultFor(setting: SettingDefinition, platform: Platform): SettingValue | undefined {
  return setting.platformDefaults?.[platform] ?? setting.default;
}

/** JSON Schema (2020-12) for the values one setting accepts. Free text without its own pattern gets TEXT_PATTERN (text.ts). */
export function valueSchemaOf(setting: SettingDefinition): JsonSchema {
  const meta = { title: setting.title, description: `${setting.description} Platforms: ${setting.platforms.join(', ')}.` };
  switch (setting.type) {
    case 'boolean':
      return { type: 'boolean', ...meta };
    case 'integer':
      return setting.values
        ? { type: 'integer', enum: setting.values.map((v) => v.value), ...meta }
        : {
            type: 'integer',
            ...(setting.minimum === undefined ? {} : { minimum: setting.minimum }),
            ...(setting.maximum === undefined ? {} : { maximum: setting.maximum }),
            ...meta,
          };
    case 'string':
      return setting.values
        ? { type: 'string', enum: setting.values.map((v) => v.value), ...meta }
        : { type: 'string', maxLength: 4096, pattern: setting.pattern ?? TEXT_PATTERN, ...meta };
    case 'stringList':
      return {
        type: 'array',
        items: { type: 'string', minLength: 1, maxLength: 1024, pattern: setting.pattern ?? TEXT_PATTERN },
        maxItems: setting.maxItems ?? 1000,
        uniqueItems: true,
        ...meta,
      };
    case 'objectList':
      // uniqueItems drops exact duplicates; two items with the same itemKey but different content are a merge conflict.
      return { type: 'array', items: setting.itemSchema ?? {}, maxItems: setting.maxItems ?? 1000, uniqueItems: true, ...meta };
  }
}

/** JSON Schema of the `settings` object of a policy of one kind: only that kind's setting ids, each with its value schema. */
export function settingsSchemaOf(kind: PolicyKind): JsonSchema {
  const properties = Object.fromEntries(settingsOfKind(kind).map((s) => [s.id, valueSchemaOf(s)]));
  return { type: 'object', properties, additionalProperties: false, minProperties: 1 };
}
