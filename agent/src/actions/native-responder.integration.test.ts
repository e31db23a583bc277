// The native responder on the real OS (Linux): stopAndQuarantineFile finds a running copy of `sleep` by its SHA-256
// through the real process table, kills it with a real signal, quarantines the file (recorded for the action, as the
// recovery after a kill reads it), and restoreFromQuarantine puts it back byte- and mode-exact.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../common/clock.js';
import { NodeCommandRunner } from '../system/command-runner.js';
import { NodeFileStore } from '../system/file-store.js';
import { createNativeResponder } from './native-responder.js';
import { FileHasher } from './processes/file-hasher.js';
import { SLEEP, uniqueSleepCopy } from './processes/testing/unique-binary.js';
import { sha256OfFile } from './quarantine.js';

const ACTION = 'aaaaaaaa-0000-4000-8000-00000000abcd';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-responder-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function responder() {
  return createNativeResponder(
    { platform: 'linux', stateDir: join(dir, 'state'), logDir: join(dir, 'logs'), agentVersion: '1.0.0', deviceFacts: () => ({}) },
    {
      runner: new NodeCommandRunner(),
      files: new NodeFileStore(),
      clock: systemClock,
      newId: randomUUID,
      hasher: new FileHasher({ maxBytes: 64 * 1024 * 1024 }),
      ownPid: process.pid,
      kill: (pid) => process.kill(pid, 'SIGKILL'),
    },
  );
}

describe.runIf(process.platform === 'linux')('native responder on Linux', () => {
  it('stops every running copy of a binary by hash, quarantines it, and restores it', async () => {
    const exe = join(dir, 'pretend-implant');
    const { bytes, sha256 } = await uniqueSleepCopy(exe);
    const children = [spawn(exe, ['300'], { stdio: 'ignore' }), spawn(exe, ['301'], { stdio: 'ignore' })];
    const exits = children.map((c) => new Promise<NodeJS.Signals | null>((resolve) => c.on('exit', (_code, signal) => resolve(signal))));
    try {
      const host = responder();
      const result = await host.stopAndQuarantine({ sha256, actionId: ACTION });
      expect(result.killed.map((k) => k.pid).sort()).toEqual(children.map((c) => c.pid).sort());
      expect(result.items).toEqual([{ quarantineId: expect.any(String), originalPath: exe, sizeBytes: bytes.length, sha256 }]);
      expect(await Promise.all(exits)).toEqual(['SIGKILL', 'SIGKILL']);
      await expect(stat(exe)).rejects.toThrow(/ENOENT/);
      // What a restarted agent finds for this action (recovery of a killed stopAndQuarantineFile).
      expect(await host.quarantinedBy?.(ACTION, sha256)).toEqual(result.items);
      expect(await host.quarantinedBy?.('aaaaaaaa-0000-4000-8000-00000000ffff', sha256)).toEqual([]);

      const quarantineId = result.items[0]?.quarantineId as string;
      expect(await host.restore(quarantineId)).toEqual({ quarantineId, restoredPath: exe });
      expect(await readFile(exe)).toEqual(bytes);
      expect((await stat(exe)).mode & 0o7777).toBe(0o750);
      await expect(host.restore(quarantineId)).rejects.toMatchObject({ code: 'QUARANTINE_NOT_FOUND' });
    } finally {
      for (const c of children) c.kill('SIGKILL');
    }
  });

  it('names a hash nothing runs and no path holds FILE_NOT_FOUND; a path alone is quarantined without a kill', async () => {
    const host = responder();
    await expect(host.stopAndQuarantine({ sha256: 'f'.repeat(64) })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    const file = join(dir, 'dropper.bin');
    await writeFile(file, `payload ${randomUUID()}`);
    const sha256 = await sha256OfFile(file);
    const result = await host.stopAndQuarantine({ sha256, path: file, actionId: ACTION });
    expect(result.killed).toEqual([]);
    expect(result.items.map((i) => i.originalPath)).toEqual([file]);
  });

  it('never quarantines an OS file, even when a process runs it', async () => {
    const sleepSha = await sha256OfFile(SLEEP);
    const host = responder();
    await expect(host.stopAndQuarantine({ sha256: sleepSha, path: SLEEP })).rejects.toMatchObject({
      code: 'QUARANTINE_FAILED',
      message: expect.stringContaining('OS file'),
    });
    expect((await stat(SLEEP)).isFile()).toBe(true);
  });
});
