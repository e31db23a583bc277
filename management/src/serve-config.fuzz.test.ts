// Fuzz: the endpoint's configuration file (`serve --config`). Mutated valid samples give CONFIG_INVALID naming the
// file (or the missing data dir), or settings whose every value is in range.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearOutcomeAsync, fuzzRuns, hostileJsonText, pathologicalTexts } from '../../test/fuzz.js';
import { resolveServeSettings } from './serve-config.js';

const SAMPLE = {
  dataDir: 'data',
  listen: '[::]:8443',
  publicUrl: 'https://mgmt.example.com:8443',
  san: ['mgmt.example.com', '10.0.0.5'],
  logLevel: 'info',
  unassignedCompliance: 'compliant',
  complianceCheckSeconds: 60,
  enrollRateLimit: '20,20',
  admission: '1024,256,1000',
  listenBacklog: 4096,
  databaseUrlFile: 'database-url',
  keyEncryptionKeyFile: 'kek',
  tlsCert: 'tls/server.pem',
  tlsKey: 'tls/server.key',
  tlsCa: 'tls/root.pem',
};
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-serve-config-fuzz-'));
  await writeFile(join(dir, 'database-url'), 'postgres://attache:secret@db.example.com/attache\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function checkConfig(text: string): Promise<void> {
  const file = join(dir, 'endpoint.json');
  await writeFile(file, text);
  const out = await clearOutcomeAsync((config: string) => resolveServeSettings({ config }, {}), file);
  if (out.ok) {
    expect(out.value.listen.port).toBeLessThanOrEqual(65535);
    expect(out.value.complianceCheckSeconds ?? 1).toBeGreaterThan(0);
    expect(out.value.listenBacklog ?? 1).toBeGreaterThan(0);
  } else {
    expect(out.error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(out.error.message).toMatch(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|no data directory|database URL file|--tls-|key-encryption key`),
    );
  }
}

describe('endpoint config file under fuzzing', () => {
  it('the sample is accepted', async () => {
    await writeFile(join(dir, 'sample.json'), JSON.stringify(SAMPLE));
    const settings = await resolveServeSettings({ config: join(dir, 'sample.json') }, {});
    expect(settings).toMatchObject({
      dataDir: join(dir, 'data'),
      listen: { host: '::', port: 8443 },
      databaseUrl: 'postgres://attache:secret@db.example.com/attache',
    });
  });

  it('mutated config files: CONFIG_INVALID naming the file, or settings in range', async () => {
    await fc.assert(fc.asyncProperty(hostileJsonText([SAMPLE]), checkConfig), fuzzRuns(80));
  });

  it('pathological config files finish clearly', async () => {
    for (const { text } of pathologicalTexts(JSON.stringify(SAMPLE))) await checkConfig(text);
  });
});
