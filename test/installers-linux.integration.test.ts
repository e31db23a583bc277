// The Linux installers with the real single executable: the unit verifies clean, the .deb and .rpm build, and the
// .deb installs into a scratch root (dpkg --root, scripts chrootless with DPKG_ROOT: the real system and its
// systemd are never touched), enrolls against a real endpoint, keeps its identity on upgrade, removes and purges.
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBinaries } from '../scripts/build-binaries.js';
import { packageLinux } from '../scripts/package-linux.js';
import { type Endpoint, ROOT, removeDir, startEndpoint, tempDir } from './harness.js';
import { dpkg, exists, modeOf, scratchRoot, sh, verifyUnit } from './linux-packaging.js';

const UNIT = join(ROOT, 'installers/linux/attache-agent.service');

let dir: string;
let endpoint: Endpoint;
let binary: string;
let deb1: string;
let deb2: string;
let rpm: string;

async function onboardingPackage(file: string): Promise<void> {
  await writeFile(file, JSON.stringify(await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', { maxUses: 1, expiresInMinutes: 60 })));
}

beforeAll(async () => {
  dir = await tempDir('installers');
  endpoint = await startEndpoint(join(dir, 'endpoint'));
  // linux-x64 only: its Node comes from node_modules, so CI downloads nothing (the 6-target build is manual).
  const [built] = await buildBinaries({ targets: ['linux-x64'], outDir: join(dir, 'bin') });
  binary = built?.file as string;
  const out = join(dir, 'packages');
  // zstd: 0.4 s instead of ~40 s for xz; the payload format does not change what the package does.
  [deb1, rpm] = (await packageLinux({ binary, arch: 'x64', version: '0.1.0', outDir: out, formats: ['deb', 'rpm'], debCompression: 'zstd' })) as [
    string,
    string,
  ];
  [deb2] = (await packageLinux({ binary, arch: 'x64', version: '0.1.1', outDir: out, formats: ['deb'], debCompression: 'zstd' })) as [string];
}, 240_000);

afterAll(async () => {
  await endpoint?.stop();
  if (dir) await removeDir(dir);
});

describe('systemd unit', () => {
  it('passes systemd-analyze verify with no warnings, and the check does catch a misspelt key', async () => {
    const unit = await readFile(UNIT, 'utf8');
    expect(await verifyUnit(dir, 'attache-agent', unit, 'good')).toEqual({ code: 0, stderr: '' });
    const broken = await verifyUnit(dir, 'attache-agent', unit.replace('Restart=always', 'Restrat=always'), 'broken');
    expect(broken.stderr).toContain('Restrat');
  });

  it('restarts forever with a delay, logs to journald and does not restart on a configuration error (78)', async () => {
    const unit = await readFile(UNIT, 'utf8');
    for (const line of ['Restart=always', 'StartLimitIntervalSec=0', 'RestartPreventExitStatus=78', 'StandardOutput=journal', 'UnsetEnvironment=NODE_OPTIONS'])
      expect(unit).toContain(`\n${line}\n`);
    expect(unit).toContain('\nConditionPathExists=/var/lib/attache/identity.json\n');
  });
});

describe('single executable', () => {
  it('runs here and answers --version and status --json on a fresh state dir', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    expect((await sh(binary, ['--version'])).stdout.trim()).toBe(pkg.version);
    const status = await sh(binary, ['--state-dir', join(dir, 'fresh-state'), 'status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ enrolled: false, deviceId: null, daemonPid: null });
  });

  it('exits 64 on a usage error and 78 with a clear message on a bad ATTACHE_* variable or when not enrolled', async () => {
    expect((await sh(binary, ['--no-such-flag'])).code).toBe(64);
    const badLevel = await sh(binary, ['status'], { ATTACHE_LOG_LEVEL: 'loud' });
    expect(badLevel.code).toBe(78);
    expect(badLevel.stderr).toContain('ATTACHE_LOG_LEVEL must be one of error, warn, info, debug (got "loud")');
    const notEnrolled = await sh(binary, ['run'], { ATTACHE_STATE_DIR: join(dir, 'fresh-state') });
    expect(notEnrolled.code).toBe(78);
    expect(notEnrolled.stderr).toContain('NOT_ENROLLED');
  });
});

describe('.deb and .rpm', () => {
  it('builds a .deb with the binary, the unit and the maintainer scripts, owned by root', async () => {
    const info = await sh('dpkg-deb', ['-f', deb1, 'Package', 'Version', 'Architecture']);
    expect(info.stdout).toBe('Package: attache-agent\nVersion: 0.1.0\nArchitecture: amd64\n');
    const list = (await sh('dpkg-deb', ['-c', deb1])).stdout;
    expect(list).toMatch(/-rwxr-xr-x root\/root .* \.\/usr\/bin\/attache-agent\n/);
    expect(list).toMatch(/-rw-r--r-- root\/root .* \.\/usr\/lib\/systemd\/system\/attache-agent\.service\n/);
    const control = (await sh('dpkg-deb', ['-I', deb1])).stdout;
    for (const script of ['postinst', 'prerm', 'postrm']) expect(control).toContain(script);
  });

  it('builds an .rpm with the same files and scriptlets', async () => {
    const list = (await sh('rpm', ['-qplv', rpm])).stdout;
    expect(list).toMatch(/-rwxr-xr-x\s+1 root\s+root\s+\d+ .* \/usr\/bin\/attache-agent\n/);
    expect(list).toMatch(/-rw-r--r--\s+1 root\s+root\s+\d+ .* \/usr\/lib\/systemd\/system\/attache-agent\.service\n/);
    const scripts = (await sh('rpm', ['-qp', '--scripts', rpm])).stdout;
    for (const part of ['postinstall scriptlet', 'preuninstall scriptlet', 'postuninstall scriptlet', 'attache_make_dirs', 'attache_enroll'])
      expect(scripts).toContain(part);
    expect((await sh('rpm', ['-qp', '--queryformat', '%{VERSION}-%{RELEASE}.%{ARCH}', rpm])).stdout).toBe('0.1.0-1.x86_64');
  });
});

describe('.deb in a scratch root', () => {
  let root: string;
  let deviceId: string;
  let identity: string;

  it('installs, creates the directories with their modes and enrolls from /etc/attache/onboarding.json', async () => {
    root = await scratchRoot(dir, 'deb-root');
    await mkdir(join(root, 'etc/attache'), { recursive: true });
    await onboardingPackage(join(root, 'etc/attache/onboarding.json'));
    const r = await dpkg(root, '-i', deb1);
    expect(r.code, r.stderr).toBe(0);
    const modes = await Promise.all(
      ['usr/bin/attache-agent', 'usr/lib/systemd/system/attache-agent.service', 'var/lib/attache', 'etc/attache', 'var/log/attache'].map((p) =>
        modeOf(join(root, p)),
      ),
    );
    expect(modes).toEqual(['0755', '0644', '0700', '0755', '0750']);
    expect([await modeOf(join(root, 'var/lib/attache/identity.json')), await modeOf(join(root, 'var/lib/attache/device-key.pem'))]).toEqual(['0600', '0600']);
    // The spent single-use package does not stay in /etc.
    expect(await exists(join(root, 'etc/attache/onboarding.json'))).toBe(false);
    identity = await readFile(join(root, 'var/lib/attache/identity.json'), 'utf8');
    deviceId = JSON.parse(identity).deviceId;
    expect(await endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}`)).toMatchObject({ deviceId, platform: 'linux' });
    const status = await sh(join(root, 'usr/bin/attache-agent'), ['status', '--json'], { ATTACHE_STATE_DIR: join(root, 'var/lib/attache') });
    expect(JSON.parse(status.stdout)).toMatchObject({ enrolled: true, deviceId });
  });

  it('upgrades to a new version and keeps the device identity (a new onboarding package is not used)', async () => {
    await onboardingPackage(join(root, 'etc/attache/onboarding.json'));
    const r = await dpkg(root, '-i', deb2);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('already enrolled');
    expect((await dpkg(root, '-s', 'attache-agent')).stdout).toContain('Version: 0.1.1');
    expect(await readFile(join(root, 'var/lib/attache/identity.json'), 'utf8')).toBe(identity);
    expect(await modeOf(join(root, 'var/lib/attache'))).toBe('0700');
  });

  it('remove deletes the program and keeps the identity; purge deletes state, config and logs', async () => {
    const removed = await dpkg(root, '-r', 'attache-agent');
    expect(removed.code, removed.stderr).toBe(0);
    expect(await exists(join(root, 'usr/bin/attache-agent'))).toBe(false);
    expect(await exists(join(root, 'usr/lib/systemd/system/attache-agent.service'))).toBe(false);
    expect(await readFile(join(root, 'var/lib/attache/identity.json'), 'utf8')).toBe(identity);

    const purged = await dpkg(root, '-P', 'attache-agent');
    expect(purged.code, purged.stderr).toBe(0);
    for (const p of ['var/lib/attache', 'etc/attache', 'var/log/attache']) expect(await exists(join(root, p)), p).toBe(false);
    expect((await dpkg(root, '-s', 'attache-agent')).code).not.toBe(0);
  });
});

describe('install.sh from the tarball layout', () => {
  it('installs with the onboarding package next to it, re-runs keeping the identity, uninstalls and purges', async () => {
    const kit = join(dir, 'kit');
    await mkdir(kit, { recursive: true });
    for (const f of ['attache-agent.service', 'restart-backoff.conf', 'install.sh', 'uninstall.sh', 'scripts/common.sh'])
      await cp(join(ROOT, 'installers/linux', f), join(kit, f.replace('scripts/', '')));
    await cp(binary, join(kit, 'attache-agent'));
    await onboardingPackage(join(kit, 'onboarding.json'));
    const root = join(dir, 'tar-root');
    const env = { ATTACHE_ROOT: root };
    const first = await sh('sh', [join(kit, 'install.sh')], env);
    expect(first.code, first.stderr).toBe(0);
    const unit = await readFile(join(root, 'etc/systemd/system/attache-agent.service'), 'utf8');
    expect(unit).toContain('\nExecStart=/usr/local/bin/attache-agent run\n');
    const identity = await readFile(join(root, 'var/lib/attache/identity.json'), 'utf8');
    expect(await modeOf(join(root, 'usr/local/bin/attache-agent'))).toBe('0755');

    const again = await sh('sh', [join(kit, 'install.sh')], env);
    expect(again.code, again.stderr).toBe(0);
    expect(await readFile(join(root, 'var/lib/attache/identity.json'), 'utf8')).toBe(identity);

    expect((await sh('sh', [join(kit, 'uninstall.sh')], env)).code).toBe(0);
    expect(await exists(join(root, 'usr/local/bin/attache-agent'))).toBe(false);
    expect(await exists(join(root, 'var/lib/attache/identity.json'))).toBe(true);
    expect((await sh('sh', [join(kit, 'uninstall.sh'), '--purge'], env)).code).toBe(0);
    expect(await exists(join(root, 'var/lib/attache'))).toBe(false);
    expect((await sh('sh', [join(kit, 'install.sh'), '--bogus'], env)).code).toBe(64);
  });
});
