// The management endpoint shipped like the agent: its single executable (linux-x64, better-sqlite3 inside) serves on
// loopback and backs up a running data dir; its unit verifies clean; its .deb installs into a scratch root (dpkg
// --root, scripts chrootless), creates the attache-mgmt user and the 0700 data dir, keeps settings on upgrade, and
// never deletes the data dir (CA key) on purge.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBinaries } from '../scripts/build-binaries.js';
import { packageLinux } from '../scripts/package-linux.js';
import { ROOT, removeDir, startEndpoint, tempDir } from './harness.js';
import { dpkg, exists, modeOf, scratchRoot, sh, verifyUnit } from './linux-packaging.js';

const UNIT = join(ROOT, 'installers/linux/management/attache-management.service');

let dir: string;
let binary: string;
let deb1: string;
let deb2: string;

beforeAll(async () => {
  dir = await tempDir('installers-mgmt');
  // linux-x64 only: its Node comes from node_modules, so CI downloads nothing (docs/install.md: the other targets).
  const [built] = await buildBinaries({ program: 'management', targets: ['linux-x64'], outDir: join(dir, 'bin') });
  binary = built?.file as string;
  const out = join(dir, 'packages');
  const deb = (version: string) =>
    packageLinux({ package: 'attache-management', binary, arch: 'x64', version, outDir: out, formats: ['deb'], debCompression: 'zstd' });
  [deb1] = (await deb('0.1.0')) as [string];
  [deb2] = (await deb('0.1.1')) as [string];
}, 240_000);

afterAll(async () => {
  if (dir) await removeDir(dir);
});

