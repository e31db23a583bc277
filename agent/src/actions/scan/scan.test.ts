// Boundary tests of the antivirus scanners: the exact processes started, recorded outputs parsed, hostile threat names
// kept as data, failure codes, and a cancelled scan killed with the engine's own cancel.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../common/testing/manual-clock.js';
import { fullScript, POWERSHELL } from '../../providers/windows/powershell.js';
import { type CommandSpec, ScriptedCommandRunner } from '../../system/command-runner.js';
import { createScanner } from './index.js';
import { parseMdatpThreats } from './mdatp.js';
import { WINDOWS_SCAN_SCRIPT } from './windows-script.js';

const recorded = (name: string) => readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8');
const SCAN_START = 1764933000000; // after the first recorded detection, before the others
const noProgress = () => undefined;

function mdatpHost(respond: (spec: CommandSpec) => Partial<{ code: number | null; stdout: string; spawnError: string }> | Promise<object>) {
  const runner = new ScriptedCommandRunner(respond);
  const clock = new ManualClock(SCAN_START);
  return { runner, clock };
}

const recordedMdatp = (spec: CommandSpec) =>
  spec.args[0] === 'scan' ? { stdout: recorded('mdatp-scan-quick.txt') } : { stdout: recorded('mdatp-threat-list.json') };

describe('mdatp scanner (Linux, macOS)', () => {
  it('runs mdatp scan then threat list with fixed argv and reports the threats detected since it began', async () => {
    const { runner, clock } = mdatpHost(recordedMdatp);
    const progress: number[] = [];
    const result = await createScanner('linux', { runner, clock })('quick', new AbortController().signal, (p) => progress.push(p));
    expect(runner.calls.map((c) => [c.file, ...c.args])).toEqual([
      ['/usr/bin/mdatp', 'scan', 'quick'],
      ['/usr/bin/mdatp', 'threat', 'list', '--output', 'json'],
    ]);
    expect(runner.calls[0]?.stdin).toBeUndefined();
    expect(result).toMatchObject({ scanType: 'quick', engine: 'mdatp', threatsFound: 2 });
    expect(result.threats.map((t) => t.path)).toEqual(['/tmp/.x/`id`;evil\nline', '/srv/share/eicar.txt']);
    expect(progress).toEqual([0, 90, 100]);
  });

  it('keeps a hostile threat name byte for byte as data', async () => {
    const { runner, clock } = mdatpHost(recordedMdatp);
    const result = await createScanner('macos', { runner, clock })('full', new AbortController().signal, noProgress);
    expect(runner.calls[0]?.file).toBe('/usr/local/bin/mdatp');
    expect(runner.calls[0]?.args).toEqual(['scan', 'full']);
    expect(result.threats[0]).toEqual({
      name: 'Trojan:Linux/Mirai.B!MTB\u001b[31m; rm -rf / $(reboot) <script>',
      path: '/tmp/.x/`id`;evil\nline',
      status: 'quarantined',
    });
  });

  it('counts what the scan printed when it lists fewer threats than it found', async () => {
    const { runner, clock } = mdatpHost((spec) =>
      spec.args[0] === 'scan' ? { stdout: 'Scan has finished\n\t10 file(s) scanned\n\t7 threat(s) detected\n' } : { stdout: '[]' },
    );
    const result = await createScanner('linux', { runner, clock })('quick', new AbortController().signal, noProgress);
    expect(result).toMatchObject({ threatsFound: 7, threats: [] });
  });

  it('caps the listed threats at 100 and cuts long names to the schema', () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ name: `${'X'.repeat(500)}${i}`, detectionTime: SCAN_START + i }));
    const threats = parseMdatpThreats(JSON.stringify(many), SCAN_START);
    expect(threats).toHaveLength(150);
    expect(threats[0]?.name).toHaveLength(400);
  });

  it('answers SCAN_UNAVAILABLE when mdatp is not installed', async () => {
    const { runner, clock } = mdatpHost(() => ({ code: null, spawnError: 'ENOENT: spawn /usr/bin/mdatp ENOENT' }));
    await expect(createScanner('linux', { runner, clock })('quick', new AbortController().signal, noProgress)).rejects.toMatchObject({
      code: 'SCAN_UNAVAILABLE',
    });
  });

  it('answers SCAN_FAILED quoting the tool when the scan exits non-zero', async () => {
    const { runner, clock } = mdatpHost(() => ({ code: 3, stdout: 'ERROR: Unable to start scan: daemon not running' }));
    await expect(createScanner('linux', { runner, clock })('full', new AbortController().signal, noProgress)).rejects.toMatchObject({
      code: 'SCAN_FAILED',
      message: expect.stringContaining('daemon not running'),
    });
  });

  it('answers SCAN_FAILED when the threat list is not JSON', async () => {
    const { runner, clock } = mdatpHost((spec) => (spec.args[0] === 'scan' ? { stdout: '' } : { stdout: 'Id: "x"\nName: y' }));
    await expect(createScanner('linux', { runner, clock })('quick', new AbortController().signal, noProgress)).rejects.toMatchObject({
      code: 'SCAN_FAILED',
      message: expect.stringContaining('did not print JSON'),
    });
  });

  it('a cancelled scan kills mdatp, runs mdatp scan cancel and rejects with the abort reason', async () => {
    const abort = new AbortController();
    const { runner, clock } = mdatpHost(
      (spec) =>
        new Promise((resolve) => {
          if (spec.args[1] === 'cancel') return resolve({ code: 0 });
          spec.signal?.addEventListener('abort', () => resolve({ code: null, spawnError: 'aborted' }));
          abort.abort(new Error('cancelled by the admin'));
        }),
    );
    await expect(createScanner('linux', { runner, clock })('full', abort.signal, noProgress)).rejects.toThrow('cancelled by the admin');
    expect(runner.calls.map((c) => c.args.join(' '))).toEqual(['scan full', 'scan cancel']);
    expect(runner.calls[0]?.signal).toBe(abort.signal);
  });
});

