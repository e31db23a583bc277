// Atomic writes leave nothing behind when they fail, and a start-up sweep removes what a killed writer left: only our
// own temp files, and only old ones.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sweepTempFiles, writeFileAtomic } from './atomic-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A 64 KiB tmpfs, when this process may mount one (root on Linux); undefined elsewhere. */
function smallDisk(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const mount = join(dir, 'small');
  try {
    execFileSync('mkdir', ['-p', mount]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount], { stdio: 'ignore' });
    return mount;
  } catch {
    return undefined;
  }
}

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temp file', async () => {
    const file = join(dir, 'state.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    expect(await readFile(file, 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('on a full disk keeps the old file and removes its temp file (ENOSPC)', async (ctx) => {
    const mount = smallDisk();
    if (!mount) return ctx.skip();
    try {
      const file = join(mount, 'state.json');
      await writeFileAtomic(file, 'good');
      await expect(writeFileAtomic(file, 'x'.repeat(256 * 1024))).rejects.toMatchObject({ code: 'ENOSPC' });
      expect(await readFile(file, 'utf8')).toBe('good');
      expect(await readdir(mount)).toEqual(['state.json']);
    } finally {
      execFileSync('umount', [mount]);
    }
  });

  it('when the rename fails (target is a directory) removes its temp file', async () => {
    await mkdir(join(dir, 'taken'));
    await expect(writeFileAtomic(join(dir, 'taken'), 'data')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
  });
});

describe('sweepTempFiles', () => {
  it('removes only our old temp files', async () => {
    const old = Date.now() / 1000 - 3600;
    for (const name of ['.0123456789ab.tmp', '.abcdefabcdef.tmp', 'notes.tmp', '.short.tmp', 'state.json']) await writeFile(join(dir, name), 'x');
    await utimes(join(dir, '.0123456789ab.tmp'), old, old);
    await utimes(join(dir, 'notes.tmp'), old, old);
    const removed = await sweepTempFiles(dir, { now: Date.now(), olderThanMs: 60_000 });
    expect(removed).toEqual(['.0123456789ab.tmp']);
    expect((await readdir(dir)).sort()).toEqual(['.abcdefabcdef.tmp', '.short.tmp', 'notes.tmp', 'state.json']);
    expect(await sweepTempFiles(join(dir, 'missing'), { now: Date.now(), olderThanMs: 0 })).toEqual([]);
  });
});
