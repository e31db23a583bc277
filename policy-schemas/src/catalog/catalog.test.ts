// Invariants of the settings catalog: well-formed entries, defaults that satisfy their own value schema, and value
// schemas that accept exactly the allowed values (property-based, fast-check).
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PLATFORMS, POLICY_KINDS } from '../primitives.js';
import { defaultFor, SETTINGS, type SettingDefinition, settingById, settingsOfKind, settingsSchemaOf, valueSchemaOf } from './index.js';
import { SettingDefinition as SettingDefinitionSchema } from './setting-definition.js';

const ajv = new Ajv2020({ strict: true, allErrors: true });
const definitionIsValid = ajv.compile(JSON.parse(JSON.stringify(SettingDefinitionSchema)));
const valueValidators = new Map<string, ValidateFunction>(SETTINGS.map((s) => [s.id, ajv.compile(valueSchemaOf(s))]));

function accepts(setting: SettingDefinition, value: unknown): boolean {
  const fn = valueValidators.get(setting.id);
  if (!fn) throw new Error(`no validator for ${setting.id}`);
  return fn(value);
}

/** Values the setting allows. Patterned strings are not generated: no catalog entry has a pattern yet (asserted below). */
function allowedValues(s: SettingDefinition): fc.Arbitrary<unknown> {
  switch (s.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return s.values ? fc.constantFrom(...s.values.map((v) => v.value)) : fc.integer({ min: s.minimum, max: s.maximum });
    case 'string':
      return s.values ? fc.constantFrom(...s.values.map((v) => v.value)) : fc.string({ maxLength: 4096 });
    case 'stringList': {
      const maxItems = s.maxItems ?? 1000; // kept small: long lists add run time, not coverage
      return fc.uniqueArray(fc.string({ minLength: 1, maxLength: 1024 }), { maxLength: maxItems < 20 ? maxItems : 20 });
    }
  }
}

/** Values the setting must refuse: wrong JSON type always, plus out-of-set / out-of-range / malformed values per type. */
function disallowedValues(s: SettingDefinition): fc.Arbitrary<unknown> {
  const allowed = new Set<unknown>(s.values?.map((v) => v.value));
  const wrongType: Record<SettingDefinition['type'], fc.Arbitrary<unknown>> = {
    boolean: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.string())),
    integer: fc.oneof(fc.boolean(), fc.string(), fc.constant(null), fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true })),
    string: fc.oneof(fc.boolean(), fc.integer(), fc.constant(null), fc.array(fc.string())),
    stringList: fc.oneof(fc.boolean(), fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer(), { minLength: 1 })),
  };
  const outside: fc.Arbitrary<unknown>[] = [];
  if (s.values) outside.push((s.type === 'integer' ? fc.integer() : fc.string()).map((v): unknown => v).filter((v) => !allowed.has(v)));
  if (s.type === 'integer' && s.minimum !== undefined) outside.push(fc.integer({ max: s.minimum - 1 }));
  if (s.type === 'integer' && s.maximum !== undefined) outside.push(fc.integer({ min: s.maximum + 1 }));
  if (s.type === 'string' && !s.values) outside.push(fc.constant('x'.repeat(4097)));
  if (s.type === 'stringList') {
    outside.push(fc.string({ minLength: 1 }).map((v) => [v, v])); // duplicates
    outside.push(fc.constant(['']));
    outside.push(fc.constant(Array.from({ length: (s.maxItems ?? 1000) + 1 }, (_, i) => `item${i}`)));
  }
  return fc.oneof(wrongType[s.type], ...outside);
}

describe('settings catalog', () => {
  it('has unique ids', () => {
    const ids = SETTINGS.map((s) => s.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it.each(SETTINGS.map((s) => [s.id, s] as const))('%s is a valid SettingDefinition', (_id, setting) => {
    expect(definitionIsValid(setting), JSON.stringify(definitionIsValid.errors)).toBe(true);
  });

  it('uses only known kinds and platforms, each platform once', () => {
    for (const s of SETTINGS) {
      expect(POLICY_KINDS, s.id).toContain(s.kind);
      expect(s.platforms.length, s.id).toBeGreaterThan(0);
      expect(new Set(s.platforms).size, s.id).toBe(s.platforms.length);
      for (const p of s.platforms) expect(PLATFORMS, s.id).toContain(p);
      for (const p of Object.keys(s.platformDefaults ?? {})) expect(s.platforms, `${s.id} platformDefaults.${p}`).toContain(p);
    }
  });

  it('declares only the constraints that fit the type', () => {
    for (const s of SETTINGS) {
      if (s.values) {
        expect(['integer', 'string'], `${s.id} values`).toContain(s.type);
        expect(s.values.length, `${s.id} values`).toBeGreaterThan(0);
        const values = s.values.map((v) => v.value);
        expect(new Set(values).size, `${s.id} values unique`).toBe(values.length);
        for (const v of values) expect(typeof v, `${s.id} value ${v}`).toBe(s.type === 'integer' ? 'number' : 'string');
        for (const v of s.values) expect(v.label.trim(), `${s.id} label of ${v.value}`).not.toBe('');
        expect(s.minimum ?? s.maximum, `${s.id}: values and a range together`).toBeUndefined();
      }
      if (s.minimum !== undefined || s.maximum !== undefined) expect(s.type, `${s.id} range`).toBe('integer');
      if (s.minimum !== undefined && s.maximum !== undefined) expect(s.minimum, `${s.id} range`).toBeLessThanOrEqual(s.maximum);
      if (s.maxItems !== undefined) expect(s.type, `${s.id} maxItems`).toBe('stringList');
      expect(s.pattern, `${s.id}: pattern is not generated by the property test below; extend allowedValues first`).toBeUndefined();
    }
  });

  it('gives every setting a default that its own value schema accepts, on every platform', () => {
    for (const s of SETTINGS) {
      expect(s.default, `${s.id} has no default`).toBeDefined();
      for (const platform of s.platforms) {
        const value = defaultFor(s, platform);
        expect(accepts(s, value), `${s.id} default on ${platform}: ${JSON.stringify(value)}`).toBe(true);
      }
    }
  });

  it('finds settings by id and kind', () => {
    for (const s of SETTINGS) expect(settingById(s.id)).toBe(s);
    expect(settingById('defender.NoSuchThing')).toBeUndefined();
    expect(POLICY_KINDS.flatMap((k) => settingsOfKind(k))).toHaveLength(SETTINGS.length);
  });

  it('builds a per-kind settings schema naming exactly that kind', () => {
    for (const kind of POLICY_KINDS) {
      const properties = settingsSchemaOf(kind).properties as Record<string, unknown>;
      expect(Object.keys(properties).sort()).toEqual(
        settingsOfKind(kind)
          .map((s) => s.id)
          .sort(),
      );
    }
  });

  it('value schemas accept every allowed value', () => {
    const pairs = fc.constantFrom(...SETTINGS).chain((s) => allowedValues(s).map((value) => [s, value] as const));
    fc.assert(fc.property(pairs, ([s, value]) => accepts(s, value)));
  });

  it('value schemas reject values outside the allowed ones', () => {
    const pairs = fc.constantFrom(...SETTINGS).chain((s) => disallowedValues(s).map((value) => [s, value] as const));
    fc.assert(fc.property(pairs, ([s, value]) => !accepts(s, value)));
  });
});
