// The Linux collector against the real dpkg-query over a status file written here (real Debian 12 package names at old
// versions, each taken from the packages' own changelogs), and rpm at the boundary with recorded `rpm -qa` output.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../../common/validation.js';
import { SoftwareInventory } from '../../../../policy-schemas/src/index.js';
import { type CommandSpec, NodeCommandRunner, ScriptedCommandRunner } from '../../system/command-runner.js';
import { MemoryFileStore } from '../../system/file-store.js';
import { DPKG_QUERY_FORMAT, LinuxSoftwareCollector, parseDpkgQuery, parseOsRelease, parseRpmQuery, RPM_QUERY_FORMAT } from './linux.js';
import { DEBIAN_OS_RELEASE, RPM_OUTPUT } from './testing/recorded.js';

const clock = { now: () => Date.UTC(2026, 11, 5, 12, 0, 0) };

function stanza(fields: Record<string, string>): string {
  return `${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\nDescription: test stanza\n`;
}

const installed = 'install ok installed';
const OPENSSL_TEAM = 'Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>';
/** Package, version (bookworm releases and security updates), architecture, maintainer, status. */
const PACKAGES: readonly [string, string, string, string, string][] = [
  ['openssl', '3.0.11-1~deb12u1', 'amd64', OPENSSL_TEAM, installed],
  ['libssl3', '3.0.11-1~deb12u1', 'amd64', OPENSSL_TEAM, installed],
  ['bash', '5.2.15-2+b2', 'amd64', 'Matthias Klose <doko@debian.org>', installed],
  ['curl', '7.88.1-10+deb12u4', 'amd64', 'Alessandro Ghedini <ghedo@debian.org>', installed],
  ['libcurl4', '7.88.1-10+deb12u4', 'amd64', 'Alessandro Ghedini <ghedo@debian.org>', installed],
  ['tzdata', '2024a-0+deb12u1', 'all', 'GNU Libc Maintainers <debian-glibc@lists.debian.org>', installed],
  ['zlib1g', '1:1.2.13.dfsg-1', 'amd64', 'Mark Brown <broonie@debian.org>', installed],
  ['util-linux', '2.38.1-5+deb12u1', 'amd64', 'util-linux packagers <util-linux@packages.debian.org>', installed],
  ['bsdutils', '1:2.38.1-5+deb12u1', 'amd64', 'util-linux packagers <util-linux@packages.debian.org>', installed],
  ['git', '1:2.39.2-1.1', 'amd64', 'Jonathan Nieder <jrnieder@gmail.com>', 'hold ok installed'],
  // Unpacked but not configured: its files are on disk, so it is listed.
  ['libc6', '2.36-9+deb12u3', 'amd64', 'GNU Libc Maintainers <debian-glibc@lists.debian.org>', 'install ok unpacked'],
  // Removed with its configuration kept: not listed.
  ['libcurl3-gnutls', '7.88.1-10+deb12u4', 'amd64', 'Alessandro Ghedini <ghedo@debian.org>', 'deinstall ok config-files'],
];

/** `Source:` of the binary packages not named after their source (with the source version where it differs). */
const SOURCES: Record<string, string> = {
  libssl3: 'openssl',
  libcurl4: 'curl',
  'libcurl3-gnutls': 'curl',
  zlib1g: 'zlib',
  bsdutils: 'util-linux (2.38.1-5+deb12u1)',
  bash: 'bash (5.2.15-2)',
  libc6: 'glibc',
};

function statusFile(): string {
  return PACKAGES.map(([name, version, arch, maintainer, status]) => {
    const source = SOURCES[name];
    return stanza({
      Package: name,
      Status: status,
      Priority: 'optional',
      Maintainer: maintainer,
      Architecture: arch,
      ...(source ? { Source: source } : {}),
      Version: version,
    });
  }).join('\n');
}

