// The file quarantine on real files in a temp dir: metadata, 0700 folders, exec bits off, exact restore (path, mode,
// owner, hash), refusals that leave the file where it was, the EXDEV copy fallback through an injected rename/link,
// and swaps planted at the exact moment of the move (review17a findings 2-4) that must not reach another file.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, rename as fsRename, link, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileQuarantine, sha256OfFile } from './quarantine.js';

const CONTENT = '#!/bin/sh\necho pretend-miner\n';
const SHA256 = createHash('sha256').update(CONTENT).digest('hex');
const NOW = Date.parse('2026-12-05T10:00:00Z');
const isRoot = process.getuid?.() === 0;

let dir: string;
let root: string;
let ids: number;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-quarantine-'));
  root = join(dir, 'state', 'quarantine');
  await mkdir(join(dir, 'bin'));
  ids = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Move = (from: string, to: string) => Promise<void>;
function quarantine(rename?: Move, link?: Move): FileQuarantine {
  return new FileQuarantine({ root }, { now: () => NOW, newId: () => `q-${++ids}`, ...(rename ? { rename } : {}), ...(link ? { link } : {}) });
}

async function sample(mode = 0o4755): Promise<string> {
  const path = join(dir, 'bin', 'miner');
  await writeFile(path, CONTENT);
  await chmod(path, mode);
  return path;
}

/** A file the attacker points a symlink at (stands for /etc/shadow or /usr/bin/sudo). */
async function victimFile(mode: number): Promise<string> {
  const victim = join(dir, 'victim');
  await writeFile(victim, 'important');
  await chmod(victim, mode);
  return victim;
}

