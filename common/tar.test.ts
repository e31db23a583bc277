// The ustar header: fields where tar readers look for them, a checksum they accept, and names that cannot be stored;
// writeTarGz: an archive the system tar extracts, its size and hash those of the file, an existing file never replaced.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tarEnd, tarEntry, tarHeader, tarPadding, writeTarGz } from './tar.js';

describe('tarHeader', () => {
  it('writes name, mode, size, mtime, type and a checksum over the header read with blank checksum field', () => {
    const h = tarHeader('data/ca-key.pem', 1234, new Date(1_700_000_000_000));
    expect(h.length).toBe(512);
    expect(h.toString('ascii', 0, 15)).toBe('data/ca-key.pem');
    expect(Number.parseInt(h.toString('ascii', 100, 107), 8)).toBe(0o600);
    expect(Number.parseInt(h.toString('ascii', 124, 135), 8)).toBe(1234);
    expect(Number.parseInt(h.toString('ascii', 136, 147), 8)).toBe(1_700_000_000);
    expect(h.toString('ascii', 156, 157)).toBe('0');
    expect(h.toString('ascii', 257, 265)).toBe('ustar\x0000');
    const blank = Buffer.from(h);
    blank.write('        ', 148, 'ascii');
    expect(Number.parseInt(h.toString('ascii', 148, 154), 8)).toBe(blank.reduce((n, b) => n + b, 0));
  });

  it('refuses names it would have to truncate or that leave the archive root', () => {
    for (const bad of ['', `data/${'x'.repeat(100)}`, '/etc/passwd', 'data/../x', 'data/é'])
      expect(() => tarHeader(bad, 0, new Date(0))).toThrow('cannot store');
  });

  it('pads data to whole blocks and ends with two zero blocks', () => {
    expect([tarPadding(0).length, tarPadding(1).length, tarPadding(512).length, tarPadding(513).length]).toEqual([0, 511, 0, 511]);
    expect(tarEnd().equals(Buffer.alloc(1024))).toBe(true);
  });
});

describe('writeTarGz', () => {
  it('writes a gzip archive the system tar extracts, reporting the file size and SHA-256', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tar-'));
    try {
      const out = join(dir, 'a.tar.gz');
      const big = Buffer.alloc(70_000, 'x');
      function* blocks() {
        yield* tarEntry('one.txt', Buffer.from('hello\n'), new Date(0));
        yield* tarEntry('sub/two.bin', big, new Date(0));
        yield tarEnd();
      }
      const written = await writeTarGz(blocks(), out);
      const bytes = await readFile(out);
      expect(written).toEqual({ sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
      expect((await stat(out)).mode & 0o777).toBe(0o600);
      execFileSync('tar', ['-xzf', out, '-C', dir]);
      expect(await readFile(join(dir, 'one.txt'), 'utf8')).toBe('hello\n');
      expect((await readFile(join(dir, 'sub/two.bin'))).equals(big)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never replaces an existing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tar-'));
    try {
      const out = join(dir, 'a.tar.gz');
      await writeFile(out, 'keep');
      await expect(writeTarGz([tarEnd()], out)).rejects.toMatchObject({ code: 'EEXIST' });
      expect(await readFile(out, 'utf8')).toBe('keep');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
