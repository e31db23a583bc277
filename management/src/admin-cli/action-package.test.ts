// Unit tests of `action package`'s file handling: the verified package lands 0600 (also over an existing file); a
// header or result mismatch, or a stream that breaks, leaves no file behind and fails with the code.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { savePackage } from './action-package.js';

const BYTES = Buffer.from('not really a tar.gz, but bytes all the same\n'.repeat(1000));
const SHA = createHash('sha256').update(BYTES).digest('hex');
const body = () => Readable.from([BYTES.subarray(0, 1000), BYTES.subarray(1000)]);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'action-package-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('savePackage', () => {
  it('writes the verified package 0600, replacing an existing file', async () => {
    const out = join(dir, 'pkg.tar.gz');
    await writeFile(out, 'old', { mode: 0o644 });
    const saved = await savePackage(body(), { headerSha256: SHA, result: { sha256: SHA, sizeBytes: BYTES.length } }, out);
    expect(saved).toEqual({ sha256: SHA, sizeBytes: BYTES.length });
    expect(Buffer.compare(await readFile(out), BYTES)).toBe(0);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['pkg.tar.gz']);
  });

  it('deletes the file and fails when the bytes are not what the header announced', async () => {
    const out = join(dir, 'pkg.tar.gz');
    const wrong = 'cd'.repeat(32);
    await expect(savePackage(body(), { headerSha256: wrong }, out)).rejects.toMatchObject({
      code: 'PACKAGE_HASH_MISMATCH',
      message: expect.stringContaining(`announced ${wrong}`),
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('deletes the file and fails when the bytes are not the package the device reported (hash or size)', async () => {
    const out = join(dir, 'pkg.tar.gz');
    await expect(savePackage(body(), { headerSha256: SHA, result: { sha256: 'ef'.repeat(32), sizeBytes: BYTES.length } }, out)).rejects.toMatchObject({
      code: 'PACKAGE_HASH_MISMATCH',
    });
    await expect(savePackage(body(), { headerSha256: SHA, result: { sha256: SHA, sizeBytes: 1 } }, out)).rejects.toMatchObject({
      code: 'PACKAGE_HASH_MISMATCH',
      message: expect.stringContaining('not the one the device reported'),
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('deletes the partial file when the download breaks', async () => {
    const out = join(dir, 'pkg.tar.gz');
    const broken = new Readable({
      read() {
        this.push(BYTES.subarray(0, 100));
        this.destroy(new Error('socket hang up'));
      },
    });
    await expect(savePackage(broken, { headerSha256: SHA }, out)).rejects.toThrow('socket hang up');
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails naming the file it cannot write', async () => {
    await expect(savePackage(body(), { headerSha256: SHA }, join(dir, 'missing', 'pkg.tar.gz'))).rejects.toMatchObject({
      code: 'STATE_WRITE_FAILED',
      message: expect.stringContaining('missing/pkg.tar.gz.partial'),
    });
  });
});
