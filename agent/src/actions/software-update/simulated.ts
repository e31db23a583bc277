// updateSoftware on a simulated host (issue 18): the same checks as on a real device (names against the fresh
// inventory, SOFTWARE_NAME_PATTERN), then each package is "installed" at its fixed version (or a bump of its version
// when the advisory names none) in the host's SimulatedSoftware, copy-on-write, and the result read from a fresh
// inventory as the native runner does. Injected failures (failActions) are the responder's, before anything changes.
import type { SoftwareItem } from '../../../../policy-schemas/src/index.js';
import type { SimulatedHost } from '../../hosts/simulated-host.js';
import type { ProgressSink, SoftwareUpdateRequest } from '../response-host.js';
import { checkRequested, installedItem, type UpdateResult, updateResult } from './plan.js';

/**
 * A version newer than `version` under `scheme`: a plain SemVer's next patch; otherwise `.1` appended, which is newer
 * for dpkg, rpm and dotted versions and for a SemVer pre-release (one more identifier).
 */
export function bumpVersion(version: string, scheme: SoftwareItem['scheme']): string {
  if (version === '') return '1';
  const plain = scheme === 'semver' ? /^(\d+)\.(\d+)\.(\d+)$/.exec(version) : null;
  return plain ? `${plain[1]}.${plain[2]}.${Number(plain[3]) + 1}` : `${version}.1`;
}

/** ResponseHost.updateSoftware of a simulated host. */
export async function simulatedSoftwareUpdate(
  host: Pick<SimulatedHost, 'software'>,
  request: SoftwareUpdateRequest,
  signal: AbortSignal,
  progress: ProgressSink,
): Promise<UpdateResult> {
  const before = await request.inventory(signal);
  checkRequested(request.packages, before);
  progress(10);
  const software = host.software;
  for (const pkg of request.packages) {
    if (signal.aborted) throw signal.reason;
    const item = installedItem(before, pkg);
    if (!software || !item) continue;
    software.update(pkg.name, pkg.source, pkg.fixedVersion ?? bumpVersion(item.version, item.scheme));
  }
  progress(90);
  return updateResult('simulated', request.packages, before, await request.inventory(signal));
}
