// What of the macOS installer can run on Linux: the launchd plist and entitlements parse (python3 plistlib, as
// there is no plutil here) and hold what the daemon needs; the pkg scripts and install/uninstall.sh run against a
// scratch root (launchctl is never called there) with a stand-in agent that records how it was called.
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, removeDir, tempDir } from './harness.js';

const exec = promisify(execFile);
const MACOS = join(ROOT, 'installers/macos');
const STATE = 'Library/Application Support/Attache';

let dir: string;

async function sh(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(cmd, args, { env: { ...process.env, ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Parses a plist with python3's plistlib; throws with its message when the file is not a valid plist. */
async function loadPlist(file: string): Promise<any> {
  const py = 'import json, plistlib, sys\nprint(json.dumps(plistlib.load(open(sys.argv[1], "rb"))))';
  const r = await sh('python3', ['-c', py, file]);
  if (r.code !== 0) throw new Error(r.stderr.trim().split('\n').pop());
  return JSON.parse(r.stdout);
}

async function modeOf(path: string): Promise<string> {
  return ((await stat(path)).mode & 0o7777).toString(8).padStart(4, '0');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A stand-in agent: logs its arguments, and "enrolls" by writing identity.json into --state-dir. */
async function fakeAgent(root: string): Promise<string> {
  const bin = join(root, 'usr/local/bin/attache-agent');
  await mkdir(join(root, 'usr/local/bin'), { recursive: true });
  const script = `#!/bin/sh
echo "$*" >> "${join(dir, 'calls.log')}"
[ "$1" = --version ] && { echo 0.1.0; exit 0; }
[ "$1" = --state-dir ] && [ "$3" = enroll ] && echo '{"deviceId":"d1"}' > "$2/identity.json"
exit 0
`;
  await writeFile(bin, script);
  await chmod(bin, 0o755);
  return bin;
}

beforeAll(async () => {
  dir = await tempDir('macos');
});

afterAll(async () => {
  if (dir) await removeDir(dir);
});

describe('launchd plist', () => {
  it('is a valid plist for a root daemon that restarts while enrolled and logs under /Library/Logs', async () => {
    const plist = await loadPlist(join(MACOS, 'com.attache.agent.plist'));
    expect(plist.Label).toBe('com.attache.agent');
    expect(plist.ProgramArguments).toEqual(['/usr/local/bin/attache-agent', 'run']);
    expect(plist.RunAtLoad).toBe(true);
    expect(plist.KeepAlive).toEqual({ PathState: { [`/${STATE}/identity.json`]: true } });
    expect(plist.ThrottleInterval).toBeGreaterThanOrEqual(10);
    expect(plist.ExitTimeOut).toBe(30);
    expect(plist.EnvironmentVariables).toEqual({ ATTACHE_LOG_DIR: '/Library/Logs/Attache', NODE_OPTIONS: '' });
    expect([plist.StandardOutPath, plist.StandardErrorPath]).toEqual(['/Library/Logs/Attache/agent-console.log', '/Library/Logs/Attache/agent-console.log']);
    expect(plist.UserName).toBeUndefined(); // a LaunchDaemon runs as root
  });

  it('grants the hardened runtime the JIT entitlements V8 needs', async () => {
    expect(await loadPlist(join(MACOS, 'entitlements.plist'))).toEqual({
      'com.apple.security.cs.allow-jit': true,
      'com.apple.security.cs.allow-unsigned-executable-memory': true,
    });
  });

  it('the check rejects a broken plist', async () => {
    const text = await readFile(join(MACOS, 'com.attache.agent.plist'), 'utf8');
    await writeFile(join(dir, 'broken.plist'), text.replace('<string>com.attache.agent</string>', ''));
    await expect(loadPlist(join(dir, 'broken.plist'))).rejects.toThrow();
  });
});

describe('pkg scripts', () => {
  it('postinstall creates the folders, enrolls from onboarding.json next to the .pkg, and not again on upgrade', async () => {
    const root = join(dir, 'pkg-root');
    await fakeAgent(root);
    const media = join(dir, 'media');
    await mkdir(media, { recursive: true });
    await writeFile(join(media, 'onboarding.json'), '{}');
    const pkg = join(media, 'attache-agent.pkg');
    const first = await sh('sh', [join(MACOS, 'scripts/postinstall'), pkg, '/', root]);
    expect(first.code, first.stderr).toBe(0);
    expect([await modeOf(join(root, STATE)), await modeOf(join(root, 'Library/Logs/Attache'))]).toEqual(['0700', '0750']);
    expect((await stat(join(root, 'Library/Logs/Attache'))).gid).toBe(80);
    expect(await readFile(join(dir, 'calls.log'), 'utf8')).toBe(`--state-dir ${join(root, STATE)} enroll --package ${join(media, 'onboarding.json')}\n`);
    // The admin's file next to the .pkg is theirs: it stays.
    expect(await exists(join(media, 'onboarding.json'))).toBe(true);

    const upgrade = await sh('sh', [join(MACOS, 'scripts/preinstall'), pkg, '/', root]);
    expect(upgrade.code).toBe(0);
    const again = await sh('sh', [join(MACOS, 'scripts/postinstall'), pkg, '/', root]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already enrolled');
    expect((await readFile(join(dir, 'calls.log'), 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('install.sh and uninstall.sh place, keep and purge the files', async () => {
    const root = join(dir, 'script-root');
    const kit = join(dir, 'kit');
    await mkdir(join(kit, 'scripts'), { recursive: true });
    for (const f of ['install.sh', 'uninstall.sh', 'com.attache.agent.plist', 'com.attache.agent.newsyslog.conf', 'scripts/common.sh'])
      await writeFile(join(kit, f), await readFile(join(MACOS, f)));
    await writeFile(join(kit, 'attache-agent'), await readFile(await fakeAgent(join(dir, 'agent-src'))));
    const env = { ATTACHE_ROOT: root };
    const r = await sh('sh', [join(kit, 'install.sh')], env);
    expect(r.code, r.stderr).toBe(0);
    expect(await modeOf(join(root, 'usr/local/bin/attache-agent'))).toBe('0755');
    expect(await modeOf(join(root, 'Library/LaunchDaemons/com.attache.agent.plist'))).toBe('0644');
    expect(await exists(join(root, 'etc/newsyslog.d/com.attache.agent.conf'))).toBe(true);
    await writeFile(join(root, STATE, 'identity.json'), '{}');
    expect((await sh('sh', [join(kit, 'uninstall.sh')], env)).code).toBe(0);
    expect(await exists(join(root, 'Library/LaunchDaemons/com.attache.agent.plist'))).toBe(false);
    expect(await exists(join(root, STATE, 'identity.json'))).toBe(true);
    expect((await sh('sh', [join(kit, 'uninstall.sh'), '--purge'], env)).code).toBe(0);
    expect(await exists(join(root, STATE))).toBe(false);
  });
});
