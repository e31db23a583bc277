// Real-host parts of Defender's indicator actions: blockAndRemediate quarantines the matched executable (real files
// in a temp dir), MD5 hashing, and the Windows signer reader (constant script, paths on stdin, cache, per-OS
// notApplicable).
import { createHash } from 'node:crypto';
import { link, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileHasher } from '../actions/processes/file-hasher.js';
import { listProcesses } from '../actions/processes/process-table.js';
import { PROTECTED_PATHS, protectedPrefix, refusalOf } from '../actions/processes/remediation.js';
import { parseSigners, SignerReader } from '../actions/processes/signer-reader.js';
import { FileQuarantine } from '../actions/quarantine.js';
import type { RiskIndicator } from '../core/indicator-match.js';
import { SIGNER_NOT_APPLICABLE } from '../core/indicator-policy.js';
import { POWERSHELL } from '../providers/windows/powershell.js';
import { ScriptedCommandRunner } from '../system/command-runner.js';
import { NodeFileStore } from '../system/file-store.js';
import { createNativeSources, type NativeSourcesDeps } from './native-sources.js';

const THUMB = '3B1EFD3A66EA28B16697394703A72CA340A05BD5';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-indicator-actions-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sources(extra: Partial<NativeSourcesDeps> = {}, withQuarantine = true, table = [{ pid: 100, name: 'miner', path: dir, command: 'miner' }]) {
  const killed: number[] = [];
  let ids = 0;
  const deps: NativeSourcesDeps = {
    platform: 'macos',
    facts: () => ({ hostname: 'h', platform: 'macos', osVersion: '14', arch: 'arm64', agentVersion: '0' }),
    runner: new ScriptedCommandRunner(() => ({})),
    files: new NodeFileStore(),
    indicatorsPath: join(dir, 'indicators.json'),
    hasher: new FileHasher({ maxBytes: 1024 }),
    ...(withQuarantine ? { quarantine: new FileQuarantine({ root: join(dir, 'state', 'quarantine') }, { now: () => 0, newId: () => `q-${++ids}` }) } : {}),
    now: () => 0,
    ownPid: 4242,
    kill: (pid) => void killed.push(pid),
    processApi: { processes: async () => ({ list: table }), networkConnections: async () => [] },
    ...extra,
  };
  return { s: createNativeSources(deps), killed };
}

describe('blockAndRemediate on a real file', () => {
  it('stops the process, then moves its executable to the quarantine', async () => {
    const exe = join(dir, 'miner');
    await writeFile(exe, 'miner-binary', { mode: 0o755 });
    const sha256 = createHash('sha256').update('miner-binary').digest('hex');
    const { s, killed } = sources();
    const indicator: RiskIndicator = { type: 'fileSha256', value: sha256, action: 'blockAndRemediate' };
    const listed = await s.processes({ sha256: true });
    expect(listed).toEqual([{ pid: 100, name: 'miner', path: exe, sha256 }]);
    const action = await s.killProcesses(indicator, listed, { quarantine: true });
    expect(killed).toEqual([100]);
    expect(action).toEqual({ type: 'killProcess', ok: true, detail: `killed pid 100; quarantined ${exe} as q-1 (sha256 ${sha256})` });
    await expect(stat(exe)).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(dir, 'state', 'quarantine', 'q-1', 'file'), 'utf8')).toBe('miner-binary');
  });

  it('leaves the file when it no longer has the hash, is the agent itself, or there is no quarantine; a plain block never moves it', async () => {
    const exe = join(dir, 'miner');
    await writeFile(exe, 'miner-binary');
    const md5 = createHash('md5').update('miner-binary').digest('hex');
    const indicator: RiskIndicator = { type: 'fileMd5', value: md5, action: 'blockAndRemediate' };
    const listed = await sources().s.processes({ md5: true });
    expect(listed[0]?.md5).toBe(md5);
    expect((await sources().s.killProcesses(indicator, listed, {})).detail).toBe('killed pid 100');
    expect((await sources({ ownExecutable: exe }).s.killProcesses(indicator, listed, { quarantine: true })).detail).toContain("agent's own executable");
    const none = await sources({}, false).s.killProcesses(indicator, listed, { quarantine: true });
    expect(none).toEqual({ type: 'killProcess', ok: false, detail: 'killed pid 100; not quarantined: no quarantine on this host' });
    await writeFile(exe, 'replaced-since');
    const changed = await sources().s.killProcesses({ ...indicator, value: md5 }, listed, { quarantine: true });
    expect(changed).toMatchObject({ ok: false });
    expect(changed.detail).toBe('pid 100: gone or no longer matching; not quarantined: not every matching process was stopped');
    expect(await readFile(exe, 'utf8')).toBe('replaced-since');
  });
});

