// fast-check generators of catalog-valid setting values, built from the catalog's own value schemas: the catalog's
// invariants test and the providers' "every catalog-valid value applies" tests draw from the same values.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { PORT_RANGES } from '../policy-schemas/src/catalog/item-patterns.js';
import { type JsonSchema, type SettingDefinition, valueSchemaOf } from '../policy-schemas/src/index.js';

const ajv = new Ajv2020({ strict: false, allErrors: true });
const compiled = new Map<JsonSchema, ValidateFunction>();
function validatorOf(schema: JsonSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** The pattern as Ajv compiles it (unicode mode). */
export function regex(pattern: string): RegExp {
  return new RegExp(pattern, 'u');
}

/** Port lists (`22,8000-8080`) made from numbers: fast-check cannot generate from PORT_RANGES' look-aheads and references. */
const portRanges = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), fc.boolean()), { minLength: 1, maxLength: 4 })
  .map((ranges) => ranges.map(([a, b, single]) => (single ? `${a}` : `${Math.min(a, b)}-${Math.max(a, b)}`)).join(','));

/** Strings matching a pattern, within a length range. */
export function matching(pattern: string, minLength = 0, maxLength = 4096): fc.Arbitrary<string> {
  if (pattern === PORT_RANGES) return portRanges.filter((v) => v.length >= minLength && v.length <= maxLength);
  return fc.stringMatching(regex(pattern)).filter((v) => [...v].length >= minLength && [...v].length <= maxLength);
}

/** `then` applied where `if` holds: the then-schema's properties are generated and merged in. */
function withConditionals(schema: JsonSchema, base: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const conditionals = ((schema.allOf ?? []) as JsonSchema[]).filter((c) => c.if !== undefined && c.then !== undefined);
  if (conditionals.length === 0) return base;
  const whole = validatorOf(schema);
  const fixed = conditionals.reduce(
    (arb, c) =>
      arb.chain((obj) =>
        validatorOf(c.if as JsonSchema)(obj)
          ? (arbitraryOf({ type: 'object', ...(c.then as JsonSchema) }) as fc.Arbitrary<Record<string, unknown>>).map((extra) => ({ ...obj, ...extra }))
          : fc.constant(obj),
      ),
    base,
  );
  // Conditions that contradict each other (ports and ICMP types in one rule) cannot be fixed up: drop those items.
  return fixed.filter((v) => whole(v));
}

/**
 * Values that a JSON Schema accepts, for the subset the catalog's item schemas use: oneOf, const, enum, boolean,
 * integer ranges, strings (length, pattern), arrays (items, min/maxItems, uniqueItems), closed objects (a property
 * whose schema is `false` is never generated) and allOf of if/then.
 */
export function arbitraryOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.oneOf)) return fc.oneof(...(schema.oneOf as JsonSchema[]).map(arbitraryOf));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const n = (key: string) => schema[key] as number | undefined;
  switch (schema.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: n('minimum'), max: n('maximum') });
    case 'string':
      if (typeof schema.pattern === 'string') return matching(schema.pattern, n('minLength'), n('maxLength'));
      return fc.string({ minLength: n('minLength') ?? 0, maxLength: Math.min(n('maxLength') ?? 40, 40) });
    case 'array': {
      const constraints = { minLength: n('minItems') ?? 0, maxLength: Math.min(n('maxItems') ?? 4, 4) };
      const items = arbitraryOf((schema.items ?? {}) as JsonSchema);
      return schema.uniqueItems ? fc.uniqueArray(items, { ...constraints, selector: (v) => JSON.stringify(v) }) : fc.array(items, constraints);
    }
    case 'object': {
      const properties = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema | boolean>).filter(
        (entry): entry is [string, JsonSchema] => typeof entry[1] === 'object',
      );
      const record = Object.fromEntries(properties.map(([k, p]) => [k, arbitraryOf(p)]));
      const requiredKeys = ((schema.required ?? []) as string[]).filter((k) => k in record);
      // Spread: fc.record builds null-prototype objects, which JSON never yields.
      return withConditionals(
        schema,
        fc.record(record, { requiredKeys }).map((v) => ({ ...v })),
      );
    }
  }
  throw new Error(`arbitraryOf: unsupported schema ${JSON.stringify(schema)}`);
}

/** Values the setting allows, from its catalog value schema (lists kept short: length adds run time, not coverage). */
export function allowedValues(s: SettingDefinition): fc.Arbitrary<unknown> {
  switch (s.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return s.values ? fc.constantFrom(...s.values.map((v) => v.value)) : fc.integer({ min: s.minimum, max: s.maximum });
    case 'string': {
      if (s.values) return fc.constantFrom(...s.values.map((v) => v.value));
      return matching(String(valueSchemaOf(s).pattern));
    }
    case 'stringList': {
      // A singleItem list accepts more in its value schema (policies signed before the limit) than a policy may name.
      const maxItems = s.singleItem ? 1 : (s.maxItems ?? 1000);
      const item = matching(String((valueSchemaOf(s).items as JsonSchema).pattern), 1, 1024);
      return fc.uniqueArray(item, { maxLength: maxItems < 20 ? maxItems : 20 });
    }
    case 'objectList': {
      const items = arbitraryOf(s.itemSchema ?? {});
      return fc.uniqueArray(items, { maxLength: Math.min(s.maxItems ?? 1000, 6), selector: (v) => JSON.stringify(v) });
    }
  }
}
