// `npm run package:linux [-- --package attache-agent --arch x64 --binary dist/bin/attache-agent-linux-x64 --formats
// deb,rpm,tar]`: the agent's .deb (dpkg-deb), .rpm (rpmbuild) and install.sh tarball, and the management endpoint's
// .deb (`--package attache-management`), from installers/linux/ (toolchain.md §6).
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';

const run = promisify(execFile);
const LINUX = resolve('installers/linux');

export type LinuxArch = 'x64' | 'arm64';
export type LinuxFormat = 'deb' | 'rpm' | 'tar';
export type LinuxPackageName = 'attache-agent' | 'attache-management';

/** What goes into one package's .deb besides its executable (/usr/bin/<name>) and maintainer scripts. */
interface DebSpec {
  /** Folder with common.sh, postinst, prerm and postrm. */
  readonly scriptsDir: string;
  /** Files installed 0644: source → path in the package. */
  readonly files: readonly (readonly [from: string, to: string])[];
  readonly description: readonly string[];
  /** Formats besides deb this package is built in. */
  readonly otherFormats: readonly LinuxFormat[];
}

const MGMT = join(LINUX, 'management');

const DEB_SPECS: Readonly<Record<LinuxPackageName, DebSpec>> = {
  'attache-agent': {
    scriptsDir: join(LINUX, 'scripts'),
    files: [
      [join(LINUX, 'attache-agent.service'), 'usr/lib/systemd/system/attache-agent.service'],
      [join(LINUX, 'restart-backoff.conf'), 'usr/lib/attache/restart-backoff.conf'],
    ],
    description: [
      'Attaché device agent (security settings management)',
      ' Enrolls the device with its own identity, pulls signed security policies, applies',
      ' them and reports per-setting status. Runs as the systemd service attache-agent.',
    ],
    otherFormats: ['rpm', 'tar'],
  },
  'attache-management': {
    scriptsDir: join(MGMT, 'scripts'),
    files: [
      [join(MGMT, 'attache-management.service'), 'usr/lib/systemd/system/attache-management.service'],
      [join(MGMT, 'attache-management.sysusers'), 'usr/lib/sysusers.d/attache-management.conf'],
      [join(MGMT, 'env'), 'usr/share/attache-management/env'],
    ],
    description: [
      'Attaché management endpoint',
      ' The HTTPS endpoint devices enroll with and pull signed policies from, with its',
      ' admin API. Runs as the systemd service attache-management, user attache-mgmt.',
    ],
    otherFormats: [],
  },
};

export interface PackageLinuxOptions {
  /** Which package (default: the agent). */
  readonly package?: LinuxPackageName;
  readonly binary: string;
  readonly arch: LinuxArch;
  /** Package version (default: package.json's). */
  readonly version?: string;
  readonly outDir: string;
  readonly formats: readonly LinuxFormat[];
  /** .deb payload compression: xz installs everywhere; zstd (dpkg >= 1.21.18) is 30× faster to build. */
  readonly debCompression?: 'xz' | 'zstd' | 'gzip';
}

const DEB_ARCH: Record<LinuxArch, string> = { x64: 'amd64', arm64: 'arm64' };
const RPM_ARCH: Record<LinuxArch, string> = { x64: 'x86_64', arm64: 'aarch64' };

/**
 * A maintainer script: the shared functions, then the script body. Another package's scripts (`dir`) get the agent's
 * common.sh first (root detection, systemctl helpers) and their own common.sh after it.
 */
async function maintainerScript(body: string, dir = join(LINUX, 'scripts')): Promise<string> {
  const agentCommon = await readFile(join(LINUX, 'scripts/common.sh'), 'utf8');
  const common = dir === join(LINUX, 'scripts') ? agentCommon : `${agentCommon}\n${await readFile(join(dir, 'common.sh'), 'utf8')}`;
  const main = await readFile(join(dir, body), 'utf8');
  return `#!/bin/sh\nset -e\n${common}\n${main}`;
}

