// Where the admin CLI finds the endpoint: flags (--url/--token-file/--ca-file) win over the environment profile
// (ATTACHE_ADMIN_URL, ATTACHE_ADMIN_TOKEN_FILE, ATTACHE_CA_FILE), which wins over <data dir>/admin.json (written by `serve`).
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { AttacheError } from '../../../common/errors.js';
import type { AdminConnection } from './admin-client.js';

/** Connection flags of the admin CLI. */
export interface ConnectionFlags {
  readonly dataDir?: string;
  readonly url?: string;
  readonly tokenFile?: string;
  readonly caFile?: string;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new AttacheError('CONFIG_INVALID', `cannot read ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** The environment variables of the profile, by the flag each stands in for. */
export const PROFILE_ENV = { url: 'ATTACHE_ADMIN_URL', tokenFile: 'ATTACHE_ADMIN_TOKEN_FILE', caFile: 'ATTACHE_CA_FILE' } as const;

/** Flags with the profile's variables filled in where a flag is absent (an empty variable counts as unset). */
export function withProfile(flags: ConnectionFlags, env: NodeJS.ProcessEnv): ConnectionFlags {
  const from = (flag: string | undefined, name: string) => flag ?? (env[name] ? env[name] : undefined);
  const url = from(flags.url, PROFILE_ENV.url);
  const tokenFile = from(flags.tokenFile, PROFILE_ENV.tokenFile);
  const caFile = from(flags.caFile, PROFILE_ENV.caFile);
  return { ...flags, ...(url === undefined ? {} : { url }), ...(tokenFile === undefined ? {} : { tokenFile }), ...(caFile === undefined ? {} : { caFile }) };
}

/**
 * Resolves flags (explicit flags, then the profile in `env`, then admin.json) into a URL, the admin token and the
 * pinned CA.
 */
export async function resolveConnection(given: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Promise<AdminConnection> {
  const flags = withProfile(given, env);
  let fromFile: { url?: unknown; caFile?: unknown; tokenFile?: unknown; serverName?: unknown } = {};
  let base = process.cwd();
  if (flags.dataDir) {
    const path = resolve(flags.dataDir, 'admin.json');
    try {
      fromFile = JSON.parse(await readText(path, 'admin config')) as typeof fromFile;
    } catch (err) {
      if (err instanceof AttacheError) throw err;
      throw new AttacheError('CONFIG_INVALID', `${path} is not valid JSON`, { cause: err });
    }
    base = dirname(path);
  }
  const pick = (flag: string | undefined, stored: unknown, name: string): string => {
    const value = flag ?? (typeof stored === 'string' ? stored : undefined);
    if (!value) {
      const variable = PROFILE_ENV[name === 'url' ? 'url' : name === 'token-file' ? 'tokenFile' : 'caFile'];
      throw new AttacheError('CONFIG_INVALID', `no ${name}: pass --data-dir <dir> (of a running endpoint) or --${name}, or set ${variable}`);
    }
    return value;
  };
  const url = pick(flags.url, fromFile.url, 'url');
  if (!url.startsWith('https://')) throw new AttacheError('CONFIG_INVALID', `endpoint URL ${url} must use https`);
  const token = (await readText(resolve(base, pick(flags.tokenFile, fromFile.tokenFile, 'token-file')), 'token file')).trim();
  const caPem = await readText(resolve(base, pick(flags.caFile, fromFile.caFile, 'ca-file')), 'CA file');
  // An explicit --url is checked against its own host; admin.json's local URL against the own certificate's name.
  const serverName = flags.url === undefined && typeof fromFile.serverName === 'string' ? fromFile.serverName : undefined;
  return { url, token, caPem, ...(serverName === undefined ? {} : { serverName }) };
}
