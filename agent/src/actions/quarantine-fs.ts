// File-descriptor helpers of the quarantine: open without following a symlink (or blocking on a FIFO), hash and copy
// from the open descriptor, and compare two stats by device + inode, so every step works on the one file it checked.
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { constants, type FileHandle, lstat, open, unlink } from 'node:fs/promises';

// O_NOFOLLOW does not exist on Windows (0 there; symlinks are refused by the lstat/fstat checks instead).
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NONBLOCK = constants.O_NONBLOCK ?? 0;
const CHUNK = 1 << 20;

/** Opens `path` read-only; ELOOP when it is a symlink. */
export function openNoFollow(path: string): Promise<FileHandle> {
  return open(path, constants.O_RDONLY | NOFOLLOW | NONBLOCK);
}

/** SHA-256 of the whole content behind an open descriptor (read from offset 0). */
export async function sha256OfHandle(handle: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(CHUNK);
  for (let position = 0; ; ) {
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
    if (bytesRead === 0) return hash.digest('hex');
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
}

/** True when both stats name the same file (device and inode). */
export function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** Throws unless `path` (not followed) is still the regular file `expected` describes. */
export async function requireSameFile(path: string, expected: Stats): Promise<void> {
  const now = await lstat(path);
  if (!now.isFile() || !sameFile(now, expected)) throw new Error('the file was replaced while it was being moved');
}

/**
 * Copies the content behind `source` into a new file `to` (O_CREAT|O_EXCL|O_NOFOLLOW: EEXIST when anything is there,
 * never a write through a symlink), calls `finish` on the new file's descriptor (owner, mode), then fsyncs it. A
 * failed copy removes the half file only if `to` is still the file this call created.
 */
export async function copyFromHandle(source: FileHandle, to: string, finish: (out: FileHandle) => Promise<void>): Promise<void> {
  const out = await open(to, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
  try {
    const buffer = Buffer.alloc(CHUNK);
    for (let position = 0; ; ) {
      const { bytesRead } = await source.read(buffer, 0, CHUNK, position);
      if (bytesRead === 0) break;
      await out.write(buffer, 0, bytesRead, position);
      position += bytesRead;
    }
    await finish(out);
    await out.sync();
  } catch (err) {
    const created = await out.stat();
    if (
      await lstat(to).then(
        (s) => sameFile(s, created),
        () => false,
      )
    )
      await unlink(to).catch(() => undefined);
    throw err;
  } finally {
    await out.close();
  }
}
