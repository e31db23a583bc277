// The settings of `serve` from four sources: flag > ATTACHE_* environment variable > config file (--config or
// ATTACHE_CONFIG, schema urn:attache:endpoint-config) > default, as the agent's config (docs/deploy.md).

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { readConfigFile } from '../../common/config-file.js';
import { AttacheError } from '../../common/errors.js';
import { EndpointConfig } from '../../policy-schemas/src/index.js';
import { type AdmissionLimits, parseAdmissionLimits } from './http/admission.js';
import { type MetricsListen, parseMetricsListen } from './http/ops-routes.js';
import { type EnrollRateLimits, parseEnrollRateLimits } from './http/rate-limit.js';
import { parseListen } from './listen-address.js';
import { LOG_LEVELS, type LogLevel } from './logging.js';

type Unassigned = 'compliant' | 'noncompliant';

/** What commander parsed from the command line (each flag already in its final type); absent = not given. */
export interface ServeFlags {
  readonly config?: string;
  readonly dataDir?: string;
  readonly listen?: { host: string; port: number };
  readonly publicUrl?: string;
  readonly san?: string[];
  readonly alternateUrl?: string[];
  readonly logLevel?: LogLevel;
  readonly unassignedCompliance?: Unassigned;
  readonly complianceCheckSeconds?: number;
  readonly enrollRateLimit?: EnrollRateLimits | false;
  readonly admission?: AdmissionLimits | false;
  readonly listenBacklog?: number;
  readonly database?: string;
  readonly databaseUrlFile?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsCa?: string;
  readonly keyEncryptionKeyFile?: string;
  readonly metrics?: MetricsListen;
}

/** The resolved settings; an absent optional one leaves the endpoint's own default (endpoint.ts). */
export interface ServeSettings {
  readonly configFile: string | undefined;
  readonly dataDir: string;
  readonly listen: { host: string; port: number };
  readonly publicUrl?: string;
  readonly san: string[];
  /** Other https URLs of this deployment, listed in onboarding packages after the public URL. */
  readonly alternateUrls: string[];
  readonly logLevel: LogLevel;
  readonly unassignedCompliance: Unassigned;
  readonly complianceCheckSeconds?: number;
  readonly enrollRateLimit?: EnrollRateLimits | false;
  readonly admission?: AdmissionLimits | false;
  readonly listenBacklog?: number;
  readonly databaseUrl?: string;
  /** Own TLS certificate files (pki/own-certificate.ts): all three or none. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
  /** The key-encryption key file (pki/key-vault.ts): required with a PostgreSQL database. */
  readonly keyEncryptionKeyFile?: string;
  /** Where GET /metrics is served (http/ops-routes.ts); absent: no metrics. */
  readonly metrics?: MetricsListen;
  /** Config file `actions.packageMaxBytes`: the investigation package cap (absent: 64 MiB). */
  readonly actionsPackageMaxBytes?: number;
}

/** The environment variable of each setting (and of the config file itself). */
export const SERVE_ENV = {
  config: 'ATTACHE_CONFIG',
  dataDir: 'ATTACHE_DATA_DIR',
  listen: 'ATTACHE_LISTEN',
  publicUrl: 'ATTACHE_PUBLIC_URL',
  san: 'ATTACHE_SAN',
  alternateUrls: 'ATTACHE_ALTERNATE_URLS',
  logLevel: 'ATTACHE_LOG_LEVEL',
  unassignedCompliance: 'ATTACHE_UNASSIGNED_COMPLIANCE',
  complianceCheckSeconds: 'ATTACHE_COMPLIANCE_CHECK_SECONDS',
  enrollRateLimit: 'ATTACHE_ENROLL_RATE_LIMIT',
  admission: 'ATTACHE_ADMISSION',
  listenBacklog: 'ATTACHE_LISTEN_BACKLOG',
  databaseUrl: 'ATTACHE_DATABASE_URL',
  databaseUrlFile: 'ATTACHE_DATABASE_URL_FILE',
  tlsCert: 'ATTACHE_TLS_CERT',
  tlsKey: 'ATTACHE_TLS_KEY',
  tlsCa: 'ATTACHE_TLS_CA',
  keyEncryptionKeyFile: 'ATTACHE_KEY_ENCRYPTION_KEY_FILE',
  metrics: 'ATTACHE_METRICS',
} as const;

/** Default of --listen. */
export const DEFAULT_LISTEN = '127.0.0.1:8443';

