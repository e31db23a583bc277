// Real-host signal sources: executable hashing (size cap, cache), the process and connection tables, re-checked kills,
// AV detections from Defender and mdatp output.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileHasher } from '../actions/processes/file-hasher.js';
import { listConnections, listProcesses, type ProcessApi } from '../actions/processes/process-table.js';
import type { RiskIndicator } from '../core/indicator-match.js';
import { ScriptedCommandRunner } from '../system/command-runner.js';
import { NodeFileStore } from '../system/file-store.js';
import { createNativeSources } from './native-sources.js';
import { parseDefenderThreats, parseMdatpThreats, readThreats } from './threats.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-native-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('file hasher', () => {
  it('hashes what is asked, reads an unchanged file once, re-reads a changed one, and skips files over the cap', async () => {
    const file = join(dir, 'bin');
    await writeFile(file, 'X5O!P%@AP');
    const hasher = new FileHasher({ maxBytes: 16 });
    const sha256 = createHash('sha256').update('X5O!P%@AP').digest('hex');
    expect(await hasher.hash(file, { sha256: true, sha1: false })).toEqual({ sha256 });
    expect(await hasher.hash(file, { sha256: true, sha1: false })).toEqual({ sha256 });
    expect(hasher.reads).toBe(1);
    // Asking for another algorithm reads again; then both are cached.
    expect(await hasher.hash(file, { sha256: true, sha1: true })).toEqual({ sha256, sha1: createHash('sha1').update('X5O!P%@AP').digest('hex') });
    await hasher.hash(file, { sha256: true, sha1: true });
    expect(hasher.reads).toBe(2);
    await writeFile(file, 'different!');
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    expect((await hasher.hash(file, { sha256: true, sha1: false }))?.sha256).not.toBe(sha256);
    expect(hasher.reads).toBe(3);
    await writeFile(file, 'x'.repeat(17));
    expect(await hasher.hash(file, { sha256: true, sha1: false })).toBeUndefined();
    expect(await hasher.hash(join(dir, 'missing'), { sha256: true, sha1: false })).toBeUndefined();
    expect(await hasher.hash(dir, { sha256: true, sha1: false })).toBeUndefined();
  });

  it('opens without following a symlink (review 17b #5): a link to a file is not hashed', async () => {
    const file = join(dir, 'real');
    await writeFile(file, 'content');
    await symlink(file, join(dir, 'link'));
    const hasher = new FileHasher({ maxBytes: 1024 });
    expect(await hasher.hash(join(dir, 'link'), { sha256: true, sha1: false })).toBeUndefined();
    expect(await hasher.hash(file, { sha256: true, sha1: false })).toEqual({ sha256: createHash('sha256').update('content').digest('hex') });
  });
});

