// updateSoftware at the command boundary: the exact argv of apt-get, dnf, zypper and winget with recorded outputs, the
// manager chosen by the item's source, a failing manager (failed, its output's tail, versions still reported), hostile
// or unlisted names refused before anything runs, cancellation killing the manager, and the manual steps.
import { describe, expect, it } from 'vitest';
import { AttacheError } from '../../../../common/errors.js';
import type { Platform, SoftwareInventory } from '../../../../policy-schemas/src/index.js';
import { finishSoftwareInventory, type RawSoftwareItem } from '../../inventory/software/software-inventory.js';
import { type CommandResult, type CommandSpec, ScriptedCommandRunner } from '../../system/command-runner.js';
import { ActionFailure, type SoftwareUpdateRequest } from '../response-host.js';
import { DPKG_UPDATES_DIR, LINUX_MANAGERS, nativeSoftwareUpdater, WINDOWS_APPS_DIR } from './native.js';

const APT_UPDATE =
  'Hit:1 http://deb.debian.org/debian bookworm InRelease\nGet:2 http://deb.debian.org/debian-security bookworm-security InRelease [48.0 kB]\nReading package lists...\n';
const APT_INSTALL = [
  'Reading package lists...',
  'Building dependency tree...',
  'The following packages will be upgraded:',
  '  libssl3 openssl',
  '2 upgraded, 0 newly installed, 0 to remove and 31 not upgraded.',
  'Setting up libssl3:amd64 (3.0.15-1~deb12u1) ...',
  'Setting up openssl (3.0.15-1~deb12u1) ...',
].join('\n');
const APT_LOCKED =
  'E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (unattended-upgr)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?\n';
const DNF_UPGRADE = 'Dependencies resolved.\nUpgrading:\n openssl   x86_64   1:3.0.7-27.el9   baseos   1.2 M\nComplete!\n';
const ZYPPER_UPDATE =
  'Loading repository data...\nReading installed packages...\nThe following package is going to be upgraded:\n  openssl-3\n1 package to upgrade.\n(1/1) Installing: openssl-3-3.1.4-150600.5.15.1.x86_64 [done]\n';
const WINGET_OK = 'Found 7-Zip [7zip.7zip] Version 24.08\nSuccessfully verified installer hash\nStarting package install...\nSuccessfully installed\n';

const deb = (version: string, sourceVersion?: string): RawSoftwareItem[] => [
  { name: 'libssl3', version, sourceName: 'openssl', sourceVersion, source: 'dpkg', scheme: 'dpkg' },
  { name: 'openssl', version, source: 'dpkg', scheme: 'dpkg' },
];
const inv = (items: RawSoftwareItem[]): SoftwareInventory =>
  finishSoftwareInventory({ os: { name: 'Debian GNU/Linux', version: '12' }, items }, '2026-12-05T00:00:00.000Z');

/** A request whose inventory is `before` until the manager ran, `after` from then on. */
function request(packages: SoftwareUpdateRequest['packages'], before: SoftwareInventory, after: SoftwareInventory, ran: () => boolean): SoftwareUpdateRequest {
  return { packages, inventory: async () => (ran() ? after : before) };
}

function files(present: string[], windowsApps: string[] = []) {
  return {
    mode: async (p: string) => (present.includes(p) ? 0o755 : undefined),
    list: async (d: string) => (d === WINDOWS_APPS_DIR ? windowsApps : []),
  };
}

function runner(answer: (spec: CommandSpec) => Partial<CommandResult> = () => ({})) {
  return new ScriptedCommandRunner(answer);
}

const argv = (calls: CommandSpec[]) => calls.map((c) => [c.file, ...c.args]);

async function failureOf(p: Promise<unknown>): Promise<AttacheError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AttacheError)) throw new Error(`expected an AttacheError, got ${String(err)}`);
  return err;
}