type Env = Readonly<Record<string, string | undefined>>;

/** Parses a positive integer; throws an Error naming the value. */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got "${value}"`);
  return n;
}

function oneOf<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!allowed.includes(value as T)) throw new Error(`must be one of ${allowed.join(', ')} (got "${value}")`);
    return value as T;
  };
}

const sanList = (value: string) =>
  value
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n.length > 0);

/** A set variable must be valid; an empty one is an error, not "unset" (as the agent's ATTACHE_* variables). */
function fromEnv<T>(env: Env, key: keyof typeof SERVE_ENV, parse: (value: string) => T): T | undefined {
  const name = SERVE_ENV[key];
  const value = env[name];
  if (value === undefined) return undefined;
  if (value === '') throw new AttacheError('CONFIG_INVALID', `${name} is set but empty`);
  try {
    return parse(value);
  } catch (err) {
    throw new AttacheError('CONFIG_INVALID', `${name} is invalid: ${(err as Error).message}`, { cause: err });
  }
}

/** A config-file value through the same parser as its flag, the error naming the file and the key. */
function fromFile<T, V>(file: string | undefined, key: string, value: V | undefined, parse: (value: V) => T): T | undefined {
  if (value === undefined) return undefined;
  try {
    return parse(value);
  } catch (err) {
    throw new AttacheError('CONFIG_INVALID', `config file ${file} is invalid: /${key} ${(err as Error).message}`, { cause: err });
  }
}

/** Resolves every `serve` setting: flag, else variable, else config file, else default. */
export async function resolveServeSettings(flags: ServeFlags, env: Env): Promise<ServeSettings> {
  const configFile = flags.config ?? fromEnv(env, 'config', (v) => v);
  const file: EndpointConfig = configFile === undefined ? {} : ((await readConfigFile(configFile, EndpointConfig)) ?? {});
  // Paths in the file are relative to the file, as a service's config is read from wherever the unit says.
  const base = configFile === undefined ? process.cwd() : dirname(resolve(configFile));
  const filePath = (value: string) => resolve(base, value);
  const pick = <T>(flag: T | undefined, key: keyof typeof SERVE_ENV, parse: (value: string) => T, fileValue: T | undefined): T | undefined =>
    flag ?? fromEnv(env, key, parse) ?? fileValue;
  const path = (flag: string | undefined, key: 'dataDir' | 'tlsCert' | 'tlsKey' | 'tlsCa' | 'keyEncryptionKeyFile') =>
    pick(flag, key, (v) => v, fromFile(configFile, key, file[key], filePath));

  const dataDir = path(flags.dataDir, 'dataDir');
  const publicUrl = pick(flags.publicUrl, 'publicUrl', (v) => v, file.publicUrl);
  const complianceCheckSeconds = pick(flags.complianceCheckSeconds, 'complianceCheckSeconds', parsePositiveInt, file.complianceCheckSeconds);
  const enrollRateLimit = pick(
    flags.enrollRateLimit,
    'enrollRateLimit',
    parseEnrollRateLimits,
    fromFile(configFile, 'enrollRateLimit', file.enrollRateLimit, parseEnrollRateLimits),
  );
  const admission = pick(flags.admission, 'admission', parseAdmissionLimits, fromFile(configFile, 'admission', file.admission, parseAdmissionLimits));
  const listenBacklog = pick(flags.listenBacklog, 'listenBacklog', parsePositiveInt, file.listenBacklog);
  const databaseUrl = await resolveDatabaseUrl(flags, env, { file, configFile, filePath });
  const listen = pick(flags.listen, 'listen', parseListen, fromFile(configFile, 'listen', file.listen, parseListen));
  const tls = ownCertificateFiles(path(flags.tlsCert, 'tlsCert'), path(flags.tlsKey, 'tlsKey'), path(flags.tlsCa, 'tlsCa'));
  const keyEncryptionKeyFile = path(flags.keyEncryptionKeyFile, 'keyEncryptionKeyFile');
  const metrics = pick(flags.metrics, 'metrics', parseMetricsListen, fromFile(configFile, 'metrics', file.metrics, parseMetricsListen));
  if (databaseUrl !== undefined && keyEncryptionKeyFile === undefined) {
    throw new AttacheError(
      'CONFIG_INVALID',
      `with a PostgreSQL database the endpoint's keys are kept in it, encrypted: pass --key-encryption-key-file, set ${SERVE_ENV.keyEncryptionKeyFile} or "keyEncryptionKeyFile" in the config file (attache-management kek generate --out <file> makes one)`,
    );
  }
  if (dataDir === undefined) {
    throw new AttacheError('CONFIG_INVALID', `no data directory: pass --data-dir, set ${SERVE_ENV.dataDir} or "dataDir" in the config file`);
  }
  return {
    configFile,
    dataDir,
    listen: listen ?? parseListen(DEFAULT_LISTEN),
    ...(publicUrl === undefined ? {} : { publicUrl }),
    san: pick(flags.san, 'san', sanList, file.san) ?? [],
    alternateUrls: pick(flags.alternateUrl?.length ? flags.alternateUrl : undefined, 'alternateUrls', sanList, file.alternateUrls) ?? [],
    logLevel: pick(flags.logLevel, 'logLevel', oneOf(LOG_LEVELS), file.logLevel) ?? 'info',
    unassignedCompliance:
      pick(flags.unassignedCompliance, 'unassignedCompliance', oneOf<Unassigned>(['compliant', 'noncompliant']), file.unassignedCompliance) ?? 'compliant',
    ...(complianceCheckSeconds === undefined ? {} : { complianceCheckSeconds }),
    ...(enrollRateLimit === undefined ? {} : { enrollRateLimit }),
    ...(admission === undefined ? {} : { admission }),
    ...(listenBacklog === undefined ? {} : { listenBacklog }),
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    ...(tls === undefined ? {} : { tls }),
    ...(keyEncryptionKeyFile === undefined ? {} : { keyEncryptionKeyFile }),
    ...(metrics === undefined ? {} : { metrics }),
    ...(file.actions?.packageMaxBytes === undefined ? {} : { actionsPackageMaxBytes: file.actions.packageMaxBytes }),
  };
}

