// The parameters of an updateSoftware action from its request (docs/actions.md "updateSoftware"): every name must be in
// the device's last software upload (the source is taken from it), and a dpkg source-package name (what Debian and
// Ubuntu advisories name: openssl) also stands for every binary package of the device built from it (libssl3).
import { AttacheError } from '../../../../common/errors.js';
import { SOFTWARE_NAME_PATTERN, type SoftwareSource } from '../../../../policy-schemas/src/index.js';
import type { StoredPackage, VulnerabilityStore } from '../../store/vulnerability-store.js';

/** What this needs of the vulnerability store: the device's last upload and its packages. */
export type SoftwareReader = Pick<VulnerabilityStore, 'getDeviceSoftware' | 'packagesByIds'>;

/** One package of an updateSoftware action, as the device receives it. */
export interface UpdatePackage {
  readonly name: string;
  readonly source: SoftwareSource;
  readonly fixedVersion: string | null;
}

/** As many packages as the action's parameters allow (policy-schemas ActionParameters.updateSoftware). */
export const MAX_UPDATE_PACKAGES = 100;

const NAME = new RegExp(SOFTWARE_NAME_PATTERN, 'u');

/**
 * The device's packages a requested name stands for: the package of that name, and every dpkg binary package built from
 * a source package of that name (openssl → openssl, libssl3, libssl-dev: upgraded together, as apt must anyway).
 * OS items (`os` source: Windows builds, macOS versions) are not updated by a package manager.
 */
function packagesNamed(installed: readonly StoredPackage[], name: string): StoredPackage[] {
  return installed.filter((p) => p.source !== 'os' && (p.name === name || (p.source === 'dpkg' && p.matchedName === name)));
}

/**
 * The packages of an updateSoftware action for `deviceId`. CONFLICT when the device never uploaded software;
 * ACTION_INVALID naming the first requested name it does not have, or an installed name no package manager may be given.
 */
export async function updatePackages(
  software: SoftwareReader,
  deviceId: string,
  requested: readonly { readonly name: string; readonly fixedVersion?: string | null | undefined }[],
): Promise<UpdatePackage[]> {
  const upload = await software.getDeviceSoftware(deviceId);
  if (!upload) {
    throw new AttacheError('CONFLICT', `device ${deviceId} has not uploaded its software inventory yet: no package can be checked, nothing was queued`);
  }
  const installed = await software.packagesByIds(upload.packageIds);
  const out = new Map<string, UpdatePackage>();
  for (const [i, want] of requested.entries()) {
    const found = packagesNamed(installed, want.name);
    if (found.length === 0) {
      const cut = upload.truncated ? ' (that upload was truncated)' : '';
      throw new AttacheError(
        'ACTION_INVALID',
        `packages/${i}/name: "${want.name}" is not in device ${deviceId}'s last software inventory (collected ${upload.collectedAt})${cut}`,
      );
    }
    for (const p of found) {
      if (!NAME.test(p.name))
        throw new AttacheError('ACTION_INVALID', `packages/${i}/name: installed package name ${JSON.stringify(p.name)} cannot be given to a package manager`);
      out.set(`${p.source}\u0000${p.name}`, { name: p.name, source: p.source, fixedVersion: want.fixedVersion ?? null });
    }
  }
  if (out.size > MAX_UPDATE_PACKAGES) {
    throw new AttacheError(
      'ACTION_INVALID',
      `packages: the names stand for ${out.size} installed packages, more than the ${MAX_UPDATE_PACKAGES} one action may carry`,
    );
  }
  return [...out.values()];
}