async function buildDeb(o: Required<PackageLinuxOptions>, work: string): Promise<string> {
  const name = o.package;
  const spec = DEB_SPECS[name];
  const root = join(work, `deb-${name}`);
  await mkdir(join(root, 'DEBIAN'), { recursive: true });
  await mkdir(join(root, 'usr/bin'), { recursive: true });
  await copyFile(o.binary, join(root, 'usr/bin', name));
  await chmod(join(root, 'usr/bin', name), 0o755);
  for (const [from, to] of spec.files) {
    await mkdir(dirname(join(root, to)), { recursive: true });
    await copyFile(from, join(root, to));
    await chmod(join(root, to), 0o644);
  }
  const installedKb = Math.ceil((await stat(o.binary)).size / 1024) + 8;
  const control = [
    `Package: ${name}`,
    `Version: ${o.version}`,
    `Architecture: ${DEB_ARCH[o.arch]}`,
    'Maintainer: Attaché maintainers <attache@invalid>',
    'Section: admin',
    'Priority: optional',
    // Node's official Linux builds need glibc 2.28 and the C++ runtime; nothing else (the endpoint's SQLite addon is
    // inside the executable and needs the same).
    'Depends: libc6 (>= 2.28), libstdc++6, libgcc-s1 | libgcc1',
    `Installed-Size: ${installedKb}`,
    `Description: ${spec.description.join('\n')}`,
    '',
  ].join('\n');
  await writeFile(join(root, 'DEBIAN/control'), control);
  for (const script of ['postinst', 'prerm', 'postrm']) {
    await writeFile(join(root, 'DEBIAN', script), await maintainerScript(script, spec.scriptsDir), { mode: 0o755 });
  }
  const out = join(o.outDir, `${name}_${o.version}_${DEB_ARCH[o.arch]}.deb`);
  const level = o.debCompression === 'xz' ? ['-z6'] : [];
  await run('dpkg-deb', ['--root-owner-group', `-Z${o.debCompression}`, ...level, '--build', root, out]);
  return out;
}

