// Reading a JSON configuration file (the agent's agent.json, the endpoint's `serve --config`): every failure is
// CONFIG_INVALID naming the file, and the content is validated against its schema (unknown keys refused).
import { readFile } from 'node:fs/promises';
import type { Static, TSchema } from '@sinclair/typebox';
import { AttacheError } from './errors.js';
import { validate } from './validation.js';

/**
 * Reads, parses and validates the configuration file at `path`. A missing file is undefined when `optional` (a
 * default path nobody created), else an error: a file the user named must exist.
 */
export async function readConfigFile<T extends TSchema>(path: string, schema: T, options: { optional?: boolean } = {}): Promise<Static<T> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (options.optional && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AttacheError('CONFIG_INVALID', `cannot read config file ${path}: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new AttacheError('CONFIG_INVALID', `config file ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return validate(schema, data, `config file ${path}`, 'CONFIG_INVALID');
}
