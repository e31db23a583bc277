// Build-time stand-in for common/schema-validators.ts: Ajv standalone code of every schema, generated now from the
// same TypeBox schemas and options, so dist/ bundles and the single executable carry no Ajv compiler. Each schema's
// code is a deflated string, inflated and turned into a function on first use: as plain code, V8 pre-parsed all ~2 MB
// of it at start and the parser's peak (~18 MB of malloc) stayed resident; as plain strings it was 2 MB of heap.
import { resolve } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { type Plugin, transformSync } from 'esbuild';
import { createAjv } from '../common/schema-validators.js';
import { ALL_SCHEMAS } from '../policy-schemas/src/index.js';

/** Where the helpers' `require`s resolve from (the repository's node_modules). */
const REPO_ROOT = resolve(import.meta.dirname, '..');

/** The modules standalone code may `require`: Ajv's small runtime helpers and ajv-formats' format table. */
const HELPERS = ['ajv/dist/runtime/ucs2length', 'ajv/dist/runtime/equal', 'ajv-formats/dist/formats'];

/**
 * CommonJS source exporting `compiledValidator(id)` like common/schema-validators.ts. The helpers are `require`d
 * here, where the bundler sees them, and handed to each schema's code.
 */
export function precompiledValidatorsSource(): string {
  const ajv = createAjv({ source: true, lines: false });
  const factories = ALL_SCHEMAS.map((schema) => {
    const id = (schema as { $id?: string }).$id;
    const fn = id ? ajv.getSchema(id) : undefined;
    if (!id || !fn) throw new Error(`schema without a compilable $id: ${JSON.stringify(id)}`);
    const code = transformSync(standaloneCode(ajv, fn), { minify: true, charset: 'ascii' }).code;
    for (const [, name] of code.matchAll(/require\("([^"]+)"\)/g)) if (!HELPERS.includes(name ?? '')) throw new Error(`${id}: standalone code needs ${name}`);
    return `${JSON.stringify(id)}: ${JSON.stringify(deflateRawSync(code, { level: 9 }).toString('base64'))}`;
  });
  return [
    '"use strict";',
    `const helpers = { ${HELPERS.map((h) => `${JSON.stringify(h)}: require(${JSON.stringify(h)})`).join(', ')} };`,
    'const helper = (name) => helpers[name];',
    'const { inflateRawSync } = require("node:zlib");',
    `const sources = {\n${factories.join(',\n')}\n};`,
    'const compiled = new Map();',
    'exports.compiledValidator = function compiledValidator(id) {',
    '  let fn = compiled.get(id);',
    '  if (!fn && Object.hasOwn(sources, id)) {',
    '    const module = { exports: {} };',
    "    const code = inflateRawSync(Buffer.from(sources[id], 'base64')).toString();",
    "    new Function('module', 'exports', 'require', code)(module, module.exports, helper);",
    '    fn = module.exports;',
    '    compiled.set(id, fn);',
    '  }',
    '  return fn;',
    '};',
    '',
  ].join('\n');
}

/** esbuild plugin: common/validation.ts gets the precompiled validators instead of the Ajv compiler. */
export function precompiledValidators(): Plugin {
  let source: string | undefined;
  return {
    name: 'precompiled-validators',
    setup(b) {
      b.onResolve({ filter: /^\.\/schema-validators\.js$/ }, (args) =>
        /[\\/]common[\\/]validation\.ts$/.test(args.importer) ? { path: 'schema-validators', namespace: 'precompiled-validators' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'precompiled-validators' }, () => {
        source ??= precompiledValidatorsSource();
        return { contents: source, loader: 'js', resolveDir: REPO_ROOT };
      });
    },
  };
}
