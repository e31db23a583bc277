// `serve` settings: flag > ATTACHE_* variable > config file > default, file paths relative to the file, the database
// URL from a file, and CONFIG_INVALID errors naming the key, variable or file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServeSettings } from './serve-config.js';

let dir: string;
let config: string;
const FILE = {
  dataDir: 'data',
  listen: '0.0.0.0:9443',
  publicUrl: 'https://attache.example.org',
  san: ['lb.example.org'],
  alternateUrls: ['https://replica-2.example.org'],
  logLevel: 'warn',
  unassignedCompliance: 'noncompliant',
  complianceCheckSeconds: 30,
  enrollRateLimit: 'off',
  admission: '10,5,500',
  listenBacklog: 128,
  databaseUrl: 'postgres://attache@db.example.org/attache',
  keyEncryptionKeyFile: 'kek',
  actions: { packageMaxBytes: 1_048_576 },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-serve-config-'));
  config = join(dir, 'endpoint.json');
  await writeFile(config, JSON.stringify(FILE));
  await writeFile(join(dir, 'db-url'), 'postgres://attache:secret@db.example.org/attache\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const writeConfig = async (content: unknown) => {
  const path = join(dir, `c-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

describe('resolveServeSettings', () => {
  it('uses the defaults with only a data dir', async () => {
    expect(await resolveServeSettings({ dataDir: 'd' }, {})).toEqual({
      configFile: undefined,
      dataDir: 'd',
      listen: { host: '127.0.0.1', port: 8443 },
      san: [],
      alternateUrls: [],
      logLevel: 'info',
      unassignedCompliance: 'compliant',
    });
  });

  it('reads every key of the config file (ATTACHE_CONFIG), paths relative to the file', async () => {
    const s = await resolveServeSettings({}, { ATTACHE_CONFIG: config });
    expect(s).toMatchObject({
      configFile: config,
      dataDir: join(dir, 'data'),
      listen: { host: '0.0.0.0', port: 9443 },
      publicUrl: 'https://attache.example.org',
      san: ['lb.example.org'],
      alternateUrls: ['https://replica-2.example.org'],
      logLevel: 'warn',
      unassignedCompliance: 'noncompliant',
      complianceCheckSeconds: 30,
      enrollRateLimit: false,
      admission: { maxInFlight: 10, maxInFlightUpgrades: 5, maxEventLoopDelayMs: 500 },
      listenBacklog: 128,
      databaseUrl: 'postgres://attache@db.example.org/attache',
      keyEncryptionKeyFile: join(dir, 'kek'),
      actionsPackageMaxBytes: 1_048_576,
    });
  });

  it('refuses a PostgreSQL database without a key-encryption key file, saying how to give one', async () => {
    await expect(resolveServeSettings({ dataDir: 'd', database: 'postgres://a/b' }, {})).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('--key-encryption-key-file, set ATTACHE_KEY_ENCRYPTION_KEY_FILE or "keyEncryptionKeyFile"'),
    });
    const s = await resolveServeSettings({ dataDir: 'd', database: 'postgres://a/b' }, { ATTACHE_KEY_ENCRYPTION_KEY_FILE: '/etc/kek' });
    expect(s.keyEncryptionKeyFile).toBe('/etc/kek');
  });

  it('takes variables over the file and flags over variables', async () => {
    const env = {
      ATTACHE_CONFIG: config,
      ATTACHE_LISTEN: '127.0.0.2:7000',
      ATTACHE_LOG_LEVEL: 'debug',
      ATTACHE_SAN: 'a.example, b.example',
      ATTACHE_LISTEN_BACKLOG: '64',
    };
    const fromEnv = await resolveServeSettings({}, env);
    expect([fromEnv.listen, fromEnv.logLevel, fromEnv.san, fromEnv.listenBacklog]).toEqual([
      { host: '127.0.0.2', port: 7000 },
      'debug',
      ['a.example', 'b.example'],
      64,
    ]);
    const fromFlag = await resolveServeSettings(
      { config, listen: { host: '::1', port: 1 }, logLevel: 'error', dataDir: '/flag' },
      { ...env, ATTACHE_CONFIG: '/nope.json' },
    );
    expect([fromFlag.listen, fromFlag.logLevel, fromFlag.dataDir, fromFlag.complianceCheckSeconds]).toEqual([{ host: '::1', port: 1 }, 'error', '/flag', 30]);
  });

  it('names the variable that is bad or empty', async () => {
    await expect(resolveServeSettings({ dataDir: 'd' }, { ATTACHE_LOG_LEVEL: 'loud' })).rejects.toThrow(
      'ATTACHE_LOG_LEVEL is invalid: must be one of error, warn, info, debug (got "loud")',
    );
    await expect(resolveServeSettings({ dataDir: 'd' }, { ATTACHE_COMPLIANCE_CHECK_SECONDS: '1.5' })).rejects.toThrow(
      'ATTACHE_COMPLIANCE_CHECK_SECONDS is invalid: expected a positive integer',
    );
    await expect(resolveServeSettings({ dataDir: 'd' }, { ATTACHE_ADMISSION: '1,2' })).rejects.toThrow('ATTACHE_ADMISSION is invalid: admission "1,2" must be');
    await expect(resolveServeSettings({ dataDir: 'd' }, { ATTACHE_PUBLIC_URL: '' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'ATTACHE_PUBLIC_URL is set but empty',
    });
  });

  it('refuses unknown keys, wrong types, bad JSON and a missing file, naming the file and key', async () => {
    await expect(resolveServeSettings({ config: await writeConfig({ dataDir: 'd', listenPort: 1 }) }, {})).rejects.toThrow(
      /config file .* is invalid: \/ unknown property "listenPort"/,
    );
    await expect(resolveServeSettings({ config: await writeConfig({ listenBacklog: 0 }) }, {})).rejects.toThrow(/is invalid: \/listenBacklog /);
    await expect(resolveServeSettings({ config: await writeConfig({ listen: 'nowhere' }) }, {})).rejects.toThrow(/is invalid: \/listen expected host:port/);
    await expect(resolveServeSettings({ config: await writeConfig('{') }, {})).rejects.toThrow(/is not valid JSON/);
    await expect(resolveServeSettings({ config: join(dir, 'missing.json') }, {})).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('needs a data dir from somewhere', async () => {
    await expect(resolveServeSettings({}, {})).rejects.toThrow('no data directory: pass --data-dir, set ATTACHE_DATA_DIR or "dataDir" in the config file');
  });

  it('reads the database URL from a file; the highest source giving a URL or a file wins; one source giving both is refused', async () => {
    const urlFile = join(dir, 'db-url');
    expect(
      (await resolveServeSettings({ dataDir: 'd', databaseUrlFile: urlFile, keyEncryptionKeyFile: 'k' }, { ATTACHE_DATABASE_URL: 'postgres://env/x' }))
        .databaseUrl,
    ).toBe('postgres://attache:secret@db.example.org/attache');
    expect((await resolveServeSettings({ config }, { ATTACHE_DATABASE_URL_FILE: urlFile })).databaseUrl).toBe(
      'postgres://attache:secret@db.example.org/attache',
    );
    const relative = await writeConfig({ dataDir: 'd', databaseUrlFile: 'db-url', keyEncryptionKeyFile: 'kek' });
    expect((await resolveServeSettings({ config: relative }, {})).databaseUrl).toBe('postgres://attache:secret@db.example.org/attache');
    await expect(resolveServeSettings({ dataDir: 'd' }, { ATTACHE_DATABASE_URL: 'postgres://a/b', ATTACHE_DATABASE_URL_FILE: urlFile })).rejects.toThrow(
      'give one of ATTACHE_DATABASE_URL and ATTACHE_DATABASE_URL_FILE, not both',
    );
    await expect(resolveServeSettings({ dataDir: 'd', databaseUrlFile: config }, {})).rejects.toThrow(
      `database URL file ${config} must hold one postgres:// URL`,
    );
  });

  it('takes own TLS certificate files all together, relative to the config file', async () => {
    const tls = await writeConfig({ dataDir: 'd', tlsCert: 'server.pem', tlsKey: 'server.key' });
    await expect(resolveServeSettings({ config: tls }, {})).rejects.toThrow('needs --tls-cert, --tls-key and --tls-ca together (missing: --tls-ca)');
    expect((await resolveServeSettings({ config: tls, tlsCa: '/pki/root.pem' }, {})).tls).toEqual({
      certFile: join(dir, 'server.pem'),
      keyFile: join(dir, 'server.key'),
      caFile: '/pki/root.pem',
    });
  });
});
