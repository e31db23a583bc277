// The investigation package at its boundary: the exact commands per OS, entries the system tar extracts with the
// manifest's sizes and hashes, failures as entries, no key material, the byte cap, and an abort leaving nothing behind.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../common/testing/manual-clock.js';
import type { Platform } from '../../../../policy-schemas/src/primitives.js';
import { POWERSHELL } from '../../providers/windows/powershell.js';
import { type CommandSpec, ScriptedCommandRunner } from '../../system/command-runner.js';
import { collectInvestigationPackage, EXCLUDED_FILES, PACKAGES_DIR, type PackageManifest, removeLeftoverPackages, STATE_FILES } from './index.js';

const SECRET = 'SECRET-MATERIAL-7f3a';
let root: string;
let stateDir: string;
let logDir: string;

beforeEach(async () => {
  packages = 0;
  root = await mkdtemp(join(tmpdir(), 'collect-'));
  stateDir = join(root, 'state');
  logDir = join(root, 'logs');
  await mkdir(stateDir, { mode: 0o700 });
  await mkdir(logDir);
  for (const f of ['device-key.pem', 'device-key.next.pem', 'identity.json', 'signing-keys.json', 'agent.json', 'pf-token', 'onboarding.json'])
    await writeFile(join(stateDir, f), `${SECRET} ${f}`);
  await mkdir(join(stateDir, 'quarantine'));
  await writeFile(join(stateDir, 'quarantine', 'payload'), SECRET);
  await writeFile(join(stateDir, 'status.json'), '{"outcome":"applied"}\n');
  await writeFile(join(stateDir, 'policies.json'), '{"policies":[]}\n');
  await writeFile(join(logDir, 'agent.log'), 'line 1\nline 2\n');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const sources = {
  processes: async () => [{ pid: 1, name: 'init', path: '/sbin/init' }],
  deviceFacts: () => ({ hostname: 'host-1', platform: 'linux' }),
};

let packages = 0;
function collect(platform: Platform, runner: ScriptedCommandRunner, maxBytes = 1024 * 1024, signal = new AbortController().signal) {
  const options = { stateDir, logDir, platform, maxBytes, deviceId: 'dev-1', agentVersion: '1.2.3' };
  const newId = () => (packages++ === 0 ? 'pkg' : `pkg-${packages}`);
  return collectInvestigationPackage(options, { runner, clock: new ManualClock(1764933000000), sources, newId }, signal, () => undefined);
}

const answer = (spec: CommandSpec) => ({ stdout: `output of ${[spec.file, ...spec.args].join(' ')}\n` });

async function extract(path: string): Promise<{ dir: string; manifest: PackageManifest }> {
  const dir = join(root, 'x');
  await mkdir(dir);
  execFileSync('tar', ['-xzf', path, '-C', dir]);
  return { dir, manifest: JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as PackageManifest };
}

async function everyFile(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

describe('collectInvestigationPackage', () => {
  it('runs exactly these commands per OS', async () => {
    const argv = async (platform: Platform) => {
      const runner = new ScriptedCommandRunner(answer);
      await collect(platform, runner);
      return runner.calls.map((c) => [c.file, ...(c.file === POWERSHELL ? [] : c.args)].join(' '));
    };
    expect(await argv('linux')).toEqual(['ss -tunap', 'nft list ruleset', '/usr/bin/mdatp health --output json', 'journalctl -n 2000 --no-pager -o short-iso']);
    expect(await argv('macos')).toEqual([
      '/usr/sbin/netstat -anv',
      '/sbin/pfctl -sr',
      '/sbin/pfctl -s info',
      '/usr/libexec/ApplicationFirewall/socketfilterfw --getglobalstate',
      '/usr/local/bin/mdatp health --output json',
      '/usr/bin/log show --last 1h --style syslog',
    ]);
    const windows = new ScriptedCommandRunner(() => ({ stdout: '{"ok":true,"result":{"x":1}}' }));
    await collect('windows', windows);
    const scripts = windows.calls.map((c) => Buffer.from(c.args.at(-1) ?? '', 'base64').toString('utf16le'));
    expect(windows.calls.map((c) => c.file)).toEqual(Array(4).fill(POWERSHELL));
    for (const [i, cmdlet] of ['Get-NetUDPEndpoint', 'Get-NetFirewallRule', 'Get-MpComputerStatus', 'Get-WinEvent'].entries())
      expect(scripts[i]).toContain(cmdlet);
    expect(windows.calls.every((c) => c.stdin === 'null')).toBe(true);
  });

  it('writes a root-only .tar.gz whose entries match the manifest sizes and hashes', async () => {
    const pkg = await collect('linux', new ScriptedCommandRunner(answer));
    expect(pkg.path).toBe(join(stateDir, 'packages', 'pkg.tar.gz'));
    expect((await stat(pkg.path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(stateDir, 'packages'))).mode & 0o777).toBe(0o700);
    const bytes = await readFile(pkg.path);
    expect(pkg).toMatchObject({ sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), truncated: false });
    const { dir, manifest } = await extract(pkg.path);
    expect(manifest).toMatchObject({ formatVersion: 1, deviceId: 'dev-1', agentVersion: '1.2.3', platform: 'linux', createdAt: '2025-12-05T11:10:00.000Z' });
    const stored = manifest.entries.filter((e) => !e.error);
    expect(pkg.entries).toBe(stored.length + 1);
    for (const e of stored) {
      const data = await readFile(join(dir, e.name));
      expect({ name: e.name, size: data.length, sha256: createHash('sha256').update(data).digest('hex') }).toEqual({
        name: e.name,
        size: e.sizeBytes,
        sha256: e.sha256,
      });
    }
    expect(await readFile(join(dir, 'agent/status.json'), 'utf8')).toBe('{"outcome":"applied"}\n');
    expect(await readFile(join(dir, 'agent/logs/0-agent.log'), 'utf8')).toBe('line 1\nline 2\n');
    expect(await readFile(join(dir, 'firewall/nft-ruleset.txt'), 'utf8')).toBe('output of nft list ruleset\n');
    expect(JSON.parse(await readFile(join(dir, 'processes/processes.json'), 'utf8'))).toEqual([{ pid: 1, name: 'init', path: '/sbin/init' }]);
    expect(manifest.entries.find((e) => e.name === 'firewall/nft-ruleset.txt')?.source).toBe('nft list ruleset');
    expect(await readdir(join(stateDir, 'packages'))).toEqual(['pkg.tar.gz']);
  });

  it('never holds the device key, identity, signing keys, configuration or quarantined files, and names them', async () => {
    const pkg = await collect('linux', new ScriptedCommandRunner(answer));
    const { dir, manifest } = await extract(pkg.path);
    for (const file of await everyFile(dir)) expect(await readFile(file, 'utf8'), file).not.toContain(SECRET);
    expect(manifest.excluded).toEqual(EXCLUDED_FILES);
    expect(manifest.excluded.map((e) => e.name)).toEqual(expect.arrayContaining(['device-key.pem', 'identity.json', 'signing-keys.json', 'agent.json']));
    expect(STATE_FILES.some((f) => /key|identity|token|agent\.json/.test(f))).toBe(false);
  });

  it('a missing or failing command, a missing file and a failing source become entries with an error', async () => {
    const runner = new ScriptedCommandRunner((spec) =>
      spec.file === 'nft'
        ? { code: null, spawnError: 'ENOENT: spawn nft ENOENT' }
        : spec.file === 'ss'
          ? { code: 1, stderr: 'Cannot open netlink socket' }
          : answer(spec),
    );
    const failing = { ...sources, processes: async () => Promise.reject(new Error('process table unreadable')) };
    const options = { stateDir, logDir, platform: 'linux' as const, maxBytes: 1024 * 1024, deviceId: 'd', agentVersion: 'v' };
    const pkg = await collectInvestigationPackage(
      options,
      { runner, clock: new ManualClock(0), sources: failing },
      new AbortController().signal,
      () => undefined,
    );
    const { manifest } = await extract(pkg.path);
    const byName = new Map(manifest.entries.map((e) => [e.name, e]));
    expect(byName.get('firewall/nft-ruleset.txt')).toMatchObject({ error: 'nft is not installed', sizeBytes: 0 });
    expect(byName.get('network/ss-tunap.txt')?.error).toContain('Cannot open netlink socket');
    expect(byName.get('processes/processes.json')?.error).toBe('process table unreadable');
    expect(byName.get('agent/baseline.json')?.error).toBe('no such file');
    expect(byName.get('device/inventory.json')?.error).toContain('no inventory');
    expect(byName.get('system/journal.txt')?.error).toBeUndefined();
  });

  it('stays under maxBytes, cutting the biggest entries first and keeping the newest end of logs', async () => {
    const noise = randomBytes(600_000); // does not compress
    await writeFile(join(logDir, 'agent.log'), Buffer.concat([noise, Buffer.from('\nNEWEST LINE\n')]));
    const maxBytes = 64 * 1024;
    const pkg = await collect('linux', new ScriptedCommandRunner(answer), maxBytes);
    expect(pkg.sizeBytes).toBeLessThanOrEqual(maxBytes);
    expect(pkg.truncated).toBe(true);
    const { dir, manifest } = await extract(pkg.path);
    const log = manifest.entries.find((e) => e.name === 'agent/logs/0-agent.log');
    expect(log).toMatchObject({ truncated: true, originalBytes: 600_013 });
    expect((await readFile(join(dir, 'agent/logs/0-agent.log'), 'utf8')).endsWith('\nNEWEST LINE\n')).toBe(true);
    // Small entries are not cut to make room for the big one.
    expect(manifest.entries.find((e) => e.name === 'agent/status.json')?.truncated).toBeUndefined();
  });

  it('an output the runner cut at the read cap is marked truncated, its original size unknown', async () => {
    const runner = new ScriptedCommandRunner((spec) => (spec.file === 'ss' ? { stdout: 'partial', truncated: true } : answer(spec)));
    const { manifest } = await extract((await collect('linux', runner)).path);
    const ss = manifest.entries.find((e) => e.name === 'network/ss-tunap.txt');
    expect(ss).toMatchObject({ truncated: true, sizeBytes: 7 });
    expect(ss?.originalBytes).toBeUndefined();
    expect(runner.calls.find((c) => c.file === 'ss')?.maxOutputBytes).toBe(1024 * 1024);
  });

  it('refuses a cap that cannot hold even the manifest, leaving nothing behind', async () => {
    await expect(collect('linux', new ScriptedCommandRunner(answer), 1024)).rejects.toMatchObject({ code: 'PACKAGE_TOO_LARGE' });
    expect(await readdir(join(stateDir, 'packages'))).toEqual([]);
  });

  it('an abort stops the commands and removes every partial file', async () => {
    const abort = new AbortController();
    const runner = new ScriptedCommandRunner(
      (spec) =>
        new Promise((resolve) => {
          if (spec.file !== 'nft') return resolve(answer(spec));
          spec.signal?.addEventListener('abort', () => resolve({ code: null, spawnError: 'aborted' }));
          abort.abort(new Error('cancelled by the admin'));
        }),
    );
    await expect(collect('linux', runner, 1024 * 1024, abort.signal)).rejects.toThrow('cancelled by the admin');
    expect(await readdir(join(stateDir, 'packages'))).toEqual([]);
    expect(runner.calls.map((c) => c.file)).toEqual(['ss', 'nft']);
  });
});

describe('packages left by a kill (review 17b #15)', () => {
  it('are all removed, finished packages and work folders alike', async () => {
    const dir = join(stateDir, PACKAGES_DIR);
    await mkdir(join(dir, '.work-1'), { recursive: true });
    await writeFile(join(dir, '.work-1', 'processes.json'), SECRET);
    await writeFile(join(dir, 'abc.tar.gz'), SECRET);
    await removeLeftoverPackages(stateDir);
    expect(await readdir(dir).catch(() => [])).toEqual([]);
    expect(await readFile(join(stateDir, 'status.json'), 'utf8')).toContain('applied');
  });
});
