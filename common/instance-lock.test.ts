import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireInstanceLock as acquire, type LockDeps, processIsAlive } from './instance-lock.js';

const LOCK_FILE = 'agent.lock';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const acquireInstanceLock = (lockDir: string, lockDeps: LockDeps) => acquire({ dir: lockDir, file: LOCK_FILE, program: 'attache-agent' }, lockDeps);
const deps = (pid: number, alive: readonly number[] = []) => ({ pid, isAlive: (p: number) => alive.includes(p), now: () => 0 });

describe('instance lock', () => {
  it('a second holder is refused with the first one pid; the first keeps its lock', async () => {
    const first = await acquireInstanceLock(dir, deps(100));
    await expect(acquireInstanceLock(dir, deps(200, [100]))).rejects.toMatchObject({
      code: 'DAEMON_ALREADY_RUNNING',
      message: expect.stringContaining('another attache-agent (pid 100) is running on'),
    });
    expect(JSON.parse(await readFile(first.path, 'utf8'))).toMatchObject({ pid: 100 });
    expect((await stat(first.path)).mode & 0o777).toBe(0o600);
  });

  it('release removes only a lock that still names this process', async () => {
    const first = await acquireInstanceLock(dir, deps(100));
    // Holder 100 died and 200 took over; a late release by 100 must not remove 200's lock.
    const second = await acquireInstanceLock(dir, deps(200, []));
    await first.release();
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: 200 });
    await second.release();
    await expect(readFile(join(dir, LOCK_FILE), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('takes over a stale lock: dead holder, garbage content, or its own pid from an earlier life', async () => {
    for (const content of ['{"pid":4242}', 'not json', '{"pid":-1}', '{"pid":300}']) {
      await writeFile(join(dir, LOCK_FILE), content);
      const lock = await acquireInstanceLock(dir, deps(300, [300]));
      expect(JSON.parse(await readFile(lock.path, 'utf8'))).toMatchObject({ pid: 300 });
      await lock.release();
    }
  });

  it('of two daemons starting at the same moment exactly one gets the lock', async () => {
    for (let round = 0; round < 20; round++) {
      const results = await Promise.allSettled([acquireInstanceLock(dir, deps(100, [100, 200])), acquireInstanceLock(dir, deps(200, [100, 200]))]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'fulfilled') await r.value.release();
      expect(await readdir(dir)).toEqual([]);
    }
  });

  it('a lock from an earlier boot is stale even when its pid is alive again (pids are reused after a reboot)', async () => {
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 100, bootId: 'boot-1' }));
    await expect(acquireInstanceLock(dir, { ...deps(300, [100]), bootId: 'boot-1' })).rejects.toMatchObject({ code: 'DAEMON_ALREADY_RUNNING' });
    const lock = await acquireInstanceLock(dir, { ...deps(300, [100]), bootId: 'boot-2' });
    expect(JSON.parse(await readFile(lock.path, 'utf8'))).toMatchObject({ pid: 300, bootId: 'boot-2' });
  });

  it('processIsAlive tells this process from a pid that does not exist', () => {
    expect(processIsAlive(process.pid)).toBe(true);
    expect(processIsAlive(2 ** 22 + 12345)).toBe(false);
  });
});
