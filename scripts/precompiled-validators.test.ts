// The validators dist/ ships must be the ones tests exercise: generated from the same schemas and options, they
// accept and reject the same documents with the same errors, and the agent bundle carries no Ajv compiler.
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { compiledValidator } from '../common/schema-validators.js';
import { ALL_SCHEMAS, policySettingsSchemaId } from '../policy-schemas/src/index.js';
import { BUNDLE_OPTIONS } from './build.js';
import { precompiledValidatorsSource } from './precompiled-validators.js';

const ROOT = join(import.meta.dirname, '..');

function loadPrecompiled(): (id: string) => ValidateFunction | undefined {
  const module = { exports: {} as { compiledValidator: (id: string) => ValidateFunction | undefined } };
  new Function('module', 'exports', 'require', precompiledValidatorsSource())(module, module.exports, createRequire(import.meta.url));
  return module.exports.compiledValidator;
}

async function examplePolicies(): Promise<Record<string, unknown>[]> {
  const dir = join(ROOT, 'examples', 'policies');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as Record<string, unknown>));
}

/** Valid documents and near misses: wrong types, unknown and missing properties, bad formats. */
function variants(doc: Record<string, unknown>): unknown[] {
  const settings = (doc.settings ?? {}) as Record<string, unknown>;
  const [first] = Object.keys(settings);
  return [
    doc,
    { ...doc, extra: 1 },
    { ...doc, name: 42 },
    { ...doc, kind: 'nope' },
    { ...doc, settings: { ...settings, 'unknown.setting': true } },
    ...(first ? [{ ...doc, settings: { ...settings, [first]: { not: 'a value' } } }] : []),
    settings,
    { policyId: 'not-a-uuid', version: -1, issuedAt: 'yesterday', url: 'not a uri' },
    {},
    [],
    null,
    'text',
  ];
}

describe('precompiled validators', () => {
  const precompiled = loadPrecompiled();

  it('exist for every schema, and for no other id', () => {
    for (const schema of ALL_SCHEMAS) expect(typeof precompiled(String(schema.$id)), String(schema.$id)).toBe('function');
    expect(precompiled('urn:attache:no-such-schema')).toBeUndefined();
  });

  it('give the same verdict and errors as the schemas compiled at run time', async () => {
    const docs = (await examplePolicies()).flatMap(variants);
    let rejected = 0;
    for (const schema of ALL_SCHEMAS) {
      const id = String(schema.$id);
      const [built, runtime] = [precompiled(id), compiledValidator(id)];
      if (!built || !runtime) throw new Error(`no validator for ${id}`);
      for (const doc of docs) {
        const verdict = built(doc);
        expect(verdict, `${id} on ${JSON.stringify(doc).slice(0, 80)}`).toBe(runtime(doc));
        expect(built.errors ?? null).toEqual(runtime.errors ?? null);
        if (!verdict) rejected++;
      }
    }
    // The examples are valid policies: each kind's documents must pass their own schemas.
    for (const doc of await examplePolicies()) {
      expect(precompiled('urn:attache:policy-document')?.(doc), String(doc.name)).toBe(true);
      expect(precompiled(policySettingsSchemaId(doc.kind as never))?.(doc.settings), String(doc.name)).toBe(true);
    }
    expect(rejected).toBeGreaterThan(0);
  });

  it('replace the Ajv compiler in the agent bundle', async () => {
    const result = await build({ ...BUNDLE_OPTIONS, entryPoints: [join(ROOT, 'agent/src/main.ts')], write: false, outfile: 'agent.cjs', metafile: true });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => /node_modules\/ajv\/dist\/(compile|core|2020|standalone)/.test(path))).toEqual([]);
    expect(inputs.some((path) => path.endsWith('node_modules/ajv/dist/runtime/ucs2length.js'))).toBe(true);
  }, 60_000);
});
