// Atomic file replacement and the hygiene around it, for the agent's state dir and providers and the endpoint's data
// dir: a temp file beside the target (mode set before any byte is written), fsync, rename, fsync of the directory.
// Every failure path removes its temp file; a temp file left by a kill -9 or power loss is swept at the next start.
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Names of our temp files: `.<12 hex>.tmp`, so a sweep never touches anyone else's files. */
const TEMP_NAME = /^\.[0-9a-f]{12}\.tmp$/;

/** Replaces `path` with `data` atomically; on any failure (disk full, permissions) nothing is left behind. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dirname(path));
}

// The rename is durable only once the directory entry is flushed; Windows cannot open directories, so skip there.
async function syncDir(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close();
  }
}

/** A temp file older than this at start-up is an orphan: no write takes a minute. */
export const TEMP_SWEEP_AGE_MS = 60_000;

/**
 * Removes our temp files in `dir` last modified more than `olderThanMs` before `now` (left by a crash mid-write; a
 * younger one may belong to a write in progress in another process). Returns the names removed.
 */
export async function sweepTempFiles(dir: string, options: { readonly now: number; readonly olderThanMs: number }): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names.filter((n) => TEMP_NAME.test(n))) {
    const file = join(dir, name);
    try {
      if (options.now - (await stat(file)).mtimeMs < options.olderThanMs) continue;
      await rm(file, { force: true });
      removed.push(name);
    } catch {
      // gone meanwhile, or not ours to remove: leave it
    }
  }
  return removed;
}
