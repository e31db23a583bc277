// `npm run gen`: writes policy-schemas/json/ (one JSON Schema 2020-12 file per schema, the settings catalog) and the
// generated docs (docs/settings.md, docs/errors.md, docs/openapi.json). `--check` writes nothing and exits 1 when a file is stale.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiJson } from '../management/src/http/openapi/document.js';
import { ALL_SCHEMAS, SETTINGS } from '../policy-schemas/src/index.js';
import { generateErrorsDoc } from './errors-doc.js';
import { generateSettingsDoc } from './settings-doc.js';

/** Where the emitted JSON lives, relative to the repository root. */
export const JSON_DIR = 'policy-schemas/json';
export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';
const ID_PREFIX = 'urn:attache:';
const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

// Keywords whose values are data, not subschemas: never look for `$id` inside them.
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);

/**
 * Copies a schema as plain JSON, adding `$schema` first to the root and to every embedded resource (a subschema with
 * its own `$id`, e.g. SignedPolicy inside PoliciesResponse). The embedded copy must equal the file emitted for that
 * `$id`, otherwise a validator loading all files at once rejects the id as "resolves to more than one schema".
 * TypeBox's symbol keys (Kind, Optional) are dropped, as JSON.stringify would.
 */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  if (typeof (schema as { $id?: unknown }).$id === 'string') out.$schema = SCHEMA_DIALECT;
  for (const [key, value] of Object.entries(schema)) {
    if (key !== '$schema') out[key] = DATA_KEYWORDS.has(key) ? value : toJsonSchema(value);
  }
  return out;
}

/** The file name of a schema: its `$id` without `urn:attache:`. */
export function schemaFileName(schema: { $id?: unknown }): string {
  const id = schema.$id;
  if (typeof id !== 'string' || !id.startsWith(ID_PREFIX)) throw new Error(`schema without a ${ID_PREFIX}* $id: ${JSON.stringify(id)}`);
  return `${id.slice(ID_PREFIX.length)}.schema.json`;
}

function jsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** policy-schemas/json/*.schema.json and settings-catalog.json: repo-relative path → content. */
export function generateSchemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const schema of ALL_SCHEMAS) {
    const path = `${JSON_DIR}/${schemaFileName(schema)}`;
    if (files.has(path)) throw new Error(`two schemas share the $id of ${path}`);
    files.set(path, jsonFile(toJsonSchema(schema)));
  }
  files.set(`${JSON_DIR}/settings-catalog.json`, jsonFile(SETTINGS));
  return files;
}

/** Every generated file, repo-relative path → content. Pure: the same sources always give the same bytes. */
export function generateAll(): Map<string, string> {
  return new Map([
    ...generateSchemaFiles(),
    ['docs/settings.md', generateSettingsDoc()],
    ['docs/errors.md', generateErrorsDoc()],
    ['docs/openapi.json', openApiJson()],
  ]);
}

/** Emitted files in JSON_DIR that no longer correspond to a schema (a schema was removed or its $id renamed). */
async function orphans(root: string, files: ReadonlyMap<string, string>): Promise<string[]> {
  const names = await readdir(join(root, JSON_DIR)).catch(() => [] as string[]);
  return names.map((name) => `${JSON_DIR}/${name}`).filter((path) => path.endsWith('.json') && !files.has(path));
}

/** Generated files that are missing, differ from the sources, or are orphaned, as "path (reason)" lines. */
export async function findStale(root: string = REPO_ROOT, files: ReadonlyMap<string, string> = generateAll()): Promise<string[]> {
  const stale: string[] = [];
  for (const [path, content] of files) {
    const onDisk = await readFile(join(root, path), 'utf8').catch(() => undefined);
    if (onDisk === undefined) stale.push(`${path} (missing)`);
    else if (onDisk !== content) stale.push(`${path} (out of date)`);
  }
  for (const path of await orphans(root, files)) stale.push(`${path} (no longer generated)`);
  return stale;
}

/** Writes every generated file and removes orphans. Returns the paths written. */
export async function writeGenerated(root: string = REPO_ROOT, files: ReadonlyMap<string, string> = generateAll()): Promise<string[]> {
  for (const [path, content] of files) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  for (const path of await orphans(root, files)) await rm(join(root, path));
  return [...files.keys()];
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--check')) {
    const stale = await findStale();
    for (const line of stale) process.stderr.write(`stale: ${line}\n`);
    process.stdout.write(stale.length === 0 ? 'gen: all generated files are up to date\n' : 'gen: run npm run gen\n');
    return stale.length === 0 ? 0 : 1;
  }
  const written = await writeGenerated();
  process.stdout.write(`gen: wrote ${written.length} files\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.exitCode = await main(process.argv.slice(2));
}
