// Installed packages on Linux: the dpkg database through `dpkg-query -W` and the rpm database through `rpm -qa`, each
// with a constant output format (argv only), both when both are installed (Debian with rpm for alien packages, SUSE
// with dpkg). Versions keep the exact string the tool prints; the OS name and version come from os-release.
import type { Clock } from '../../../../common/clock.js';
import { isoNow } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import type { SoftwareInventory } from '../../../../policy-schemas/src/index.js';
import type { CommandRunner, CommandSpec } from '../../system/command-runner.js';
import type { FileStore } from '../../system/file-store.js';
import { finishSoftwareInventory, type RawSoftwareItem, runListing, type SoftwareCollector } from './software-inventory.js';

/**
 * One line per package. `${Version}` prints `[epoch:]upstream[-revision]` with the epoch only when non-zero;
 * `${source:Package}` / `${source:Version}` (dpkg ≥ 1.16.2) the source package and version, which Debian and Ubuntu
 * advisories name. The maintainer is last: it is free text, so a tab inside it stays in it. `${Status}` is
 * "want flag state"; the state decides whether the package's files are on disk.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax, deliberately not a template
export const DPKG_QUERY_FORMAT = '${Status}\\t${Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\t${Maintainer}\\n';

/** rpm prints `(none)` for an unset tag; the vendor is last for the same reason as dpkg's maintainer. */
export const RPM_QUERY_FORMAT = '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{VENDOR}\\n';

/** dpkg states in which the package is not (or no longer) on disk: removed with its config kept, or never installed. */
const DPKG_ABSENT_STATES = new Set(['not-installed', 'config-files']);

const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 120_000;

/** The exact `dpkg-query` process (`admindir`: another dpkg database, as the tests use). */
export function dpkgQueryCommand(admindir?: string, timeoutMs = DEFAULT_TIMEOUT_MS, signal?: AbortSignal): CommandSpec {
  const args = ['-W', `-f=${DPKG_QUERY_FORMAT}`, ...(admindir === undefined ? [] : ['--admindir', admindir])];
  return { file: 'dpkg-query', args, timeoutMs, maxOutputBytes: MAX_OUTPUT_BYTES, ...(signal ? { signal } : {}) };
}

/** The exact `rpm` process (`dbpath`: another rpm database). */
export function rpmQueryCommand(dbpath?: string, timeoutMs = DEFAULT_TIMEOUT_MS, signal?: AbortSignal): CommandSpec {
  const args = ['-qa', '--qf', RPM_QUERY_FORMAT, ...(dbpath === undefined ? [] : ['--dbpath', dbpath])];
  return { file: 'rpm', args, timeoutMs, maxOutputBytes: MAX_OUTPUT_BYTES, ...(signal ? { signal } : {}) };
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** Parses DPKG_QUERY_FORMAT output; packages whose files are not on disk and lines of another shape are left out. */
export function parseDpkgQuery(text: string): RawSoftwareItem[] {
  const items: RawSoftwareItem[] = [];
  for (const line of lines(text)) {
    const [status, name, version, architecture, sourceName, sourceVersion, ...maintainer] = line.split('\t');
    const state = status?.split(' ')[2];
    if (name === undefined || version === undefined || state === undefined || maintainer.length === 0 || DPKG_ABSENT_STATES.has(state)) continue;
    items.push({ name, version, architecture, sourceName, sourceVersion, vendor: maintainer.join('\t'), source: 'dpkg', scheme: 'dpkg' });
  }
  return items;
}

const unset = (value: string | undefined): string | undefined => (value === '(none)' ? undefined : value);

/**
 * Parses RPM_QUERY_FORMAT output into `[epoch:]version-release`. `gpg-pubkey` entries are the imported signing keys
 * rpm lists as pseudo-packages, not software.
 */
export function parseRpmQuery(text: string): RawSoftwareItem[] {
  const items: RawSoftwareItem[] = [];
  for (const line of lines(text)) {
    const [name, epoch, version, release, architecture, ...vendor] = line.split('\t');
    if (name === undefined || version === undefined || release === undefined || vendor.length === 0 || name === 'gpg-pubkey') continue;
    const e = unset(epoch);
    items.push({
      name,
      version: `${e === undefined ? '' : `${e}:`}${version}-${release}`,
      architecture: unset(architecture),
      vendor: unset(vendor.join('\t')),
      source: 'rpm',
      scheme: 'rpm',
    });
  }
  return items;
}

/** os-release(5): KEY=value lines, values optionally quoted with shell-style backslash escapes inside double quotes. */
export function parseOsRelease(text: string): SoftwareInventory['os'] {
  const fields = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(raw.trim());
    if (!m?.[1] || m[2] === undefined) continue;
    const value = m[2];
    const quoted = /^"(.*)"$/.exec(value) ?? /^'(.*)'$/.exec(value);
    fields.set(m[1], quoted?.[1] !== undefined ? quoted[1].replace(/\\(["\\$`])/g, '$1') : value);
  }
  const build = fields.get('BUILD_ID');
  return { name: fields.get('NAME') ?? 'Linux', version: fields.get('VERSION_ID') ?? '', ...(build ? { build } : {}) };
}

export interface LinuxSoftwareDeps {
  readonly runner: CommandRunner;
  readonly files: Pick<FileStore, 'read'>;
  readonly clock: Pick<Clock, 'now'>;
  /** Another dpkg database (`--admindir`); default the system's. */
  readonly dpkgAdmindir?: string;
  /** Another rpm database (`--dbpath`); default the system's. */
  readonly rpmDbpath?: string;
  readonly timeoutMs?: number;
  /** Tried in order (os-release(5)); default /etc/os-release, then /usr/lib/os-release. */
  readonly osReleasePaths?: readonly string[];
}

/** Lists dpkg and rpm packages; SOFTWARE_INVENTORY_FAILED when neither tool is installed or one fails. */
export class LinuxSoftwareCollector implements SoftwareCollector {
  constructor(private readonly deps: LinuxSoftwareDeps) {}

  async collect(signal?: AbortSignal): Promise<SoftwareInventory> {
    const { runner, dpkgAdmindir, rpmDbpath, timeoutMs } = this.deps;
    const dpkg = await runListing(runner, dpkgQueryCommand(dpkgAdmindir, timeoutMs, signal));
    const rpm = await runListing(runner, rpmQueryCommand(rpmDbpath, timeoutMs, signal));
    if (dpkg === undefined && rpm === undefined) {
      throw new AttacheError('SOFTWARE_INVENTORY_FAILED', 'software inventory: neither dpkg-query nor rpm is installed');
    }
    const items = [...(dpkg ? parseDpkgQuery(dpkg.text) : []), ...(rpm ? parseRpmQuery(rpm.text) : [])];
    const os = await this.os();
    return finishSoftwareInventory({ os, items, partial: dpkg?.partial === true || rpm?.partial === true }, isoNow(this.deps.clock));
  }

  private async os(): Promise<SoftwareInventory['os']> {
    for (const path of this.deps.osReleasePaths ?? ['/etc/os-release', '/usr/lib/os-release']) {
      const text = await this.deps.files.read(path);
      if (text !== undefined) return parseOsRelease(text);
    }
    return { name: 'Linux', version: '' };
  }
}
