// One long-running process per directory (the agent's state dir, the endpoint's data dir). The lock is a file created
// exclusively (owner-only) holding the holder's pid; a second process refuses naming that pid, and nobody removes a
// control socket or lock it does not own. A lock
// whose holder is gone (crash, kill -9, power loss) is taken over. Node has no flock(2), so this is the classic pid
// file, written whole before its name appears (temp + link). A lock from an earlier boot is stale whatever its pid
// (pids are reused after a reboot); the one race left is two daemons taking over the same stale lock within
// microseconds, which the exclusive link then settles for all but the last unlink.
import { randomBytes } from 'node:crypto';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AttacheError } from './errors.js';
import { isoTime } from './iso-time.js';

/** What is locked: `file` in `dir`, by which program (named in the refusal). */
export interface LockTarget {
  readonly dir: string;
  /** Name of the lock file in `dir` (the agent: `agent.lock`; the endpoint: `endpoint.lock`). */
  readonly file: string;
  /** The program holding it, as the refusal names it (`attache-agent`, `attache-management serve`). */
  readonly program: string;
}

/** A held lock; `release` removes it only while it still names this process. */
export interface InstanceLock {
  readonly path: string;
  release(): Promise<void>;
}

export interface LockDeps {
  readonly pid: number;
  /** Whether a process with this pid exists (`process.kill(pid, 0)`); injected for tests. */
  readonly isAlive: (pid: number) => boolean;
  readonly now: () => number;
  /** This boot of the machine (Linux: /proc/sys/kernel/random/boot_id); a lock from another boot is stale whatever its pid. */
  readonly bootId?: string | undefined;
}

/** Whether `pid` names a live process: signal 0 checks without sending anything; EPERM means it exists but is not ours. */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The kernel's id of this boot where it has one (Linux); undefined elsewhere. */
export async function currentBootId(): Promise<string | undefined> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => undefined))?.trim() || undefined;
}

/** Takes the directory's lock or throws DAEMON_ALREADY_RUNNING naming the holder's pid. */
export async function acquireInstanceLock(target: LockTarget, deps: LockDeps): Promise<InstanceLock> {
  const path = join(target.dir, target.file);
  const content = `${JSON.stringify({ pid: deps.pid, startedAt: isoTime(deps.now()), ...(deps.bootId ? { bootId: deps.bootId } : {}) })}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    // The lock appears with its content already in it (temp file, then a hard link that fails when the name exists),
    // so nobody can read it half-written and take it for stale.
    if (await linkInPlace(path, content)) return { path, release: () => releaseIfOurs(path, deps.pid) };
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // released between our attempt and read: try again
    const holder = parseHolder(text);
    const sameBoot = holder?.bootId === undefined || deps.bootId === undefined || holder.bootId === deps.bootId;
    if (holder && holder.pid !== deps.pid && sameBoot && deps.isAlive(holder.pid)) {
      throw new AttacheError(
        'DAEMON_ALREADY_RUNNING',
        `another ${target.program} (pid ${holder.pid}) is running on ${target.dir}; stop it first (if no ${target.program} runs as pid ${holder.pid}, delete ${path})`,
      );
    }
    // Stale: the holder is gone, from another boot, or the file is garbage. Remove exactly what we read, then race again.
    const again = await readFile(path, 'utf8').catch(() => undefined);
    if (again === text) await unlink(path).catch(() => undefined);
  }
  throw new AttacheError('DAEMON_ALREADY_RUNNING', `could not take ${path}: another process keeps replacing it`);
}

/** Writes `content` to a temp file and links it as `path`; false when `path` exists. */
async function linkInPlace(path: string, content: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

function parseHolder(text: string): { pid: number; bootId: string | undefined } | undefined {
  try {
    const data = JSON.parse(text) as { pid?: unknown; bootId?: unknown };
    const pid = data.pid;
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
    return { pid, bootId: typeof data.bootId === 'string' ? data.bootId : undefined };
  } catch {
    return undefined;
  }
}

async function releaseIfOurs(path: string, pid: number): Promise<void> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text !== undefined && parseHolder(text)?.pid === pid) await unlink(path).catch(() => undefined);
}