describe('updateSoftware on Linux', () => {
  it('dpkg: apt-get update, then install --only-upgrade -y, old conffiles kept, no removal -- names, non-interactive; fixed by the source version', async () => {
    const r = runner((s) => ({ stdout: s.args[0] === 'update' ? APT_UPDATE : APT_INSTALL }));
    const update = nativeSoftwareUpdater('linux', { runner: r, files: files([LINUX_MANAGERS.apt]) });
    const packages = [
      { name: 'libssl3', source: 'dpkg' as const, fixedVersion: '3.0.15-1~deb12u1' },
      { name: 'openssl', source: 'dpkg' as const, fixedVersion: '3.0.15-1~deb12u1' },
    ];
    const progress: number[] = [];
    const result = await update(
      request(packages, inv(deb('3.0.11-1~deb12u2')), inv(deb('3.0.15-1~deb12u1')), () => r.calls.length === 2),
      new AbortController().signal,
      (p) => progress.push(p),
    );
    expect(argv(r.calls)).toEqual([
      ['/usr/bin/apt-get', 'update'],
      [
        '/usr/bin/apt-get',
        '-o',
        'Dpkg::Options::=--force-confdef',
        '-o',
        'Dpkg::Options::=--force-confold',
        'install',
        '--only-upgrade',
        '--no-remove',
        '-y',
        '--',
        'libssl3',
        'openssl',
      ],
    ]);
    expect(r.calls.every((c) => c.env?.DEBIAN_FRONTEND === 'noninteractive' && c.signal !== undefined)).toBe(true);
    // A kill (cancel, timeout, agent stopping) reaches dpkg too, not only apt-get (review 18 M5).
    expect(r.calls.map((c) => c.processGroup)).toEqual([true, true]);
    expect(result).toEqual({
      manager: 'apt',
      packages: [
        { name: 'libssl3', before: '3.0.11-1~deb12u2', after: '3.0.15-1~deb12u1', fixed: true },
        { name: 'openssl', before: '3.0.11-1~deb12u2', after: '3.0.15-1~deb12u1', fixed: true },
      ],
    });
    expect(progress).toEqual([10, 50, 90]);
  });

  it('rpm: dnf where it is installed, else zypper; a package still below the fix is reported not fixed', async () => {
    const rpm = (v: string) => inv([{ name: 'openssl', version: v, source: 'rpm', scheme: 'rpm' }]);
    const packages = [{ name: 'openssl', source: 'rpm' as const, fixedVersion: '1:3.0.7-27.el9' }];
    const dnf = runner(() => ({ stdout: DNF_UPGRADE }));
    const viaDnf = await nativeSoftwareUpdater('linux', { runner: dnf, files: files([LINUX_MANAGERS.dnf, LINUX_MANAGERS.zypper]) })(
      request(packages, rpm('1:3.0.7-24.el9'), rpm('1:3.0.7-27.el9'), () => dnf.calls.length > 0),
      new AbortController().signal,
      () => undefined,
    );
    expect(argv(dnf.calls)).toEqual([['/usr/bin/dnf', 'upgrade', '-y', '--setopt=install_weak_deps=False', '--', 'openssl']]);
    expect(viaDnf).toEqual({ manager: 'dnf', packages: [{ name: 'openssl', before: '1:3.0.7-24.el9', after: '1:3.0.7-27.el9', fixed: true }] });

    const zypper = runner(() => ({ stdout: ZYPPER_UPDATE }));
    const viaZypper = await nativeSoftwareUpdater('linux', { runner: zypper, files: files([LINUX_MANAGERS.zypper]) })(
      request(packages, rpm('1:3.0.7-24.el9'), rpm('1:3.0.7-25.el9'), () => zypper.calls.length > 0),
      new AbortController().signal,
      () => undefined,
    );
    expect(argv(zypper.calls)).toEqual([['/usr/bin/zypper', '--non-interactive', 'update', '--no-recommends', '--', 'openssl']]);
    expect([...dnf.calls, ...zypper.calls].map((c) => c.processGroup)).toEqual([true, true]);
    expect(viaZypper.packages).toEqual([{ name: 'openssl', before: '1:3.0.7-24.el9', after: '1:3.0.7-25.el9', fixed: false }]);
  });

  it('a failing manager fails the action with the tail of its output, and still reports the versions', async () => {
    const r = runner((s) => (s.args[0] === 'update' ? { stdout: APT_UPDATE } : { code: 100, stderr: APT_LOCKED }));
    const update = nativeSoftwareUpdater('linux', { runner: r, files: files([LINUX_MANAGERS.apt]) });
    const before = inv(deb('3.0.11-1~deb12u2'));
    const err = await failureOf(
      update(
        request([{ name: 'openssl', source: 'dpkg', fixedVersion: '3.0.15-1~deb12u1' }], before, before, () => false),
        new AbortController().signal,
        () => undefined,
      ),
    );
    expect(err.code).toBe('SOFTWARE_UPDATE_FAILED');
    expect(err.message).toContain(' install --only-upgrade --no-remove -y -- openssl: exit 100: E: Could not get lock /var/lib/dpkg/lock-frontend.');
    expect(err.message).toContain('is another process using it?');
    expect((err as ActionFailure).result).toEqual({
      manager: 'apt',
      packages: [{ name: 'openssl', before: '3.0.11-1~deb12u2', after: '3.0.11-1~deb12u2', fixed: false }],
    });
  });

  it.each<[string, { afterInterruption?: boolean; updates?: string[] }]>([
    ['after an updateSoftware the agent was killed in', { afterInterruption: true }],
    ["when dpkg's updates dir holds journal entries", { updates: ['0000', '0001'] }],
  ])('runs dpkg --configure -a before apt-get %s, and says so (review 18 M5)', async (_when, state) => {
    const r = runner((s) => ({ stdout: s.args.includes('install') ? APT_INSTALL : APT_UPDATE }));
    const dir = (d: string) => (d === DPKG_UPDATES_DIR ? (state.updates ?? []) : []);
    const update = nativeSoftwareUpdater('linux', { runner: r, files: { ...files([LINUX_MANAGERS.apt]), list: async (d: string) => dir(d) } });
    const before = inv(deb('3.0.11-1~deb12u2'));
    const notices: string[] = [];
    await update(
      {
        ...request([{ name: 'openssl', source: 'dpkg', fixedVersion: null }], before, before, () => false),
        ...(state.afterInterruption ? { afterInterruption: true } : {}),
        notice: (m) => notices.push(m),
      },
      new AbortController().signal,
      () => undefined,
    );
    expect(argv(r.calls)[0]).toEqual(['/usr/bin/dpkg', '--force-confdef', '--force-confold', '--configure', '-a']);
    expect(r.calls[0]).toMatchObject({ env: { DEBIAN_FRONTEND: 'noninteractive' }, processGroup: true });
    expect(
      argv(r.calls)
        .slice(1)
        .map((a) => a[1]),
    ).toEqual(['update', '-o']);
    expect(notices).toEqual([expect.stringMatching(/dpkg was interrupted .*: running dpkg --configure -a/)]);
  });

  it('a failing dpkg --configure -a fails the action before apt-get runs', async () => {
    const r = runner(() => ({
      code: 2,
      stderr:
        'dpkg: error processing package openssl (--configure):\n installed openssl package post-installation script subprocess returned error exit status 1',
    }));
    const update = nativeSoftwareUpdater('linux', { runner: r, files: files([LINUX_MANAGERS.apt]) });
    const before = inv(deb('3.0.11-1~deb12u2'));
    const err = await failureOf(
      update(
        { ...request([{ name: 'openssl', source: 'dpkg', fixedVersion: null }], before, before, () => false), afterInterruption: true },
        new AbortController().signal,
        () => undefined,
      ),
    );
    expect(err.code).toBe('SOFTWARE_UPDATE_FAILED');
    expect(err.message).toContain('/usr/bin/dpkg --force-confdef --force-confold --configure -a: exit 2: dpkg: error processing package openssl');
    expect(r.calls).toHaveLength(1);
  });

  it('runs no dpkg --configure -a after a clean run, nor for dnf', async () => {
    const r = runner(() => ({}));
    const update = nativeSoftwareUpdater('linux', { runner: r, files: files([LINUX_MANAGERS.apt]) });
    const before = inv(deb('3.0.11-1~deb12u2'));
    await update(
      request([{ name: 'openssl', source: 'dpkg', fixedVersion: null }], before, before, () => false),
      new AbortController().signal,
      () => undefined,
    );
    expect(r.calls.map((c) => c.file)).toEqual(['/usr/bin/apt-get', '/usr/bin/apt-get']);
  });

  it.each([
    ['-o APT::Update::Pre-Invoke::=/bin/sh', /is not a valid package name/],
    ['openssl\nrm -rf /', /is not a valid package name/],
    ['openssl;reboot', /is not installed on this device/],
    ['bash', /"bash" \(dpkg\) is not installed/],
  ])('refuses %j before anything runs', async (name, message) => {
    const r = runner();
    const update = nativeSoftwareUpdater('linux', { runner: r, files: files([LINUX_MANAGERS.apt]) });
    const before = inv(deb('3.0.11-1~deb12u2'));
    const err = await failureOf(
      update(
        request([{ name, source: 'dpkg', fixedVersion: null }], before, before, () => false),
        new AbortController().signal,
        () => undefined,
      ),
    );
    expect(err.code).toBe('ACTION_INVALID');
    expect(err.message).toMatch(message);
    expect(r.calls).toEqual([]);
  });

  it('refuses a name installed from another source, and a device without the manager', async () => {
    const before = inv(deb('3.0.11-1~deb12u2'));
    const r = runner();
    const wrongSource = nativeSoftwareUpdater('linux', { runner: r, files: files([LINUX_MANAGERS.dnf]) });
    const err = await failureOf(
      wrongSource(
        request([{ name: 'openssl', source: 'rpm', fixedVersion: null }], before, before, () => false),
        new AbortController().signal,
        () => undefined,
      ),
    );
    expect(err.message).toMatch(/"openssl" \(rpm\) is not installed/);
    const noApt = nativeSoftwareUpdater('linux', { runner: r, files: files([]) });
    const none = await failureOf(
      noApt(
        request([{ name: 'openssl', source: 'dpkg', fixedVersion: null }], before, before, () => false),
        new AbortController().signal,
        () => undefined,
      ),
    );
    expect(none.code).toBe('ACTION_UNSUPPORTED');
    expect(r.calls).toEqual([]);
  });

  it('cancellation aborts the manager through the signal and ends the action with the abort reason', async () => {
    const controller = new AbortController();
    const r = runner((s) => {
      if (!s.args.includes('install')) return { stdout: APT_UPDATE };
      // What the runner sees when the signal kills the child: no exit code.
      controller.abort(new AttacheError('ACTION_INTERRUPTED', 'cancelled by admin'));
      return { code: null, stderr: '' };
    });
    const update = nativeSoftwareUpdater('linux', { runner: r, files: files([LINUX_MANAGERS.apt]) });
    const before = inv(deb('3.0.11-1~deb12u2'));
    const err = await failureOf(
      update(
        request([{ name: 'openssl', source: 'dpkg', fixedVersion: null }], before, before, () => false),
        controller.signal,
        () => undefined,
      ),
    );
    expect(err.code).toBe('ACTION_INTERRUPTED');
    expect(r.calls.map((c) => c.signal)).toEqual([controller.signal, controller.signal]);
  });
});

