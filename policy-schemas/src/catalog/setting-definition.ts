// The schema of one settings-catalog entry: stable id, type, allowed values, default, platforms, provider mapping.
// Object-list settings (firewall rules, indicators, exclusion entries) carry the JSON Schema of one item and its key.
import { type Static, Type } from '@sinclair/typebox';
import { Platform, PolicyKind, SettingValue } from '../primitives.js';

export const SettingType = Type.Union([
  Type.Literal('boolean'),
  Type.Literal('integer'),
  Type.Literal('string'),
  Type.Literal('stringList'),
  Type.Literal('objectList'),
]);
export type SettingType = Static<typeof SettingType>;

export const SettingDefinition = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][A-Za-z0-9]*(\\.[A-Za-z0-9_-]+)+$', description: 'stable id, never reused' }),
    kind: PolicyKind,
    title: Type.String({ minLength: 1 }),
    description: Type.String(),
    platforms: Type.Array(Platform, { minItems: 1, uniqueItems: true }),
    type: SettingType,
    /** Allowed values (integers or strings) with their meaning, in the order the reference lists them. */
    values: Type.Optional(
      Type.Array(Type.Object({ value: Type.Union([Type.Integer(), Type.String()]), label: Type.String() }, { additionalProperties: false }), {
        minItems: 1,
      }),
    ),
    minimum: Type.Optional(Type.Integer()),
    maximum: Type.Optional(Type.Integer()),
    /** ECMAScript (unicode) pattern a string value, or each item of a string list, must match. */
    pattern: Type.Optional(Type.String()),
    maxItems: Type.Optional(Type.Integer({ minimum: 1 })),
    /**
     * stringList only: a policy may name one item ("only one value per tag type"). Enforced when a policy is submitted
     * and when a device applies it, not by the value schema (maxItems), so a policy signed before the limit existed
     * still verifies (the device refuses only this setting); two policies naming different items conflict.
     */
    singleItem: Type.Optional(Type.Literal(true)),
    /** objectList only: JSON Schema 2020-12 of one item (no $id, no $ref). */
    itemSchema: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** objectList only: the properties that identify an item; policies merge items by this key. */
    itemKey: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, uniqueItems: true })),
    /** objectList only: example items (documentation and tests); each must satisfy itemSchema. */
    itemExamples: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { minItems: 1 })),
    /** The value meaning "not managed" (ASR notConfigured): it never conflicts and loses to any other value. */
    unsetValue: Type.Optional(SettingValue),
    default: Type.Optional(SettingValue),
    /** Defaults that differ per platform (e.g. mdatp enforcementLevel is passive on Linux, real_time on macOS). */
    platformDefaults: Type.Optional(Type.Partial(Type.Record(Platform, SettingValue))),
    /** Where the setting lives on the device: CSP path (Windows) or managed-preferences key (Linux/macOS). */
    source: Type.String({ minLength: 1 }),
    /** True where Defender ignores policy changes while tamper protection is on (Policy CSP notes). */
    tamperProtected: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, $id: 'urn:attache:setting-definition', title: 'Setting definition' },
);
export type SettingDefinition = Static<typeof SettingDefinition>;
