// updateSoftware on a real device (issue 18): the package manager of the requested packages' source, found at its
// absolute path (a service's PATH is not trusted), run with argv only through the command runner, killed when the
// action's signal aborts; the names are checked against a fresh inventory first and the versions read from another
// one after. macOS, and Windows without winget, fail ACTION_UNSUPPORTED with the manual steps in the result.
import { win32 } from 'node:path';
import { AttacheError } from '../../../../common/errors.js';
import { compareVersions } from '../../../../common/versions/index.js';
import type { Platform, SoftwareInventory } from '../../../../policy-schemas/src/index.js';
import type { CommandResult, CommandRunner } from '../../system/command-runner.js';
import type { FileStore } from '../../system/file-store.js';
import { ActionFailure, type ProgressSink, type SoftwareUpdateRequest } from '../response-host.js';
import {
  checkRequested,
  dpkgRepairStep,
  type ManagerStep,
  managerSteps,
  manualInstructions,
  type PackageManager,
  type UpdateResult,
  updateResult,
} from './plan.js';

/** Where the managers are installed (Debian/Ubuntu, Fedora/RHEL family, SUSE). */
export const LINUX_MANAGERS = { apt: '/usr/bin/apt-get', dnf: '/usr/bin/dnf', zypper: '/usr/bin/zypper' } as const;
export const DPKG = '/usr/bin/dpkg';
/** dpkg's journal of a run in progress: entries left here mean dpkg was interrupted (apt-get then refuses to run). */
export const DPKG_UPDATES_DIR = '/var/lib/dpkg/updates';
/**
 * winget for the SYSTEM account (which has no per-user WindowsApps alias): the App Installer package's folder under
 * %ProgramFiles%\WindowsApps, named Microsoft.DesktopAppInstaller_<version>_<arch>__8wekyb3d8bbwe; the newest wins.
 */
export const WINDOWS_APPS_DIR = 'C:\\Program Files\\WindowsApps';
const APP_INSTALLER = /^Microsoft\.DesktopAppInstaller_(\d+(?:\.\d+)*)_(x64|arm64|x86)__8wekyb3d8bbwe$/;

/** A package manager may download and unpack for a long time; killed after this. */
export const UPDATE_TIMEOUT_MS = 30 * 60_000;
const MAX_OUTPUT_BYTES = 1024 * 1024;
const TAIL_CHARS = 1_000;

export interface NativeSoftwareUpdateDeps {
  readonly runner: CommandRunner;
  readonly files: Pick<FileStore, 'mode' | 'list'>;
}

/** The manager and where it is, or undefined when the device has none for these packages. */
interface Located {
  readonly manager: PackageManager;
  readonly executable: string;
}

const present = async (files: NativeSoftwareUpdateDeps['files'], path: string) => (await files.mode(path).catch(() => undefined)) !== undefined;

/** The newest App Installer's winget.exe, or undefined (no App Installer, or the folder is not readable). */
export async function locateWinget(files: NativeSoftwareUpdateDeps['files']): Promise<string | undefined> {
  const names = await files.list(WINDOWS_APPS_DIR).catch(() => [] as string[]);
  const versions = names.flatMap((n) => {
    const m = APP_INSTALLER.exec(n);
    return m?.[1] ? [{ dir: n, version: m[1] }] : [];
  });
  versions.sort((a, b) => compareVersions('dotted', b.version, a.version));
  for (const { dir } of versions) {
    const exe = win32.join(WINDOWS_APPS_DIR, dir, 'winget.exe');
    if (await present(files, exe)) return exe;
  }
  return undefined;
}

async function locate(platform: Platform, source: string, files: NativeSoftwareUpdateDeps['files']): Promise<Located | undefined> {
  if (platform === 'linux' && source === 'dpkg')
    return (await present(files, LINUX_MANAGERS.apt)) ? { manager: 'apt', executable: LINUX_MANAGERS.apt } : undefined;
  if (platform === 'linux' && source === 'rpm') {
    if (await present(files, LINUX_MANAGERS.dnf)) return { manager: 'dnf', executable: LINUX_MANAGERS.dnf };
    if (await present(files, LINUX_MANAGERS.zypper)) return { manager: 'zypper', executable: LINUX_MANAGERS.zypper };
    return undefined;
  }
  if (platform === 'windows' && source === 'windowsRegistry') {
    const winget = await locateWinget(files);
    return winget ? { manager: 'winget', executable: winget } : undefined;
  }
  return undefined;
}

