// blockAndRemediate on the real OS (Linux): a running copy of `sleep` in a temp dir is found by its SHA-256 through
// the real process table, killed by a real signal, its executable quarantined, then restored byte- and mode-exact.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileHasher } from '../actions/processes/file-hasher.js';
import { uniqueSleepCopy } from '../actions/processes/testing/unique-binary.js';
import { FileQuarantine, sha256OfFile } from '../actions/quarantine.js';
import type { RiskIndicator } from '../core/indicator-match.js';
import { NodeCommandRunner } from '../system/command-runner.js';
import { NodeFileStore } from '../system/file-store.js';
import { createNativeSources } from './native-sources.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-remediate-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux')('blockAndRemediate on Linux', () => {
  it('kills the running binary, quarantines it, and the quarantine restores it exactly', async () => {
    const exe = join(dir, 'pretend-miner');
    const { bytes, sha256 } = await uniqueSleepCopy(exe);
    const child = spawn(exe, ['300'], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    try {
      const quarantine = new FileQuarantine({ root: join(dir, 'state', 'quarantine') }, { now: () => 0, newId: () => 'q-real' });
      const sources = createNativeSources({
        platform: 'linux',
        facts: () => ({ hostname: 'h', platform: 'linux', osVersion: '6', arch: 'x64', agentVersion: '0' }),
        runner: new NodeCommandRunner(),
        files: new NodeFileStore(),
        indicatorsPath: join(dir, 'indicators.json'),
        hasher: new FileHasher({ maxBytes: 64 * 1024 * 1024 }),
        quarantine,
        now: () => 0,
        ownPid: process.pid,
        kill: (pid) => process.kill(pid, 'SIGKILL'),
      });
      const indicator: RiskIndicator = { type: 'fileSha256', value: sha256, action: 'blockAndRemediate' };
      const running = (await sources.processes({ sha256: true })).filter((p) => p.sha256 === sha256);
      expect(running.map((p) => [p.pid, p.path])).toEqual([[child.pid, exe]]);
      const action = await sources.killProcesses(indicator, running, { quarantine: true });
      expect(action).toEqual({ type: 'killProcess', ok: true, detail: `killed pid ${child.pid}; quarantined ${exe} as q-real (sha256 ${sha256})` });
      expect(await exited).toBe('SIGKILL');
      await expect(stat(exe)).rejects.toThrow(/ENOENT/);
      await quarantine.restore('q-real');
      expect(await sha256OfFile(exe)).toBe(sha256);
      expect((await stat(exe)).mode & 0o7777).toBe(0o750);
      expect(await readFile(exe)).toEqual(bytes);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