describe('Defender scanner (Windows)', () => {
  it('runs the constant script with the scan type as JSON on stdin and reads the detections', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: recorded('windows-scan-output.json') }));
    const result = await createScanner('windows', { runner, clock: new ManualClock(SCAN_START) })('full', new AbortController().signal, noProgress);
    const call = runner.calls[0];
    expect(call?.file).toBe(POWERSHELL);
    expect(JSON.parse(call?.stdin ?? '')).toEqual({ scanType: 'FullScan' });
    expect(Buffer.from(call?.args.at(-1) ?? '', 'base64').toString('utf16le')).toBe(fullScript(WINDOWS_SCAN_SCRIPT));
    expect(result).toEqual({
      scanType: 'full',
      engine: 'defender',
      durationMs: 0,
      threatsFound: 2,
      threats: [
        { name: 'Virus:DOS/EICAR_Test_File', path: 'C:\\Users\\alice\\Downloads\\eicar.com.txt', status: 'quarantined' },
        { name: "Trojan:Win32/Wacatac.B!ml'; Remove-Item C:\\ -Recurse #", path: 'C:\\Users\\alice\\AppData\\Local\\Temp\\$(calc).exe', status: 'status 18' },
      ],
    });
  });

  it('the script is constant: it reads the scan type from input and never holds data', () => {
    expect(WINDOWS_SCAN_SCRIPT.text).toContain('Start-MpScan -ScanType $type');
    expect(WINDOWS_SCAN_SCRIPT.text).toContain("$type -ne 'QuickScan' -and $type -ne 'FullScan'");
    expect(WINDOWS_SCAN_SCRIPT.text).toContain('Get-MpThreatDetection');
  });

  it('answers SCAN_UNAVAILABLE when Defender is disabled', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: recorded('windows-scan-unavailable.json') }));
    await expect(createScanner('windows', { runner, clock: new ManualClock(0) })('quick', new AbortController().signal, noProgress)).rejects.toMatchObject({
      code: 'SCAN_UNAVAILABLE',
      message: expect.stringContaining('not enabled'),
    });
  });

  it('answers SCAN_UNAVAILABLE when PowerShell itself is missing', async () => {
    const runner = new ScriptedCommandRunner(() => ({ code: null, spawnError: 'ENOENT: spawn powershell.exe ENOENT' }));
    await expect(createScanner('windows', { runner, clock: new ManualClock(0) })('quick', new AbortController().signal, noProgress)).rejects.toMatchObject({
      code: 'SCAN_UNAVAILABLE',
    });
  });

  it('answers SCAN_FAILED with the script error', async () => {
    const runner = new ScriptedCommandRunner(() => ({ code: 1, stdout: '{"ok":false,"error":"0x80508023 scan failed"}' }));
    await expect(createScanner('windows', { runner, clock: new ManualClock(0) })('quick', new AbortController().signal, noProgress)).rejects.toMatchObject({
      code: 'SCAN_FAILED',
      message: expect.stringContaining('0x80508023'),
    });
  });

  it('a cancelled scan kills PowerShell and runs MpCmdRun -Scan -Cancel', async () => {
    const abort = new AbortController();
    const runner = new ScriptedCommandRunner(
      (spec) =>
        new Promise((resolve) => {
          if (spec.args.includes('-Cancel')) return resolve({ code: 0 });
          spec.signal?.addEventListener('abort', () => resolve({ code: null, spawnError: 'aborted' }));
          abort.abort(new Error('cancelled'));
        }),
    );
    await expect(createScanner('windows', { runner, clock: new ManualClock(0) })('quick', abort.signal, noProgress)).rejects.toThrow('cancelled');
    expect(runner.calls[1]).toMatchObject({ file: 'C:\\Program Files\\Windows Defender\\MpCmdRun.exe', args: ['-Scan', '-Cancel'] });
  });
});