describe('process and connection tables', () => {
  it('reads the executable from /proc on Linux (not the command line) and hashes it when asked', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore', argv0: 'pretend-name' });
    try {
      const api: ProcessApi = {
        processes: async () => ({
          list: [
            { pid: child.pid, name: 'pretend-name', path: '', command: 'pretend-name' },
            { pid: 0, name: 'idle' },
          ],
        }),
        networkConnections: async () => [],
      };
      const [p, ...rest] = await listProcesses(
        { platform: 'linux', hasher: new FileHasher({ maxBytes: 512 * 1024 * 1024 }), api },
        { sha256: true, sha1: false },
      );
      expect(rest).toEqual([]);
      expect(p).toMatchObject({ pid: child.pid, name: 'pretend-name', path: process.execPath, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const macos = await listProcesses(
        {
          platform: 'macos',
          hasher: new FileHasher({ maxBytes: 1 }),
          api: { ...api, processes: async () => ({ list: [{ pid: 5, name: 'nc', path: '/usr/bin', command: 'nc' }] }) },
        },
        { sha256: false, sha1: false },
      );
      expect(macos).toEqual([{ pid: 5, name: 'nc', path: '/usr/bin/nc' }]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('keeps only connections with a real remote peer', async () => {
    const api: ProcessApi = {
      processes: async () => ({ list: [] }),
      networkConnections: async () => [
        { peerAddress: '203.0.113.7', peerPort: '443', state: 'ESTABLISHED', pid: 12 },
        { peerAddress: '0.0.0.0', peerPort: '*', state: 'LISTEN' },
        { peerAddress: '::', peerPort: '0', state: 'LISTEN' },
        { peerAddress: '*', peerPort: '*', state: '' },
        { peerAddress: '2001:db8::1', peerPort: '22', state: 'ESTABLISHED', pid: 0 },
      ],
    };
    expect(await listConnections(api)).toEqual([
      { remoteAddress: '203.0.113.7', remotePort: 443, pid: 12 },
      { remoteAddress: '2001:db8::1', remotePort: 22 },
    ]);
  });

  it('kills a matching process only after re-reading it, never itself or pid 1, and says it cannot drop connections', async () => {
    const exe = join(dir, 'miner');
    await writeFile(exe, 'binary');
    let table = [
      { pid: 100, name: 'miner', path: dir, command: 'miner' },
      { pid: 101, name: 'miner', path: dir, command: 'miner' },
    ];
    const killed: number[] = [];
    const sources = createNativeSources({
      platform: 'macos',
      facts: () => ({ hostname: 'h', platform: 'macos', osVersion: '14', arch: 'arm64', agentVersion: '0' }),
      runner: new ScriptedCommandRunner(() => ({})),
      files: new NodeFileStore(),
      indicatorsPath: join(dir, 'indicators.json'),
      hasher: new FileHasher({ maxBytes: 1024 }),
      now: Date.now,
      ownPid: 4242,
      kill: (pid) => void killed.push(pid),
      processApi: { processes: async () => ({ list: table }), networkConnections: async () => [] },
    });
    const indicator: RiskIndicator = { type: 'processName', value: 'miner', action: 'block' };
    const listed = await sources.processes({ sha256: false, sha1: false });
    // pid 101 was reused by another program before the kill.
    table = [table[0] as (typeof table)[0], { pid: 101, name: 'bash', path: '/bin', command: 'bash' }];
    const action = await sources.killProcesses(indicator, [...listed, { pid: 4242, name: 'miner', path: exe }, { pid: 1, name: 'miner', path: exe }]);
    expect(killed).toEqual([100]);
    expect(action).toMatchObject({ type: 'killProcess', ok: false });
    expect(action.detail).toBe(
      'killed pid 100; pid 101: gone or no longer matching; pid 4242: refused (system or agent process); pid 1: refused (system or agent process)',
    );
    expect(await sources.blockConnections(indicator, [{ remoteAddress: '203.0.113.7', remotePort: 443 }])).toMatchObject({
      type: 'blockConnection',
      ok: false,
    });
  });
});

describe('antivirus detections', () => {
  it('counts Defender threats that are active or whose remediation failed, with their severity', () => {
    const result = {
      threats: [
        { ThreatID: '2147519003', ThreatName: 'Virus:DOS/EICAR_Test_File', SeverityID: 5, IsActive: false },
        { ThreatID: '2147735503', ThreatName: 'Trojan:Win32/Wacatac', SeverityID: 4, IsActive: true },
        { ThreatID: '311978', ThreatName: 'PUA:Win32/Presenoker', SeverityID: 1, IsActive: false },
      ],
      detections: [
        { ThreatID: '2147519003', ThreatStatusID: 3, Resources: ['file:_C:\\Users\\a\\eicar.com'] },
        { ThreatID: '311978', ThreatStatusID: 103, InitialDetectionTime: '2026-11-30T10:00:00.0000000Z', Resources: ['file:_C:\\Temp\\setup.exe'] },
      ],
    };
    expect(parseDefenderThreats(result)).toEqual([
      { source: 'defender', threatId: '2147735503', name: 'Trojan:Win32/Wacatac', severity: 'high' },
      {
        source: 'defender',
        threatId: '311978',
        name: 'PUA:Win32/Presenoker',
        severity: 'low',
        path: 'C:\\Temp\\setup.exe',
        status: 'ThreatStatusID 103',
        detectedAt: '2026-11-30T10:00:00.0000000Z',
      },
    ]);
    expect(parseDefenderThreats({ threats: null, detections: null })).toEqual([]);
  });

  it('reads mdatp threat lists in either spelling, skipping remediated threats', async () => {
    const text = JSON.stringify([
      { id: 'a1', name: 'EICAR-Test-File (not a virus)', threatStatus: { $type: 'quarantined' }, resources: ['/home/u/eicar.com'] },
      { id: 'b2', name: 'Linux/Mirai', threatStatus: 'active', resources: ['/tmp/.m'], detectionTime: 1764496800000 },
      { threat_id: 'c3', threat_name: 'Linux/Xmrig', threat_status: 'remediation_failed', path: '/opt/x' },
    ]);
    expect(parseMdatpThreats(text)).toEqual([
      { source: 'mdatp', threatId: 'b2', name: 'Linux/Mirai', severity: 'high', path: '/tmp/.m', status: 'active', detectedAt: '1764496800000' },
      { source: 'mdatp', threatId: 'c3', name: 'Linux/Xmrig', severity: 'high', path: '/opt/x', status: 'remediation_failed' },
    ]);
    expect(parseMdatpThreats('')).toEqual([]);
    const runner = new ScriptedCommandRunner(() => ({ stdout: text }));
    expect(await readThreats('linux', runner)).toHaveLength(2);
    expect(runner.calls.map((c) => [c.file, ...c.args])).toEqual([['/usr/bin/mdatp', 'threat', 'list', '--output', 'json']]);
    expect(await readThreats('macos', new ScriptedCommandRunner(() => ({ spawnError: 'ENOENT: no mdatp' })))).toEqual([]);
    await expect(readThreats('linux', new ScriptedCommandRunner(() => ({ code: 1, stderr: 'daemon down' })))).rejects.toThrow(/daemon down/);
  });
});