describe('LinuxSoftwareCollector with the real dpkg-query', () => {
  let admindir: string;
  beforeAll(async () => {
    admindir = await mkdtemp(join(tmpdir(), 'attache-dpkg-'));
    await writeFile(join(admindir, 'status'), statusFile());
  });
  afterAll(async () => {
    await rm(admindir, { recursive: true, force: true });
  });

  async function collect(files = new MemoryFileStore()) {
    // rpm against an empty database directory: installed here, lists nothing (not even gpg-pubkey).
    const collector = new LinuxSoftwareCollector({ runner: new NodeCommandRunner(), files, clock, dpkgAdmindir: admindir, rpmDbpath: admindir });
    return validate(SoftwareInventory, await collector.collect(), 'software inventory');
  }

  it('lists installed packages with the exact version dpkg prints, epochs only where set, removed ones left out', async () => {
    const files = new MemoryFileStore();
    await files.writeAtomic('/etc/os-release', DEBIAN_OS_RELEASE);
    const inv = await collect(files);
    expect(inv.os).toEqual({ name: 'Debian GNU/Linux', version: '12' });
    expect(inv.collectedAt).toBe('2026-12-05T12:00:00.000Z');
    const byName = new Map(inv.items.map((i) => [i.name, i]));
    expect(byName.get('openssl')).toEqual({
      name: 'openssl',
      version: '3.0.11-1~deb12u1',
      architecture: 'amd64',
      vendor: OPENSSL_TEAM,
      source: 'dpkg',
      scheme: 'dpkg',
    });
    expect(byName.get('zlib1g')).toMatchObject({ version: '1:1.2.13.dfsg-1', sourceName: 'zlib' });
    expect(byName.get('zlib1g')?.sourceVersion).toBeUndefined();
    // The source version has no epoch: advisories for util-linux compare against it, not against bsdutils' own.
    expect(byName.get('bsdutils')).toMatchObject({ version: '1:2.38.1-5+deb12u1', sourceName: 'util-linux', sourceVersion: '2.38.1-5+deb12u1' });
    expect(byName.get('libssl3')).toMatchObject({ version: '3.0.11-1~deb12u1', sourceName: 'openssl' });
    expect(byName.get('libssl3')?.sourceVersion).toBeUndefined();
    // A binary rebuild (binNMU): same source, the version without `+b2`.
    expect(byName.get('bash')).toEqual({
      name: 'bash',
      version: '5.2.15-2+b2',
      sourceVersion: '5.2.15-2',
      architecture: 'amd64',
      vendor: 'Matthias Klose <doko@debian.org>',
      source: 'dpkg',
      scheme: 'dpkg',
    });
    expect(byName.get('tzdata')).toMatchObject({ version: '2024a-0+deb12u1', architecture: 'all' });
    expect(byName.has('libc6')).toBe(true);
    expect(byName.has('git')).toBe(true);
    expect(byName.has('libcurl3-gnutls')).toBe(false);
    expect(inv.items.map((i) => i.name)).toEqual([...inv.items.map((i) => i.name)].sort());
    expect(inv.items).toHaveLength(PACKAGES.length - 1);
    expect(inv.truncated).toBe(false);
  });

  it('gives the same digest for the same database, another after an upgrade', async () => {
    const first = await collect();
    expect((await collect()).digest).toBe(first.digest);
    await writeFile(join(admindir, 'status'), statusFile().replace('Version: 3.0.11-1~deb12u1', 'Version: 3.0.15-1~deb12u1'));
    const upgraded = await collect();
    await writeFile(join(admindir, 'status'), statusFile());
    expect(upgraded.digest).not.toBe(first.digest);
    expect(upgraded.items.find((i) => i.name === 'openssl')?.version).toBe('3.0.15-1~deb12u1');
  });

  it('skips a tool that is not installed (the real ENOENT of a missing executable)', async () => {
    const real = new NodeCommandRunner();
    const noRpm = { run: (spec: CommandSpec) => real.run(spec.file === 'rpm' ? { ...spec, file: join(admindir, 'no-such-rpm') } : spec) };
    const inv = await new LinuxSoftwareCollector({ runner: noRpm, files: new MemoryFileStore(), clock, dpkgAdmindir: admindir }).collect();
    expect(inv.items.every((i) => i.source === 'dpkg')).toBe(true);
    expect(inv.items).toHaveLength(PACKAGES.length - 1);
  });

  it('stops with SOFTWARE_INVENTORY_FAILED when cancelled, never with a partial list', async () => {
    const collector = new LinuxSoftwareCollector({ runner: new NodeCommandRunner(), files: new MemoryFileStore(), clock, dpkgAdmindir: admindir });
    await expect(collector.collect(AbortSignal.abort())).rejects.toMatchObject({
      code: 'SOFTWARE_INVENTORY_FAILED',
      message: expect.stringContaining('aborted'),
    });
  });

  it('fails with SOFTWARE_INVENTORY_FAILED quoting dpkg-query when the database cannot be read', async () => {
    // A `status` that is a directory: dpkg-query exits 2 (a missing database directory is just an empty one to it).
    const broken = join(admindir, 'broken');
    await mkdir(join(broken, 'status'), { recursive: true });
    const collector = new LinuxSoftwareCollector({ runner: new NodeCommandRunner(), files: new MemoryFileStore(), clock, dpkgAdmindir: broken });
    await expect(collector.collect()).rejects.toMatchObject({ code: 'SOFTWARE_INVENTORY_FAILED', message: expect.stringContaining('Is a directory') });
  });
});

function scripted(answers: { dpkg?: string | null; rpm?: string | null }) {
  return new ScriptedCommandRunner((spec: CommandSpec) => {
    const answer = spec.file === 'dpkg-query' ? answers.dpkg : answers.rpm;
    return answer === null || answer === undefined ? { code: null, spawnError: `ENOENT: spawn ${spec.file} ENOENT` } : { stdout: answer };
  });
}

