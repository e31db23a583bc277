// One daemon per state dir. The lock is a file created exclusively (`agent.lock`, owner-only) holding the holder's
// pid; a second `run` refuses naming that pid, and nobody removes a control socket or lock it does not own. A lock
// whose holder is gone (crash, kill -9, power loss) is taken over. Node has no flock(2), so this is the classic pid
// file: the one race left is two daemons taking over the same stale lock within microseconds, which the second
// exclusive create then settles for all but the last unlink; a reused pid makes the lock look held (the error names
// the file to delete).
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AttacheError } from '../../../common/errors.js';
import { isoTime } from '../../../common/iso-time.js';

export const LOCK_FILE = 'agent.lock';

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

/** Takes the state dir's lock or throws DAEMON_ALREADY_RUNNING naming the holder's pid. */
export async function acquireInstanceLock(stateDir: string, deps: LockDeps): Promise<InstanceLock> {
  const path = join(stateDir, LOCK_FILE);
  const content = `${JSON.stringify({ pid: deps.pid, startedAt: isoTime(deps.now()) })}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(content);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { path, release: () => releaseIfOurs(path, deps.pid) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // released between our create and read: try again
    const holder = holderPid(text);
    if (holder !== undefined && holder !== deps.pid && deps.isAlive(holder)) {
      throw new AttacheError(
        'DAEMON_ALREADY_RUNNING',
        `another attache-agent (pid ${holder}) is running on ${stateDir}; stop it first (if no agent runs as pid ${holder}, delete ${path})`,
      );
    }
    // Stale: the holder is gone (or unreadable garbage). Remove exactly what we read, then race for it again.
    const again = await readFile(path, 'utf8').catch(() => undefined);
    if (again === text) await unlink(path).catch(() => undefined);
  }
  throw new AttacheError('DAEMON_ALREADY_RUNNING', `could not take ${path}: another process keeps replacing it`);
}

function holderPid(text: string): number | undefined {
  try {
    const pid = (JSON.parse(text) as { pid?: unknown }).pid;
    return typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function releaseIfOurs(path: string, pid: number): Promise<void> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text !== undefined && holderPid(text) === pid) await unlink(path).catch(() => undefined);
}