describe('updateSoftware on Windows and macOS', () => {
  const win = (v: string) =>
    finishSoftwareInventory(
      {
        os: { name: 'Windows 11 Pro', version: '10.0.22631' },
        items: [{ name: '7-Zip 23.01 (x64)', version: v, source: 'windowsRegistry', scheme: 'dotted' }],
      },
      '2026-12-05T00:00:00.000Z',
    );
  const app = 'Microsoft.DesktopAppInstaller_1.23.1911.0_x64__8wekyb3d8bbwe';
  const old = 'Microsoft.DesktopAppInstaller_1.21.3482.0_x64__8wekyb3d8bbwe';

  it('runs the newest App Installer winget once per package, with the exact argv', async () => {
    const winget = `${WINDOWS_APPS_DIR}\\${app}\\winget.exe`;
    const r = runner(() => ({ stdout: WINGET_OK }));
    const update = nativeSoftwareUpdater('windows', {
      runner: r,
      files: files([winget, `${WINDOWS_APPS_DIR}\\${old}\\winget.exe`], [old, app, 'Microsoft.WindowsTerminal_1.0']),
    });
    const result = await update(
      request([{ name: '7-Zip 23.01 (x64)', source: 'windowsRegistry', fixedVersion: '24.07' }], win('23.01'), win('24.08'), () => r.calls.length > 0),
      new AbortController().signal,
      () => undefined,
    );
    expect(argv(r.calls)).toEqual([
      [
        winget,
        'upgrade',
        '--exact',
        '--name',
        '7-Zip 23.01 (x64)',
        '--source',
        'winget',
        '--silent',
        '--accept-package-agreements',
        '--accept-source-agreements',
        '--disable-interactivity',
      ],
    ]);
    expect(result).toEqual({ manager: 'winget', packages: [{ name: '7-Zip 23.01 (x64)', before: '23.01', after: '24.08', fixed: true }] });
  });

  it.each<[Platform, RegExp]>([
    ['windows', /winget \(App Installer\) is not available on this device: update "7-Zip 23\.01 \(x64\)"/],
    ['macos', /Update "7-Zip 23\.01 \(x64\)" by hand on this Mac/],
  ])('%s without a package manager fails ACTION_UNSUPPORTED with the manual steps as the result', async (platform, text) => {
    const r = runner();
    const update = nativeSoftwareUpdater(platform, { runner: r, files: files([]) });
    const err = await failureOf(
      update(
        request([{ name: '7-Zip 23.01 (x64)', source: 'windowsRegistry', fixedVersion: null }], win('23.01'), win('23.01'), () => false),
        new AbortController().signal,
        () => undefined,
      ),
    );
    expect(err).toBeInstanceOf(ActionFailure);
    expect(err.code).toBe('ACTION_UNSUPPORTED');
    expect(err.message).toMatch(text);
    const result = (err as ActionFailure).result as { manager: string; instructions: string };
    expect(result.manager).toBe('manual');
    expect(result.instructions).toMatch(text);
    expect(r.calls).toEqual([]);
  });
});