describe('single executable', () => {
  it('lists its commands, serves on loopback with SQLite inside, and backs up the running data dir', async () => {
    const help = await sh(binary, ['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/serve \[options\][\s\S]*backup \[options\]/);
    const endpoint = await startEndpoint(join(dir, 'sea-data'), [], [binary]);
    try {
      expect(await endpoint.admin.ok('POST', '/v1/admin/groups', { name: 'sea' })).toMatchObject({ name: 'sea' });
      const backup = await sh(binary, ['backup', '--data-dir', endpoint.dataDir, '--out', join(dir, 'sea-backup.tar.gz')]);
      expect(backup.code, backup.stderr).toBe(0);
      expect(JSON.parse(backup.stdout)).toMatchObject({ event: 'backup written', database: { engine: 'sqlite', included: true } });
    } finally {
      expect(await endpoint.stop()).toBe(0);
    }
  });

  it('is packaged as .deb only: an .rpm request is refused, naming it', async () => {
    await expect(packageLinux({ package: 'attache-management', binary, arch: 'x64', outDir: dir, formats: ['rpm'] })).rejects.toThrow(
      'attache-management is packaged as deb only (asked for rpm)',
    );
  });
});

describe('systemd unit', () => {
  it('passes systemd-analyze verify with no warnings, and the check does catch a misspelt key', async () => {
    const unit = await readFile(UNIT, 'utf8');
    expect(await verifyUnit(dir, 'attache-management', unit, 'good')).toEqual({ code: 0, stderr: '' });
    const broken = await verifyUnit(dir, 'attache-management', unit.replace('ProtectSystem=strict', 'ProtectSytem=strict'), 'broken');
    expect(broken.stderr).toContain('ProtectSytem');
  });

  it('runs as its own user with no capability, writes only its data dir, and retries a lost database but not a bad config', async () => {
    const unit = await readFile(UNIT, 'utf8');
    for (const line of [
      'User=attache-mgmt',
      'EnvironmentFile=-/etc/attache-management/env',
      'ExecStart=/usr/bin/attache-management serve --data-dir /var/lib/attache-management $ATTACHE_SERVE_ARGS',
      'Restart=on-failure',
      'RestartSec=10s',
      'RestartPreventExitStatus=78',
      'StartLimitIntervalSec=0',
      'NoNewPrivileges=yes',
      'CapabilityBoundingSet=',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/attache-management',
      'PrivateTmp=yes',
      'StateDirectoryMode=0700',
      'UnsetEnvironment=NODE_OPTIONS',
    ])
      expect(unit).toContain(`\n${line}\n`);
  });
});

describe('.deb in a scratch root', () => {
  let root: string;

  it('builds a .deb with the executable, the unit, the sysusers file and the settings template, owned by root', async () => {
    expect((await sh('dpkg-deb', ['-f', deb1, 'Package', 'Version', 'Architecture'])).stdout).toBe(
      'Package: attache-management\nVersion: 0.1.0\nArchitecture: amd64\n',
    );
    const list = (await sh('dpkg-deb', ['-c', deb1])).stdout;
    expect(list).toMatch(/-rwxr-xr-x root\/root .* \.\/usr\/bin\/attache-management\n/);
    for (const f of ['usr/lib/systemd/system/attache-management.service', 'usr/lib/sysusers.d/attache-management.conf', 'usr/share/attache-management/env'])
      expect(list).toMatch(new RegExp(`-rw-r--r-- root/root .* \\./${f.replaceAll('.', '\\.')}\\n`));
  });

  it('installs: creates the attache-mgmt user, its 0700 data dir and a 0600 settings file for root', async () => {
    root = await scratchRoot(dir, 'mgmt-root');
    const r = await dpkg(root, '-i', deb1);
    expect(r.code, r.stderr).toBe(0);
    const passwd = await readFile(join(root, 'etc/passwd'), 'utf8');
    const user = passwd
      .split('\n')
      .find((l) => l.startsWith('attache-mgmt:'))
      ?.split(':');
    expect(user?.[5]).toBe('/var/lib/attache-management');
    expect(user?.[6]).toBe('/usr/sbin/nologin');
    const modes = await Promise.all(
      ['usr/bin/attache-management', 'var/lib/attache-management', 'etc/attache-management', 'etc/attache-management/env'].map((p) => modeOf(join(root, p))),
    );
    expect(modes).toEqual(['0755', '0700', '0700', '0600']);
    const { stdout } = await sh('stat', ['-c', '%u:%g', join(root, 'var/lib/attache-management')]);
    expect(stdout.trim()).toBe(`${user?.[2]}:${user?.[3]}`);
    expect(await readFile(join(root, 'etc/attache-management/env'), 'utf8')).toContain('ATTACHE_SERVE_ARGS=--listen 0.0.0.0:8443');
  });

  it('upgrades keeping the admin-edited settings file and the user', async () => {
    const env = join(root, 'etc/attache-management/env');
    await writeFile(env, 'ATTACHE_SERVE_ARGS=--listen 0.0.0.0:9443\n');
    const passwd = await readFile(join(root, 'etc/passwd'), 'utf8');
    const r = await dpkg(root, '-i', deb2);
    expect(r.code, r.stderr).toBe(0);
    expect((await dpkg(root, '-s', 'attache-management')).stdout).toContain('Version: 0.1.1');
    expect(await readFile(env, 'utf8')).toBe('ATTACHE_SERVE_ARGS=--listen 0.0.0.0:9443\n');
    expect(await readFile(join(root, 'etc/passwd'), 'utf8')).toBe(passwd);
  });

  it('remove deletes the program; purge deletes the settings but keeps the data dir with the CA key', async () => {
    await writeFile(join(root, 'var/lib/attache-management/ca-key.pem'), 'stand-in for the CA key\n');
    const removed = await dpkg(root, '-r', 'attache-management');
    expect(removed.code, removed.stderr).toBe(0);
    expect(await exists(join(root, 'usr/bin/attache-management'))).toBe(false);
    const purged = await dpkg(root, '-P', 'attache-management');
    expect(purged.code, purged.stderr).toBe(0);
    expect(purged.stderr).toContain('kept');
    expect(await exists(join(root, 'etc/attache-management'))).toBe(false);
    expect(await readFile(join(root, 'var/lib/attache-management/ca-key.pem'), 'utf8')).toBe('stand-in for the CA key\n');
  });
});
