// The real command runner: argv elements and stdin reach the child as inert data, limits hold, failures are described.
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

describe('ScriptedCommandRunner', () => {
  it('records calls and fills in defaults', async () => {
    const r = new ScriptedCommandRunner((spec) => ({ stdout: spec.args.join(',') }));
    expect(await r.run({ file: 'nft', args: ['-j', 'list', 'ruleset'] })).toMatchObject({ code: 0, stdout: '-j,list,ruleset' });
    expect(r.calls.map((c) => c.file)).toEqual(['nft']);
  });
});