describe('file quarantine', () => {
  it('moves the file with its metadata into an owner-only folder, exec bits off', async () => {
    const path = await sample();
    const before = await stat(path);
    const record = await quarantine().quarantine(path, { reason: 'indicator fileSha256 x' });
    expect(record).toEqual({
      formatVersion: 1,
      quarantineId: 'q-1',
      originalPath: path,
      mode: 0o4755,
      uid: before.uid,
      gid: before.gid,
      sha256: SHA256,
      sizeBytes: CONTENT.length,
      quarantinedAt: '2026-12-05T10:00:00.000Z',
      reason: 'indicator fileSha256 x',
    });
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
    expect((await stat(root)).mode & 0o777).toBe(0o700);
    expect((await stat(join(root, 'q-1'))).mode & 0o777).toBe(0o700);
    const stored = await stat(join(root, 'q-1', 'file'));
    expect(stored.mode & 0o7111).toBe(0);
    expect(stored.mode & 0o077).toBe(0);
    expect(await readFile(join(root, 'q-1', 'file'), 'utf8')).toBe(CONTENT);
    expect(JSON.parse(await readFile(join(root, 'q-1', 'metadata.json'), 'utf8'))).toEqual(record);
    expect((await stat(join(root, 'q-1', 'metadata.json'))).mode & 0o777).toBe(0o600);
    expect(await quarantine().list()).toEqual([record]);
  });

  it('restores the exact path, mode, owner and content, and forgets the entry', async () => {
    const path = await sample(0o4750);
    if (isRoot) await chown(path, 1234, 2345);
    await chmod(path, 0o4750); // chown clears set-user-id
    const before = await stat(path);
    const q = quarantine();
    const { quarantineId } = await q.quarantine(path, { reason: 'test' });
    await q.restore(quarantineId);
    const after = await stat(path);
    expect(after.mode & 0o7777).toBe(0o4750);
    expect([after.uid, after.gid]).toEqual([before.uid, before.gid]);
    if (isRoot) expect([after.uid, after.gid]).toEqual([1234, 2345]);
    expect(
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex'),
    ).toBe(SHA256);
    expect(await readdir(root)).toEqual([]);
    await expect(q.restore(quarantineId)).rejects.toMatchObject({ code: 'QUARANTINE_NOT_FOUND' });
  });

  it('falls back to copy + fsync + unlink when rename crosses file systems (EXDEV), both ways', async () => {
    const path = await sample(0o755);
    const calls: string[] = [];
    const exdev = async (from: string) => {
      calls.push(from);
      throw Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' });
    };
    const q = quarantine(exdev, exdev);
    const record = await q.quarantine(path, { reason: 'test' });
    expect(calls).toEqual([path]);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(root, record.quarantineId, 'file'), 'utf8')).toBe(CONTENT);
    await q.restore(record.quarantineId);
    expect(calls).toHaveLength(2);
    expect(await readFile(path, 'utf8')).toBe(CONTENT);
    expect((await stat(path)).mode & 0o7777).toBe(0o755);
  });

  it('leaves the file in place when the move fails for another reason, with no half entry', async () => {
    const path = await sample();
    const failing = async () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    await expect(quarantine(failing).quarantine(path, { reason: 'test' })).rejects.toMatchObject({
      code: 'QUARANTINE_FAILED',
      message: expect.stringContaining('EACCES'),
    });
    expect(await readFile(path, 'utf8')).toBe(CONTENT);
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses a missing file, a symlink, a directory and a file whose hash changed since it was matched', async () => {
    const path = await sample();
    const link = join(dir, 'bin', 'link');
    await symlink(path, link);
    const q = quarantine();
    await expect(q.quarantine(join(dir, 'bin', 'none'), { reason: 't' })).rejects.toMatchObject({
      code: 'QUARANTINE_FAILED',
      message: expect.stringContaining('no such file'),
    });
    await expect(q.quarantine(link, { reason: 't' })).rejects.toMatchObject({
      code: 'QUARANTINE_FAILED',
      message: expect.stringContaining('not a regular file'),
    });
    await expect(q.quarantine(join(dir, 'bin'), { reason: 't' })).rejects.toMatchObject({ code: 'QUARANTINE_FAILED' });
    await expect(q.quarantine(path, { reason: 't', expectSha256: 'a'.repeat(64) })).rejects.toMatchObject({
      code: 'QUARANTINE_FAILED',
      message: expect.stringContaining('content changed'),
    });
    expect(await readFile(path, 'utf8')).toBe(CONTENT);
    expect((await q.quarantine(path, { reason: 't', expectSha256: SHA256.toUpperCase() })).sha256).toBe(SHA256);
  });

  it('refuses to restore over another file, into a removed folder, or a copy that changed; the entry stays', async () => {
    const path = await sample();
    const q = quarantine();
    const { quarantineId } = await q.quarantine(path, { reason: 't' });
    await writeFile(path, 'someone else');
    await expect(q.restore(quarantineId)).rejects.toMatchObject({ code: 'QUARANTINE_RESTORE_FAILED', message: expect.stringContaining('taken') });
    expect(await readFile(path, 'utf8')).toBe('someone else');
    await unlink(path);
    await writeFile(join(root, quarantineId, 'file'), 'tampered');
    await expect(q.restore(quarantineId)).rejects.toMatchObject({ code: 'QUARANTINE_RESTORE_FAILED', message: expect.stringContaining('changed') });
    await writeFile(join(root, quarantineId, 'file'), CONTENT);
    await rm(join(dir, 'bin'), { recursive: true });
    await expect(q.restore(quarantineId)).rejects.toMatchObject({ code: 'QUARANTINE_RESTORE_FAILED', message: expect.stringContaining('folder') });
    expect((await q.get(quarantineId)).sha256).toBe(SHA256);
    await expect(q.get('../etc')).rejects.toMatchObject({ code: 'QUARANTINE_NOT_FOUND' });
  });

  it('a file swapped for a symlink at the moment of the move is not quarantined and its target is not touched', async () => {
    const victim = await victimFile(0o755);
    const path = await sample(0o755);
    const swap: Move = async (from, to) => {
      await unlink(from);
      await symlink(victim, from);
      await fsRename(from, to);
    };
    await expect(quarantine(swap).quarantine(path, { reason: 't' })).rejects.toMatchObject({
      code: 'QUARANTINE_FAILED',
      message: expect.stringContaining('replaced'),
    });
    expect((await stat(victim)).mode & 0o777).toBe(0o755);
    expect(await readFile(victim, 'utf8')).toBe('important');
    expect(await readdir(root)).toEqual([]);
  });

  it('restore sets owner and mode on the file, not through a symlink planted at the path right after the move', async () => {
    const victim = await victimFile(0o644);
    const path = await sample(0o700);
    const plant: Move = async (from, to) => {
      await fsRename(from, to).catch(async () => link(from, to).then(() => unlink(from)));
      if (to === path) {
        await unlink(path);
        await symlink(victim, path);
      }
    };
    const q = quarantine(plant, plant);
    const { quarantineId } = await q.quarantine(path, { reason: 't' });
    await q.restore(quarantineId).catch(() => undefined);
    expect((await stat(victim)).mode & 0o777).toBe(0o644);
  });

  it('restore never replaces a file written at the path after the check; the entry stays', async () => {
    const path = await sample(0o755);
    const q0 = quarantine();
    const { quarantineId } = await q0.quarantine(path, { reason: 't' });
    const writeFirst: Move = async (from, to) => {
      await writeFile(to, 'USER DATA');
      await fsRename(from, to);
    };
    const linkFirst: Move = async (from, to) => {
      await writeFile(to, 'USER DATA');
      await link(from, to);
    };
    await expect(quarantine(writeFirst, linkFirst).restore(quarantineId)).rejects.toMatchObject({
      code: 'QUARANTINE_RESTORE_FAILED',
      message: expect.stringContaining('taken'),
    });
    expect(await readFile(path, 'utf8')).toBe('USER DATA');
    expect((await q0.get(quarantineId)).sha256).toBe(SHA256);
    expect((await stat(join(root, quarantineId, 'file'))).mode & 0o777).toBe(0o600);
  });

  it('refuses to restore through a parent folder swapped for a symlink, naming it; nothing lands in the target (review 17b #2)', async () => {
    const path = await sample(0o755);
    const q = quarantine();
    await q.quarantine(path, { reason: 'test' });
    const target = join(dir, 'profile.d');
    await mkdir(target);
    await rm(join(dir, 'bin'), { recursive: true });
    await symlink(target, join(dir, 'bin'));
    await expect(q.restore('q-1')).rejects.toMatchObject({ code: 'QUARANTINE_RESTORE_FAILED', message: expect.stringContaining(join(dir, 'bin')) });
    expect(await readdir(target)).toEqual([]);
    expect((await q.list()).map((r) => r.quarantineId)).toEqual(['q-1']);
  });

  it('removes what it wrote when the folder is swapped for a symlink between the check and the link; the entry stays', async () => {
    const path = await sample(0o755);
    const target = join(dir, 'profile.d');
    await mkdir(target);
    const swapThenLink: Move = async (from, to) => {
      await fsRename(join(dir, 'bin'), join(dir, 'bin-old'));
      await symlink(target, join(dir, 'bin'));
      await link(from, to);
    };
    const q = quarantine(undefined, swapThenLink);
    await q.quarantine(path, { reason: 'test' });
    await expect(q.restore('q-1')).rejects.toMatchObject({ code: 'QUARANTINE_RESTORE_FAILED' });
    expect(await readdir(target)).toEqual([]);
    expect((await q.list()).map((r) => r.quarantineId)).toEqual(['q-1']);
  });

  it('hashes an admin-named path only as a regular file: a FIFO, a symlink or a file over the cap is refused (review 17b #5)', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    // Refused at once (the open does not block, fstat says FIFO); the old blocking open never returned (test timeout).
    await expect(sha256OfFile(fifo)).rejects.toThrow(/is not a regular file/);
    const path = await sample(0o755);
    const link = join(dir, 'zero');
    await symlink(path, link);
    await expect(sha256OfFile(link)).rejects.toThrow();
    await expect(sha256OfFile(path, 4)).rejects.toThrow(/larger than/);
    expect(await sha256OfFile(path)).toBe(SHA256);
  });
});
