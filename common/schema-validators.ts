// The compiled validator of each schema `$id`. This file compiles them with Ajv on first use (tests, `tsx`); the
// bundles in dist/ and the single executable swap it for validators precompiled at build time from the same schemas
// and options (scripts/precompiled-validators.ts), so a running program neither loads Ajv nor compiles anything.
import { Ajv2020, type Options, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ALL_SCHEMAS } from '../policy-schemas/src/index.js';

/** Ajv options of every validator, compiled here or precompiled. */
export const AJV_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true } as const satisfies Options;
/** The ajv-formats formats the schemas use. */
export const FORMATS = ['uuid', 'date-time', 'uri'] as const;

/** An Ajv instance with every schema registered (`code` options: the precompiler asks for source). */
export function createAjv(code?: Options['code']): Ajv2020 {
  const ajv = new Ajv2020({ ...AJV_OPTIONS, ...(code ? { code } : {}) });
  addFormats.default(ajv, [...FORMATS]);
  for (const schema of ALL_SCHEMAS) ajv.addSchema(schema as object);
  return ajv;
}

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

/** The validator of the schema with `$id`, or undefined when no schema has it. */
export function compiledValidator(id: string): ValidateFunction | undefined {
  let fn = compiled.get(id);
  if (!fn) {
    ajv ??= createAjv();
    fn = ajv.getSchema(id);
    if (fn) compiled.set(id, fn);
  }
  return fn;
}