/** The last lines of what the manager printed (its error is at the end: `E: …`, `Error: …`). */
function tail(result: CommandResult): string {
  const text = (result.stderr.trim() || result.stdout.trim()).slice(-TAIL_CHARS);
  return text.replace(/\s*\n\s*/g, ' | ');
}

function failure(step: ManagerStep, result: CommandResult): string | undefined {
  const what = [step.file, ...step.args].join(' ');
  if (result.spawnError) return `${what}: cannot start (${result.spawnError})`;
  if (result.timedOut) return `${what}: timed out after ${UPDATE_TIMEOUT_MS / 60_000} min`;
  if (result.code !== 0) return `${what}: exit ${result.code}${tail(result) ? `: ${tail(result)}` : ''}`;
  return undefined;
}

/**
 * `dpkg --configure -a` first when dpkg was interrupted: by the agent's own kill of an earlier updateSoftware (the
 * ledger says so), or by anything else (its journal is not empty). Said in the agent's log; a failure fails the action.
 */
async function repairSteps(manager: PackageManager, request: SoftwareUpdateRequest, files: NativeSoftwareUpdateDeps['files']): Promise<ManagerStep[]> {
  if (manager !== 'apt') return [];
  const journal = await files.list(DPKG_UPDATES_DIR).catch(() => [] as string[]);
  if (!request.afterInterruption && journal.length === 0) return [];
  const why = request.afterInterruption ? 'an earlier updateSoftware was cut short by an agent restart' : `${DPKG_UPDATES_DIR} is not empty`;
  request.notice?.(`dpkg was interrupted (${why}): running dpkg --configure -a before apt-get`);
  return [dpkgRepairStep(DPKG)];
}

/** updateSoftware of a real device of `platform` (ResponseHost.updateSoftware). */
export function nativeSoftwareUpdater(
  platform: Platform,
  deps: NativeSoftwareUpdateDeps,
): (request: SoftwareUpdateRequest, signal: AbortSignal, progress: ProgressSink) => Promise<UpdateResult> {
  return async (request, signal, progress) => {
    const names = request.packages.map((p) => p.name);
    const source = request.packages[0]?.source ?? 'os';
    const located = platform === 'macos' ? undefined : await locate(platform, source, deps.files);
    if (!located && (platform === 'macos' || source === 'windowsRegistry')) {
      const instructions = manualInstructions(platform === 'macos' ? 'macos' : 'windows', names);
      throw new ActionFailure('ACTION_UNSUPPORTED', `updateSoftware: ${instructions}`, { manager: 'manual', packages: [], instructions });
    }
    const before: SoftwareInventory = await request.inventory(signal);
    checkRequested(request.packages, before);
    if (!located) throw new AttacheError('ACTION_UNSUPPORTED', `updateSoftware: no package manager for ${source} packages on this ${platform} device`);
    progress(10);
    const steps = [...(await repairSteps(located.manager, request, deps.files)), ...managerSteps(located.manager, located.executable, names)];
    const failures: string[] = [];
    for (const [i, step] of steps.entries()) {
      const result = await deps.runner.run({ ...step, signal, timeoutMs: UPDATE_TIMEOUT_MS, maxOutputBytes: MAX_OUTPUT_BYTES });
      if (signal.aborted) throw signal.reason;
      const failed = failure(step, result);
      if (failed) failures.push(failed);
      // apt-get install after a failed apt-get update, or one dnf/zypper run: nothing more to try. winget: each package alone.
      if (failed && located.manager !== 'winget') break;
      progress(10 + Math.floor((80 * (i + 1)) / steps.length));
    }
    const result = updateResult(located.manager, request.packages, before, await request.inventory(signal));
    if (failures.length > 0) throw new ActionFailure('SOFTWARE_UPDATE_FAILED', `updateSoftware: ${failures.join('; ')}`.slice(0, 2048), result);
    return result;
  };
}
