// updateSoftware's pure core (issue 18): which requested names may be handed to a package manager (each must match
// SOFTWARE_NAME_PATTERN and be in the device's fresh inventory with the source it was asked for), the exact argv of
// each manager, the manual steps where none can run, and the result: versions before and after and whether each
// package reached its fixed version by its own scheme's comparator (common/versions/).
import { AttacheError } from '../../../../common/errors.js';
import { compareVersions } from '../../../../common/versions/index.js';
import type { ActionParametersOf, ActionResultOf, SoftwareInventory, SoftwareItem } from '../../../../policy-schemas/src/index.js';
import { SOFTWARE_NAME_PATTERN } from '../../../../policy-schemas/src/index.js';

export type RequestedPackage = ActionParametersOf<'updateSoftware'>['packages'][number];
export type UpdateResult = ActionResultOf<'updateSoftware'>;
/** The managers that run; `manual` is only a result. */
export type PackageManager = 'apt' | 'dnf' | 'zypper' | 'winget';

const NAME = new RegExp(SOFTWARE_NAME_PATTERN, 'u');

/** The installed item a request names: same name, same source (the first, when multi-arch lists it twice). */
export function installedItem(inventory: SoftwareInventory, pkg: Pick<RequestedPackage, 'name' | 'source'>): SoftwareItem | undefined {
  return inventory.items.find((i) => i.name === pkg.name && i.source === pkg.source);
}

/**
 * Refuses (ACTION_INVALID, naming the package) before anything runs: a name a manager could read as an option or that
 * holds control characters, a name not installed with that source, and a request spanning two sources (one manager per
 * action: a recommendation is about one ecosystem).
 */
export function checkRequested(packages: readonly RequestedPackage[], inventory: SoftwareInventory): void {
  if (packages.length === 0) throw new AttacheError('ACTION_INVALID', 'updateSoftware: no package named');
  for (const pkg of packages) {
    const shown = JSON.stringify(pkg.name);
    if (!NAME.test(pkg.name)) throw new AttacheError('ACTION_INVALID', `updateSoftware: package name ${shown} is not a valid package name`);
    if (!installedItem(inventory, pkg)) throw new AttacheError('ACTION_INVALID', `updateSoftware: ${shown} (${pkg.source}) is not installed on this device`);
  }
  const sources = [...new Set(packages.map((p) => p.source))];
  if (sources.length > 1) throw new AttacheError('ACTION_INVALID', `updateSoftware: packages of several sources (${sources.join(', ')}) in one action`);
}

/** One process to run: absolute executable, argv, extra environment. */
export interface ManagerStep {
  readonly file: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Linux managers run in a process group of their own: a kill reaches dpkg/rpm too (CommandSpec.processGroup). */
  readonly processGroup?: boolean;
}

/**
 * dpkg's own conffile prompt is not silenced by DEBIAN_FRONTEND (review 18 M5): with stdin closed it fails "end of file
 * on stdin at conffile prompt" and leaves the package unconfigured. confdef takes the package's default where there is
 * one, confold keeps the admin's file otherwise (dpkg(1) --force-conf*); apt-get passes them on (apt-get(8) -o).
 */
export const DPKG_CONFFILE_OPTIONS = ['-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'] as const;

/**
 * dpkg's repair after an interruption (what apt-get itself asks for: "dpkg was interrupted, you must manually run
 * 'dpkg --configure -a'"): configures every unpacked package, with the same conffile answers as the update.
 */
export function dpkgRepairStep(dpkg: string): ManagerStep {
  return { file: dpkg, args: ['--force-confdef', '--force-confold', '--configure', '-a'], env: { DEBIAN_FRONTEND: 'noninteractive' }, processGroup: true };
}

/**
 * The exact commands (docs/vulnerabilities.md "On the device"). `--` ends the options before the names, so even a name
 * that passed the pattern can never be read as one; apt-get refreshes its lists first, non-interactive. Nothing may be
 * removed to make an upgrade fit: apt-get `--no-remove` aborts instead (`-y` alone agrees to removals); dnf removes
 * only with `--allowerasing` (not given); zypper's non-interactive answer to a solver problem is cancel. No new weak
 * dependencies either: dnf `install_weak_deps=False`, zypper `--no-recommends`.
 */
export function managerSteps(manager: PackageManager, executable: string, names: readonly string[]): ManagerStep[] {
  switch (manager) {
    case 'apt': {
      const env = { DEBIAN_FRONTEND: 'noninteractive' };
      return [
        { file: executable, args: ['update'], env, processGroup: true },
        { file: executable, args: [...DPKG_CONFFILE_OPTIONS, 'install', '--only-upgrade', '--no-remove', '-y', '--', ...names], env, processGroup: true },
      ];
    }
    case 'dnf':
      return [{ file: executable, args: ['upgrade', '-y', '--setopt=install_weak_deps=False', '--', ...names], processGroup: true }];
    case 'zypper':
      return [{ file: executable, args: ['--non-interactive', 'update', '--no-recommends', '--', ...names], processGroup: true }];
    case 'winget':
      // `--source winget` (review 18 L4): only the community repository takes part in the exact-name match, never the
      // msstore source or another source configured machine-wide (winget upgrade: "-s, --source: restricts the search").
      return names.map((name) => ({
        file: executable,
        args: [
          'upgrade',
          '--exact',
          '--name',
          name,
          '--source',
          'winget',
          '--silent',
          '--accept-package-agreements',
          '--accept-source-agreements',
          '--disable-interactivity',
        ],
      }));
  }
}

/** The manual steps where no package manager can run (macOS; Windows without winget). */
export function manualInstructions(platform: 'macos' | 'windows', names: readonly string[]): string {
  const listed = names.map((n) => JSON.stringify(n)).join(', ');
  const text =
    platform === 'macos'
      ? `Update ${listed} by hand on this Mac: App Store apps from the App Store's Updates page, other apps with their own updater or the vendor's newer installer (System Settings > General > Software Update for Apple's). The next software inventory shows the new versions.`
      : `winget (App Installer) is not available on this device: update ${listed} with the vendor's updater or newer installer, or install App Installer from the Microsoft Store so updateSoftware can run winget. The next software inventory shows the new versions.`;
  return text.slice(0, 2048);
}

/** The version an advisory's fixed version is about: dpkg advisories name the source package's version. */
function matchedVersion(item: SoftwareItem): string {
  return item.source === 'dpkg' ? (item.sourceVersion ?? item.version) : item.version;
}

/** Whether `after` reached the fix: ≥ fixedVersion by the item's scheme; without a fixed version, newer than before. */
export function isFixed(pkg: RequestedPackage, before: SoftwareItem | undefined, after: SoftwareItem | undefined): boolean {
  if (!after) return false;
  try {
    if (pkg.fixedVersion !== null) return compareVersions(after.scheme, matchedVersion(after), pkg.fixedVersion) >= 0;
    return before !== undefined && compareVersions(after.scheme, after.version, before.version) > 0;
  } catch {
    // An unparsable version is never called fixed by guess.
    return false;
  }
}

/** Each requested package's version before and after (null: not installed) and whether it is fixed now. */
export function updateResult(
  manager: UpdateResult['manager'],
  packages: readonly RequestedPackage[],
  before: SoftwareInventory,
  after: SoftwareInventory,
): UpdateResult {
  return {
    manager,
    packages: packages.map((pkg) => {
      const was = installedItem(before, pkg);
      const now = installedItem(after, pkg);
      return { name: pkg.name, before: was?.version ?? null, after: now?.version ?? null, fixed: isFixed(pkg, was, now) };
    }),
  };
}
