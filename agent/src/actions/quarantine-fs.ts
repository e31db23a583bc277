// File-descriptor helpers of the quarantine: open without following a symlink (or blocking on a FIFO), hash and copy
// from the open descriptor, and compare two stats by device + inode, so every step works on the one file it checked.
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { constants, type FileHandle, lstat, open, realpath, unlink } from 'node:fs/promises';
import { parse, sep } from 'node:path';

// O_NOFOLLOW does not exist on Windows (0 there; symlinks are refused by the lstat/fstat checks instead).
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NONBLOCK = constants.O_NONBLOCK ?? 0;
const CHUNK = 1 << 20;

/** Opens `path` read-only; ELOOP when it is a symlink. */
export function openNoFollow(path: string): Promise<FileHandle> {
  return open(path, constants.O_RDONLY | NOFOLLOW | NONBLOCK);
}

/** The most an admin- or policy-named file is read to hash it (a 4 GB file or /dev/zero must not stall the agent). */
export const HASH_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Digests of the file at `path` (review 17b #5): opened O_NOFOLLOW|O_NONBLOCK (a symlink is refused, a FIFO never
 * blocks a threadpool thread), `fstat` on that descriptor must say regular file no larger than `maxBytes`, and at most
 * `maxBytes` are read even if it grows meanwhile. Also returns the descriptor's stat (mtime and size for caches).
 */
export async function hashRegularFile(
  path: string,
  algorithms: readonly string[],
  maxBytes: number,
): Promise<{ readonly digests: Record<string, string>; readonly info: Stats }> {
  const handle = await openNoFollow(path);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Error(`${path} is not a regular file`);
    if (info.size > maxBytes) throw new Error(`${path} is larger than ${maxBytes} bytes`);
    const hashes = algorithms.map((a) => [a, createHash(a)] as const);
    const buffer = Buffer.alloc(CHUNK);
    for (let position = 0; position < maxBytes; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, maxBytes - position), position);
      if (bytesRead === 0) break;
      for (const [, h] of hashes) h.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    return { digests: Object.fromEntries(hashes.map(([a, h]) => [a, h.digest('hex')])), info };
  } finally {
    await handle.close();
  }
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
export async function copyFromHandle(source: FileHandle, to: string, finish: (out: FileHandle) => Promise<void>): Promise<Stats> {
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
    return await out.stat();
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

/**
 * The folder `dir` as it is now, when every component from the root is a real directory (lstat: no symlink, junction or
 * file anywhere on the way); otherwise a sentence naming the first component that is not (review 17b #2).
 */
export async function plainFolder(dir: string): Promise<Stats | string> {
  const { root } = parse(dir);
  const parts = dir
    .slice(root.length)
    .split(sep)
    .filter((p) => p !== '');
  let current = root;
  let info = await lstat(root);
  for (const part of parts) {
    current = current.endsWith(sep) ? `${current}${part}` : `${current}${sep}${part}`;
    const next = await lstat(current).catch(() => undefined);
    if (!next) return `its folder ${current} no longer exists`;
    if (next.isSymbolicLink()) return `its folder ${current} is now a symbolic link`;
    if (!next.isDirectory()) return `its folder ${current} is not a directory`;
    info = next;
  }
  return info;
}

/** True when `dir` still resolves to itself and is the folder `expected` describes (checked again after the write). */
export async function sameFolder(dir: string, expected: Stats): Promise<boolean> {
  const resolved = await realpath(dir).catch(() => undefined);
  const now = await lstat(dir).catch(() => undefined);
  return resolved === dir && now !== undefined && now.isDirectory() && sameFile(now, expected);
}

/** Removes `path` only when it is (not followed) the file `written` describes: never another file put there since. */
export async function unlinkIfSame(path: string, written: Stats): Promise<void> {
  const now = await lstat(path).catch(() => undefined);
  if (now && sameFile(now, written)) await unlink(path);
}
