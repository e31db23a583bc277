// One `serve` per data dir: the endpoint takes the data dir's lock (common/instance-lock.ts, the agent's mechanism)
// before it opens the database or writes admin.json, in SQLite and PostgreSQL mode alike (the dir holds the secrets).
import type { Clock } from '../../common/clock.js';
import { acquireInstanceLock, currentBootId, type InstanceLock, processIsAlive } from '../../common/instance-lock.js';

/** The lock file in the data dir. */
export const DATA_DIR_LOCK_FILE = 'endpoint.lock';

/** Takes the data dir's lock or throws DAEMON_ALREADY_RUNNING naming the pid of the `serve` holding it. */
export async function lockDataDir(dataDir: string, clock: Pick<Clock, 'now'>): Promise<InstanceLock> {
  return acquireInstanceLock(
    { dir: dataDir, file: DATA_DIR_LOCK_FILE, program: 'attache-management serve' },
    { pid: process.pid, isAlive: processIsAlive, now: () => clock.now(), bootId: await currentBootId() },
  );
}