function ownCertificateFiles(certFile: string | undefined, keyFile: string | undefined, caFile: string | undefined): ServeSettings['tls'] {
  if (certFile === undefined && keyFile === undefined && caFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined || caFile === undefined) {
    const missing = [certFile ?? '--tls-cert', keyFile ?? '--tls-key', caFile ?? '--tls-ca'].filter((v) => v.startsWith('--'));
    throw new AttacheError('CONFIG_INVALID', `your own TLS certificate needs --tls-cert, --tls-key and --tls-ca together (missing: ${missing.join(', ')})`);
  }
  return { certFile, keyFile, caFile };
}

/**
 * The database URL: given as a URL or as a file holding it (so the password stays out of `ps` and the config
 * file). The two are one setting: the highest source that gives either wins; one source giving both is an error.
 */
async function resolveDatabaseUrl(
  flags: ServeFlags,
  env: Env,
  config: { file: EndpointConfig; configFile: string | undefined; filePath: (p: string) => string },
): Promise<string | undefined> {
  const levels: { where: string; url: string | undefined; urlFile: string | undefined }[] = [
    { where: '--database and --database-url-file', url: flags.database, urlFile: flags.databaseUrlFile },
    {
      where: `${SERVE_ENV.databaseUrl} and ${SERVE_ENV.databaseUrlFile}`,
      url: fromEnv(env, 'databaseUrl', (v) => v),
      urlFile: fromEnv(env, 'databaseUrlFile', (v) => v),
    },
    {
      where: `"databaseUrl" and "databaseUrlFile" in config file ${config.configFile}`,
      url: config.file.databaseUrl,
      urlFile: config.file.databaseUrlFile === undefined ? undefined : config.filePath(config.file.databaseUrlFile),
    },
  ];
  const level = levels.find((l) => l.url !== undefined || l.urlFile !== undefined);
  if (!level) return undefined;
  if (level.url !== undefined && level.urlFile !== undefined) throw new AttacheError('CONFIG_INVALID', `give one of ${level.where}, not both`);
  return level.url ?? readDatabaseUrlFile(level.urlFile as string);
}

/** The URL in a database URL file (one line; the text is never echoed, it holds a password). */
export async function readDatabaseUrlFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AttacheError('CONFIG_INVALID', `cannot read database URL file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const url = text.trim();
  if (!/^postgres(ql)?:\/\/\S+$/.test(url)) {
    throw new AttacheError('CONFIG_INVALID', `database URL file ${path} must hold one postgres:// URL (on one line, nothing else)`);
  }
  return url;
}
