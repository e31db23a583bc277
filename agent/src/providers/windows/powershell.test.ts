// The PowerShell boundary: constant scripts only, data on stdin, the exact process line, result and error parsing.
import { describe, expect, it } from 'vitest';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { fullScript, POWERSHELL, PowerShellError, powerShellCommand, ps, psJoin, runPowerShell } from './powershell.js';

const ECHO = ps('echo')`$in`;

describe('ps', () => {
  it('refuses a script that interpolates a value', () => {
    const evil = '"; Remove-Item C:\\ -Recurse; "';
    expect(() => ps('bad')`Set-MpPreference -ExclusionPath ${evil}`).toThrow(/must not interpolate/);
  });
});

describe('powerShellCommand', () => {
  it('encodes the constant script and sends the data as JSON on stdin', () => {
    const input = { paths: ['C:\\a"b', '$(Remove-Item C:\\)', '`whoami`', 'x;y|z&w', '%TEMP%\\..\\..', 'n\nl'] };
    const spec = powerShellCommand(ECHO, input);
    expect(spec.file).toBe(POWERSHELL);
    expect(spec.args.slice(0, 6)).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
    const decoded = Buffer.from(spec.args[6] ?? '', 'base64').toString('utf16le');
    expect(decoded).toBe(fullScript(ECHO));
    // No policy string appears in the command line, only in stdin.
    for (const p of input.paths) expect(spec.args.join(' ')).not.toContain(p);
    expect(JSON.parse(spec.stdin ?? '')).toEqual(input);
  });
});

describe('runPowerShell', () => {
  it('returns the result of a successful run', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: '\uFEFF{"ok":true,"result":{"a":1}}' }));
    expect(await runPowerShell(runner, ECHO, {})).toEqual({ a: 1 });
  });

  it("throws the script's error message", async () => {
    const runner = new ScriptedCommandRunner(() => ({ code: 1, stdout: '{"ok":false,"error":"Access is denied."}' }));
    await expect(runPowerShell(runner, ECHO, {})).rejects.toThrow(new PowerShellError('echo: Access is denied.'));
  });

  it('describes a run that printed no JSON', async () => {
    const runner = new ScriptedCommandRunner(() => ({ code: null, spawnError: 'ENOENT: not found' }));
    await expect(runPowerShell(runner, ECHO, {})).rejects.toThrow(/cannot start/);
  });
});

describe('psJoin', () => {
  it('joins constant pieces in order under a new name', () => {
    const joined = psJoin('both', ps('a')`$a = 1`, ps('b')`$b = 2`);
    expect(joined).toEqual({ name: 'both', text: '$a = 1\n$b = 2' });
  });
});
