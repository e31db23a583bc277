// Backup of a PostgreSQL replica's data dir: the CA key is in the database (sealed), so the data dir is recognised by
// its CA certificate, the archive holds the data dir only, and says the database is not included.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackup } from './backup.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-backup-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('createBackup with PostgreSQL', () => {
  it('archives a replica data dir without a CA key, and refuses a dir without the CA certificate', async () => {
    const data = join(dir, 'data');
    await mkdir(data, { mode: 0o700 });
    await expect(
      createBackup({ dataDir: data, databaseUrl: 'postgres://a@db/x', out: join(dir, 'none.tar.gz') }, { now: () => new Date() }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('has no ca.pem'),
    });
    await writeFile(join(data, 'ca.pem'), 'CERT');
    await writeFile(join(data, 'server.pem'), 'SERVER');
    const { manifest } = await createBackup({ dataDir: data, databaseUrl: 'postgres://a@db/x', out: join(dir, 'b.tar.gz') }, { now: () => new Date() });
    expect(manifest.database).toEqual({ engine: 'postgresql', included: false });
    expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining(['data/ca.pem', 'data/server.pem']));
  });
});
