// The real command runner: argv elements and stdin reach the child as inert data, limits hold, failures are described.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFailure, NodeCommandRunner, ScriptedCommandRunner } from './command-runner.js';

const runner = new NodeCommandRunner();
const HOSTILE = ['a"b', "c'd", '`whoami`', '$(id)', 'x; rm -rf /tmp/nope', 'p|q', 'r&s', '%PATH%', 'line1\nline2', '../../etc/passwd', '*'];
// Prints its argv as JSON: whatever a shell would have done to the arguments would show here.
const ECHO_ARGS = ['-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))'];

describe('NodeCommandRunner', () => {
  it('passes hostile arguments through unchanged, never to a shell', async () => {
    const r = await runner.run({ file: process.execPath, args: [...ECHO_ARGS, ...HOSTILE] });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(HOSTILE);
  });

  it('hands stdin to the child as data', async () => {
    const payload = JSON.stringify({ path: 'C:\\x"; Remove-Item C:\\ -Recurse; "' });
    const r = await runner.run({ file: process.execPath, args: ['-e', 'process.stdin.pipe(process.stdout)'], stdin: payload });
    expect(r.stdout).toBe(payload);
  });

  it('refuses a NUL byte in an argument', async () => {
    await expect(runner.run({ file: process.execPath, args: ['a\0b'] })).rejects.toThrow(/NUL/);
  });

  it('kills a child that runs past its timeout', async () => {
    const r = await runner.run({ file: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'], timeoutMs: 200 });
    expect(r).toMatchObject({ code: null, timedOut: true });
    expect(describeFailure({ file: 'node', args: [] }, r)).toContain('timed out');
  });

  it('cuts output at the limit and says so', async () => {
    const r = await runner.run({ file: process.execPath, args: ['-e', 'process.stdout.write("x".repeat(100000))'], maxOutputBytes: 1000 });
    expect(r.stdout.length).toBe(1000);
    expect(r.truncated).toBe(true);
  });

  it('reports a missing executable as a spawn error', async () => {
    const r = await runner.run({ file: '/nonexistent/attache-tool', args: [] });
    expect(r.code).toBeNull();
    expect(r.spawnError).toMatch(/ENOENT/);
    expect(describeFailure({ file: '/nonexistent/attache-tool', args: [] }, r)).toContain('cannot start');
  });

  it('stops on abort', async () => {
    const ac = new AbortController();
    const pending = runner.run({ file: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'], signal: ac.signal });
    ac.abort();
    expect((await pending).code).toBeNull();
  });
});

/** A live process (a zombie, killed and not yet reaped by its new parent, counts as dead). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe.runIf(existsSync('/proc/self/stat') && existsSync('/bin/sh'))('NodeCommandRunner, process group (POSIX)', () => {
  // What a package manager does (apt-get forks dpkg): the grandchild must die with it, not keep the dpkg lock (review 18 M5).
  const FORKS = ['-c', 'sleep 60 & echo $! > "$1"; wait', 'sh'];

  async function grandchildOf(run: (pidFile: string) => Promise<unknown>, settle: () => void): Promise<number> {
    const dir = mkdtempSync(join(tmpdir(), 'attache-pgroup-'));
    const pidFile = join(dir, 'pid');
    try {
      const pending = run(pidFile);
      while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '') await new Promise((r) => setTimeout(r, 10));
      const pid = Number(readFileSync(pidFile, 'utf8'));
      settle();
      await pending;
      return pid;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('an abort kills the whole group, the grandchild too', async () => {
    const ac = new AbortController();
    let result: { code: number | null } | undefined;
    const pid = await grandchildOf(
      async (pidFile) => {
        result = await runner.run({ file: '/bin/sh', args: [...FORKS, pidFile], signal: ac.signal, processGroup: true });
      },
      () => ac.abort(),
    );
    try {
      expect(result?.code).toBeNull();
      await expect.poll(() => alive(pid), { timeout: 2_000 }).toBe(false);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('a timeout kills the whole group', async () => {
    let result: { timedOut: boolean } | undefined;
    const pid = await grandchildOf(
      async (pidFile) => {
        result = await runner.run({ file: '/bin/sh', args: [...FORKS, pidFile], timeoutMs: 300, processGroup: true });
      },
      () => undefined,
    );
    try {
      expect(result?.timedOut).toBe(true);
      await expect.poll(() => alive(pid), { timeout: 2_000 }).toBe(false);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 10_000);

  it('an abort before the start spawns nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await runner.run({ file: '/bin/sh', args: ['-c', 'exit 0'], signal: ac.signal, processGroup: true });
    expect(r).toMatchObject({ code: null, spawnError: 'aborted' });
  });
});

describe('ScriptedCommandRunner', () => {
  it('records calls and fills in defaults', async () => {
    const r = new ScriptedCommandRunner((spec) => ({ stdout: spec.args.join(',') }));
    expect(await r.run({ file: 'nft', args: ['-j', 'list', 'ruleset'] })).toMatchObject({ code: 0, stdout: '-j,list,ruleset' });
    expect(r.calls.map((c) => c.file)).toEqual(['nft']);
  });
});
