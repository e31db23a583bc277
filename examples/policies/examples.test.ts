// Every example policy is a valid policy of its kind against the settings catalog, and every kind has an example.
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { POLICY_KINDS, type PolicyKind, settingsSchemaOf } from '../../policy-schemas/src/index.js';

const dir = new URL('./', import.meta.url);
const docs = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as { kind: PolicyKind; settings: unknown }] as const);

describe('example policies', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });

  it.each(docs)('%s satisfies the catalog schema of its kind', (file, doc) => {
    const validate = ajv.compile(settingsSchemaOf(doc.kind));
    expect(validate(doc.settings), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
  });

  it('cover every policy kind', () => {
    expect(new Set(docs.map(([, d]) => d.kind))).toEqual(new Set(POLICY_KINDS));
  });
});