describe('blockAndRemediate guards (review17a finding 6)', () => {
  it('quarantines nothing when a matching process was refused (pid 1) or not stopped', async () => {
    const exe = join(dir, 'init');
    await writeFile(exe, 'init-binary', { mode: 0o755 });
    const table = [
      { pid: 1, name: 'init', path: dir, command: 'init' },
      { pid: 100, name: 'init', path: dir, command: 'init' },
    ];
    const { s, killed } = sources({}, true, table);
    const indicator: RiskIndicator = { type: 'processName', value: 'init', action: 'blockAndRemediate' };
    const action = await s.killProcesses(indicator, await s.processes({}), { quarantine: true });
    expect(killed).toEqual([100]);
    expect(action).toMatchObject({ ok: false, detail: expect.stringContaining('not quarantined: not every matching process was stopped') });
    expect(await readFile(exe, 'utf8')).toBe('init-binary');
  });

  it("quarantines each killed process's own executable", async () => {
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'b'));
    await writeFile(join(dir, 'a', 'miner'), 'a');
    await writeFile(join(dir, 'b', 'miner'), 'b');
    const table = [
      { pid: 100, name: 'miner', path: join(dir, 'a'), command: 'miner' },
      { pid: 101, name: 'miner', path: join(dir, 'b'), command: 'miner' },
    ];
    const { s, killed } = sources({}, true, table);
    const indicator: RiskIndicator = { type: 'processName', value: 'miner', action: 'blockAndRemediate' };
    const action = await s.killProcesses(indicator, await s.processes({}), { quarantine: true });
    expect(killed).toEqual([100, 101]);
    expect(action.ok).toBe(true);
    await expect(stat(join(dir, 'a', 'miner'))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(dir, 'b', 'miner'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses OS files and the agent itself by realpath and inode, not by string', async () => {
    const deps = { platform: 'linux' as const, hasher: new FileHasher({ maxBytes: 1024 }) };
    expect(await refusalOf(deps, '/usr/bin/env')).toContain('OS file');
    const agent = join(dir, 'node');
    await writeFile(agent, 'agent');
    await link(agent, join(dir, 'hardlink'));
    await symlink(agent, join(dir, 'symlink'));
    for (const other of ['hardlink', 'symlink']) expect(await refusalOf({ ...deps, ownExecutable: agent }, join(dir, other))).toContain("agent's own");
    expect(await refusalOf({ ...deps, ownExecutable: agent }, join(dir, 'symlink').toUpperCase())).toContain('cannot be resolved');
    await writeFile(join(dir, 'other'), 'other');
    expect(await refusalOf({ ...deps, ownExecutable: agent }, join(dir, 'other'))).toBeUndefined();
    expect(PROTECTED_PATHS.windows).toContain('\\windows\\');
  });

  it("protects Defender, Windows folders on any drive, and the agent's own install and state dirs (review 17b #11)", async () => {
    expect(protectedPrefix('linux', '/opt/microsoft/mdatp/sbin/wdavdaemon')).toBeDefined();
    expect(protectedPrefix('macos', '/Library/Application Support/Microsoft/Defender/wdavdaemon')).toBeDefined();
    expect(protectedPrefix('windows', 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.1\\MsMpEng.exe')).toBeDefined();
    expect(protectedPrefix('windows', 'D:\\Windows\\System32\\svchost.exe')).toBeDefined();
    expect(protectedPrefix('windows', 'D:\\Users\\bob\\miner.exe')).toBeUndefined();
    const install = join(dir, 'attache');
    await mkdir(install);
    await writeFile(join(install, 'agent.js'), 'agent');
    await writeFile(join(dir, 'other'), 'other');
    const deps = { platform: 'linux' as const, hasher: new FileHasher({ maxBytes: 1024 }), agentPaths: [install] };
    expect(await refusalOf(deps, join(install, 'agent.js'))).toContain("agent's own");
    expect(await refusalOf(deps, join(dir, 'other'))).toBeUndefined();
  });
});

describe('signer reader', () => {
  it('asks PowerShell once for the uncached executables, paths on stdin, and keeps only valid signatures', async () => {
    const a = join(dir, 'a.exe');
    const b = join(dir, 'b.exe');
    await writeFile(a, 'a');
    await writeFile(b, 'b');
    const runner = new ScriptedCommandRunner((spec) => {
      const paths = JSON.parse(spec.stdin ?? 'null') as string[];
      const rows = paths.map((p) => ({ path: p, status: p === a ? 'Valid' : 'HashMismatch', thumbprint: THUMB.toLowerCase() }));
      return { stdout: JSON.stringify({ ok: true, result: rows }) };
    });
    const reader = new SignerReader({ platform: 'windows', runner });
    expect(await reader.thumbprints([a, b, a, join(dir, 'missing.exe')])).toEqual(
      new Map([
        [a, THUMB],
        [b, undefined],
      ]),
    );
    expect(runner.calls).toHaveLength(1);
    expect(runner.calls[0]?.file).toBe(POWERSHELL);
    expect(JSON.parse(runner.calls[0]?.stdin ?? '')).toEqual([a, b]);
    // Cached by path + mtime + size: no second run.
    expect((await reader.thumbprints([a])).get(a)).toBe(THUMB);
    expect(reader.runs).toBe(1);
  });

  it('reads no signature on Linux or macOS (notApplicable, with the reason)', async () => {
    const runner = new ScriptedCommandRunner(() => ({}));
    for (const platform of ['linux', 'macos'] as const) {
      expect(await new SignerReader({ platform, runner }).thumbprints([join(dir, 'x')])).toEqual(new Map());
      expect(SIGNER_NOT_APPLICABLE[platform]).toMatch(/.+/);
    }
    expect(SIGNER_NOT_APPLICABLE.windows).toBeUndefined();
    expect(runner.calls).toEqual([]);
  });

  it('parses hostile answers without trusting them', () => {
    expect(parseSigners(null)).toEqual(new Map());
    expect(parseSigners({ path: 'C:\\x.exe', status: 'Valid', thumbprint: 'not-hex' })).toEqual(new Map([['C:\\x.exe', undefined]]));
    expect(parseSigners([{ path: 5 }, 'text', { path: 'C:\\y.exe', status: 'Valid', thumbprint: THUMB }])).toEqual(new Map([['C:\\y.exe', THUMB]]));
  });

  it('gives Windows processes their signer thumbprint when certificate indicators ask for it', async () => {
    const exe = join(dir, 'tool.exe');
    await writeFile(exe, 'x');
    const runner = new ScriptedCommandRunner(() => ({ stdout: JSON.stringify({ ok: true, result: [{ path: exe, status: 'Valid', thumbprint: THUMB }] }) }));
    const deps = {
      platform: 'windows' as const,
      hasher: new FileHasher({ maxBytes: 16 }),
      signers: new SignerReader({ platform: 'windows', runner }),
      api: { processes: async () => ({ list: [{ pid: 7, name: 'tool.exe', path: exe }] }), networkConnections: async () => [] },
    };
    expect(await listProcesses(deps, { signer: true })).toEqual([{ pid: 7, name: 'tool.exe', path: exe, signerThumbprint: THUMB }]);
    expect(await listProcesses(deps, {})).toEqual([{ pid: 7, name: 'tool.exe', path: exe }]);
    expect(runner.calls).toHaveLength(1);
  });
});