describe('LinuxSoftwareCollector at the rpm boundary', () => {
  it('runs rpm with the constant format as argv and reads epoch:version-release', async () => {
    const runner = scripted({ dpkg: null, rpm: RPM_OUTPUT });
    const files = new MemoryFileStore();
    await files.writeAtomic('/usr/lib/os-release', 'NAME="Rocky Linux"\nVERSION_ID="9.3"\nID="rocky"\n');
    const inv = await new LinuxSoftwareCollector({ runner, files, clock }).collect();
    expect(runner.calls.map((c) => [c.file, ...c.args])).toEqual([
      ['dpkg-query', '-W', `-f=${DPKG_QUERY_FORMAT}`],
      ['rpm', '-qa', '--qf', RPM_QUERY_FORMAT],
    ]);
    expect(inv.os).toEqual({ name: 'Rocky Linux', version: '9.3' });
    expect(inv.items).toEqual([
      { name: 'bash', version: '5.1.8-6.el9_1', architecture: 'x86_64', vendor: 'Rocky Enterprise Software Foundation', source: 'rpm', scheme: 'rpm' },
      { name: 'local-tool', version: '1.0-1', architecture: 'x86_64', source: 'rpm', scheme: 'rpm' },
      { name: 'openssl', version: '1:3.0.7-24.el9', architecture: 'x86_64', vendor: 'Rocky Enterprise Software Foundation', source: 'rpm', scheme: 'rpm' },
      { name: 'tzdata', version: '2023c-1.el9', architecture: 'noarch', vendor: 'Rocky Enterprise Software Foundation', source: 'rpm', scheme: 'rpm' },
    ]);
  });

  it('lists both databases when both tools are installed', async () => {
    const dpkg = `${installed}\tbash\t5.2.15-2+b2\tamd64\tbash\t5.2.15-2\tMatthias Klose <doko@debian.org>\n`;
    const inv = await new LinuxSoftwareCollector({ runner: scripted({ dpkg, rpm: RPM_OUTPUT }), files: new MemoryFileStore(), clock }).collect();
    expect(inv.items.filter((i) => i.name === 'bash').map((i) => i.source)).toEqual(['dpkg', 'rpm']);
    expect(inv.os).toEqual({ name: 'Linux', version: '' });
  });

  it('fails naming both tools when neither is installed, and quotes a failing rpm', async () => {
    const none = new LinuxSoftwareCollector({ runner: scripted({}), files: new MemoryFileStore(), clock });
    await expect(none.collect()).rejects.toMatchObject({ code: 'SOFTWARE_INVENTORY_FAILED', message: expect.stringContaining('neither dpkg-query nor rpm') });
    const failing = new ScriptedCommandRunner((spec) =>
      spec.file === 'rpm' ? { code: 1, stderr: 'error: rpmdb: BDB0113 Thread/process 1234 failed' } : { code: null, spawnError: 'ENOENT: x' },
    );
    await expect(new LinuxSoftwareCollector({ runner: failing, files: new MemoryFileStore(), clock }).collect()).rejects.toMatchObject({
      code: 'SOFTWARE_INVENTORY_FAILED',
      message: expect.stringContaining('BDB0113'),
    });
  });

  it('marks the inventory truncated when a listing was cut at its size limit, dropping the torn last line', async () => {
    const runner = new ScriptedCommandRunner((spec) =>
      spec.file === 'rpm'
        ? { stdout: 'bash\t(none)\t5.1.8\t6.el9_1\tx86_64\tRocky\nopenssl\t1\t3.0', truncated: true }
        : { code: null, spawnError: 'ENOENT: x' },
    );
    const inv = await new LinuxSoftwareCollector({ runner, files: new MemoryFileStore(), clock }).collect();
    expect(inv.truncated).toBe(true);
    expect(inv.items.map((i) => i.name)).toEqual(['bash']);
  });
});

describe('Linux parsers', () => {
  it('keeps hostile maintainer and vendor text as data (tabs included), strips nothing but NUL later', () => {
    const [item] = parseDpkgQuery(`${installed}\tevil\t1.0\tamd64\tevil\t1.0\tEvil \u001b[31mCorp\u202e\tTabbed <e@example.org>\n`);
    expect(item?.vendor).toBe('Evil \u001b[31mCorp\u202e\tTabbed <e@example.org>');
    expect(parseRpmQuery('n\t(none)\t1\t2\tx86_64\tA\tB\n')[0]?.vendor).toBe('A\tB');
  });

  it('reads os-release quoting: double quotes with escapes, single quotes, bare values, BUILD_ID', () => {
    expect(parseOsRelease('NAME="Ubuntu \\"Noble\\""\nVERSION_ID=\'24.04\'\nBUILD_ID=rolling\n# comment\n')).toEqual({
      name: 'Ubuntu "Noble"',
      version: '24.04',
      build: 'rolling',
    });
  });
});
