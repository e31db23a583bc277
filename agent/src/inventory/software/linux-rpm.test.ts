// The Linux collector against the real rpm: empty packages built here with rpmbuild under Rocky Linux 9 names and
// versions, registered in a scratch database (`--dbpath`, `--justdb`: nothing is installed on this machine), then listed
// through RPM_QUERY_FORMAT. rpmbuild comes with Debian's `rpm` package (test/system-tools-setup.ts installs it).
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../../common/validation.js';
import { SoftwareInventory } from '../../../../policy-schemas/src/index.js';
import { type CommandSpec, describeFailure, NodeCommandRunner } from '../../system/command-runner.js';
import { MemoryFileStore } from '../../system/file-store.js';
import { LinuxSoftwareCollector } from './linux.js';

const runner = new NodeCommandRunner();
const clock = { now: () => Date.UTC(2026, 11, 5, 12, 0, 0) };

interface Fixture {
  readonly name: string;
  readonly epoch?: number;
  readonly version: string;
  readonly release: string;
  readonly arch: 'x86_64' | 'noarch';
  readonly vendor?: string;
}

const ROCKY = 'Rocky Enterprise Software Foundation';
const FIXTURES: readonly Fixture[] = [
  { name: 'openssl', epoch: 1, version: '3.0.7', release: '24.el9', arch: 'x86_64', vendor: ROCKY },
  { name: 'tzdata', version: '2023c', release: '1.el9', arch: 'noarch', vendor: ROCKY },
  { name: 'local-tool', version: '1.0', release: '1', arch: 'x86_64' },
];

function spec(f: Fixture): string {
  const lines = [`Name: ${f.name}`, `Version: ${f.version}`, `Release: ${f.release}`, 'Summary: fixture', 'License: MIT'];
  if (f.epoch !== undefined) lines.push(`Epoch: ${f.epoch}`);
  if (f.vendor !== undefined) lines.push(`Vendor: ${f.vendor}`);
  if (f.arch === 'noarch') lines.push('BuildArch: noarch');
  return `${lines.join('\n')}\n%description\nfixture\n%files\n`;
}

async function run(command: CommandSpec): Promise<void> {
  const result = await runner.run(command);
  if (result.code !== 0) throw new Error(`test set-up: ${describeFailure(command, result)}`);
}

describe('LinuxSoftwareCollector with the real rpm', () => {
  let top: string;
  let dbpath: string;
  beforeAll(async () => {
    top = await mkdtemp(join(tmpdir(), 'attache-rpm-'));
    dbpath = join(top, 'db');
    await mkdir(join(top, 'SPECS'), { recursive: true });
    for (const f of FIXTURES) {
      const file = join(top, 'SPECS', `${f.name}.spec`);
      await writeFile(file, spec(f));
      await run({ file: 'rpmbuild', args: ['--define', `_topdir ${top}`, '--target', 'x86_64', '-bb', file], timeoutMs: 60_000 });
    }
    const rpms: string[] = [];
    for (const arch of ['x86_64', 'noarch']) {
      const dir = join(top, 'RPMS', arch);
      for (const name of await readdir(dir).catch(() => [])) rpms.push(join(dir, name));
    }
    await run({ file: 'rpm', args: ['-i', '--dbpath', dbpath, '--justdb', '--nodeps', '--ignorearch', ...rpms], timeoutMs: 60_000 });
  });
  afterAll(async () => {
    await rm(top, { recursive: true, force: true });
  });

  it('reads epoch:version-release, the architecture and the vendor, (none) as absent', async () => {
    // dpkg-query over an empty database directory: installed here, lists nothing.
    const collector = new LinuxSoftwareCollector({ runner, files: new MemoryFileStore(), clock, rpmDbpath: dbpath, dpkgAdmindir: join(top, 'SPECS') });
    const inv = validate(SoftwareInventory, await collector.collect(), 'software inventory');
    expect(inv.items).toEqual([
      { name: 'local-tool', version: '1.0-1', architecture: 'x86_64', source: 'rpm', scheme: 'rpm' },
      { name: 'openssl', version: '1:3.0.7-24.el9', architecture: 'x86_64', vendor: ROCKY, source: 'rpm', scheme: 'rpm' },
      { name: 'tzdata', version: '2023c-1.el9', architecture: 'noarch', vendor: ROCKY, source: 'rpm', scheme: 'rpm' },
    ]);
    expect(inv.truncated).toBe(false);
  });
});
