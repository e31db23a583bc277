// Configuration precedence (flag > ATTACHE_* variable > file > default) and the errors for bad variables.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envOverrides, loadConfig } from './config.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-config-'));
  await writeFile(join(dir, 'agent.json'), JSON.stringify({ stateDir: '/from/file', logDir: '/logs/file', logLevel: 'warn' }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadConfig', () => {
  it('takes the file named by ATTACHE_CONFIG, and variables over the file', async () => {
    const fileOnly = await loadConfig({}, { ATTACHE_CONFIG: join(dir, 'agent.json') });
    expect([fileOnly.stateDir, fileOnly.logDir, fileOnly.logLevel]).toEqual(['/from/file', '/logs/file', 'warn']);
    const env = { ATTACHE_CONFIG: join(dir, 'agent.json'), ATTACHE_STATE_DIR: '/from/env', ATTACHE_LOG_DIR: '/logs/env', ATTACHE_LOG_LEVEL: 'debug' };
    const withEnv = await loadConfig({}, env);
    expect([withEnv.configFile, withEnv.stateDir, withEnv.logDir, withEnv.logLevel]).toEqual([join(dir, 'agent.json'), '/from/env', '/logs/env', 'debug']);
  });

  it('lets flags win over variables', async () => {
    const c = await loadConfig({ stateDir: '/from/flag', logLevel: 'error' }, { ATTACHE_STATE_DIR: '/from/env', ATTACHE_LOG_LEVEL: 'debug' });
    expect([c.stateDir, c.logLevel]).toEqual(['/from/flag', 'error']);
  });

  it('fails on a config file named by ATTACHE_CONFIG that does not exist', async () => {
    await expect(loadConfig({}, { ATTACHE_CONFIG: join(dir, 'missing.json') })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('envOverrides', () => {
  it('rejects a bad log level, naming the variable and the allowed values', () => {
    expect(() => envOverrides({ ATTACHE_LOG_LEVEL: 'verbose' })).toThrow('ATTACHE_LOG_LEVEL must be one of error, warn, info, debug (got "verbose")');
  });

  it('rejects relative and empty paths', () => {
    expect(() => envOverrides({ ATTACHE_STATE_DIR: 'state' })).toThrow('ATTACHE_STATE_DIR must be an absolute path (got "state")');
    expect(() => envOverrides({ ATTACHE_LOG_DIR: '' })).toThrow('ATTACHE_LOG_DIR must be an absolute path (got "")');
  });

  it('ignores unset variables and unrelated ones', () => {
    expect(envOverrides({ PATH: '/usr/bin', ATTACHE_OTHER: 'x' })).toEqual({});
  });
});