async function buildRpm(o: Required<PackageLinuxOptions>, work: string): Promise<string> {
  const stage = join(work, 'rpm-stage');
  await mkdir(stage, { recursive: true });
  await copyFile(o.binary, join(stage, 'attache-agent'));
  await copyFile(join(LINUX, 'attache-agent.service'), join(stage, 'attache-agent.service'));
  await copyFile(join(LINUX, 'restart-backoff.conf'), join(stage, 'restart-backoff.conf'));
  // rpm expands %-macros inside scriptlets: escape the shell's own % signs.
  const scriptlet = async (name: string) => (await maintainerScript(name)).replace(/^#!\/bin\/sh\n/, '').replaceAll('%', '%%');
  const [post, preun, postun] = (await Promise.all(['rpm-post', 'rpm-preun', 'rpm-postun'].map(scriptlet))) as [string, string, string];
  // Replacer functions: the shell's `$'`, `$&` … must not be read as replacement patterns.
  const spec = (await readFile(join(LINUX, 'attache-agent.spec.in'), 'utf8'))
    .replace('@VERSION@', o.version.replaceAll('-', '~'))
    .replace('@ARCH@', RPM_ARCH[o.arch])
    .replaceAll('@STAGE@', stage)
    .replace('@POST@', () => post)
    .replace('@PREUN@', () => preun)
    .replace('@POSTUN@', () => postun);
  const specFile = join(work, 'attache-agent.spec');
  await writeFile(specFile, spec);
  const top = join(work, 'rpmbuild');
  await run(
    'rpmbuild',
    [
      '-bb',
      '--target',
      `${RPM_ARCH[o.arch]}-linux`,
      '--define',
      `_topdir ${top}`,
      '--define',
      `_rpmdir ${o.outDir}`,
      '--define',
      '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm',
      // zstd level 3: 1 s instead of 44 s at the default level 19, for ~25 % more bytes (RPM >= 4.14: RHEL 8+).
      '--define',
      '_binary_payload w3.zstdio',
      specFile,
    ],
    { env: { ...process.env, HOME: work }, maxBuffer: 16 * 1024 * 1024 },
  );
  return join(o.outDir, `attache-agent-${o.version.replaceAll('-', '~')}-1.${RPM_ARCH[o.arch]}.rpm`);
}

async function buildTar(o: Required<PackageLinuxOptions>, work: string): Promise<string> {
  const name = `attache-agent-${o.version}-linux-${o.arch}`;
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  await copyFile(o.binary, join(dir, 'attache-agent'));
  await chmod(join(dir, 'attache-agent'), 0o755);
  for (const f of ['attache-agent.service', 'restart-backoff.conf', 'install.sh', 'uninstall.sh', 'scripts/common.sh']) {
    await copyFile(join(LINUX, f), join(dir, f.replace('scripts/', '')));
  }
  const out = join(o.outDir, `${name}.tar.gz`);
  await run('tar', ['-czf', out, '--owner=0', '--group=0', '-C', work, name]);
  return out;
}

/** Builds the requested Linux packages; returns their paths. */
export async function packageLinux(options: PackageLinuxOptions): Promise<string[]> {
  const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  const o: Required<PackageLinuxOptions> = {
    package: 'attache-agent',
    version: pkg.version,
    debCompression: 'xz',
    ...options,
    outDir: resolve(options.outDir),
  };
  const unsupported = o.formats.filter((f) => f !== 'deb' && !DEB_SPECS[o.package].otherFormats.includes(f));
  if (unsupported.length)
    throw new Error(
      `${o.package} is packaged as deb${DEB_SPECS[o.package].otherFormats.map((f) => `, ${f}`).join('')} only (asked for ${unsupported.join(', ')})`,
    );
  await mkdir(o.outDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'attache-pkg-'));
  try {
    const out: string[] = [];
    if (o.formats.includes('deb')) out.push(await buildDeb(o, work));
    if (o.formats.includes('rpm')) out.push(await buildRpm(o, work));
    if (o.formats.includes('tar')) out.push(await buildTar(o, work));
    return out;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      package: { type: 'string', default: 'attache-agent' },
      arch: { type: 'string', default: 'x64' },
      binary: { type: 'string' },
      version: { type: 'string' },
      out: { type: 'string', default: 'dist/packages' },
      formats: { type: 'string', default: 'deb,rpm,tar' },
      'deb-compression': { type: 'string', default: 'xz' },
    },
  });
  const name = values.package;
  if (name !== 'attache-agent' && name !== 'attache-management') throw new Error(`--package must be attache-agent or attache-management (got ${name})`);
  if (values.arch !== 'x64' && values.arch !== 'arm64') throw new Error(`--arch must be x64 or arm64 (got ${values.arch})`);
  const formats = values.formats.split(',').map((f) => f.trim());
  const bad = formats.filter((f) => !['deb', 'rpm', 'tar'].includes(f));
  if (bad.length) throw new Error(`unknown format(s) ${bad.join(', ')}; known: deb, rpm, tar`);
  const compression = values['deb-compression'];
  if (compression !== 'xz' && compression !== 'zstd' && compression !== 'gzip') throw new Error(`--deb-compression must be xz, zstd or gzip`);
  const files = await packageLinux({
    package: name,
    arch: values.arch,
    binary: values.binary ?? `dist/bin/${name}-linux-${values.arch}`,
    outDir: values.out,
    formats: formats as LinuxFormat[],
    debCompression: compression,
    ...(values.version ? { version: values.version } : {}),
  });
  for (const f of files) process.stdout.write(`${f}\n`);
}

if (process.argv[1]?.endsWith('package-linux.ts')) {
  main().catch((err: unknown) => {
    process.stderr.write(`package-linux: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
