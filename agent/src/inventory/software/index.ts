// The software collector of a platform (the platform itself is decided once, in platform/index.ts, and passed in here
// as a value, as actions/scan/ takes it): dpkg/rpm on Linux, the registry script on Windows, bundles and receipts on
// macOS. The simulated collector (simulated.ts) is chosen by whoever holds a SimulatedHost.
import type { Clock } from '../../../../common/clock.js';
import type { Platform } from '../../../../policy-schemas/src/index.js';
import type { AgentHost } from '../../platform/index.js';
import type { CommandRunner } from '../../system/command-runner.js';
import type { FileStore } from '../../system/file-store.js';
import { LinuxSoftwareCollector } from './linux.js';
import { MacosSoftwareCollector } from './macos.js';
import { SimulatedSoftwareCollector } from './simulated.js';
import type { SoftwareCollector } from './software-inventory.js';
import { WindowsSoftwareCollector } from './windows.js';

export type { SoftwareCollector } from './software-inventory.js';

/** The host's collector: its simulated software when it is a simulated host, otherwise the real collector of its platform. */
export function softwareCollectorFor(
  host: Pick<AgentHost, 'platform' | 'simulated'>,
  deps: { readonly runner: CommandRunner; readonly files: Pick<FileStore, 'read'>; readonly clock: Pick<Clock, 'now'> },
): SoftwareCollector | undefined {
  // A simulated host without a software profile lists none (and refuses updateSoftware).
  if (host.simulated) return host.simulated.software ? new SimulatedSoftwareCollector(host.simulated, deps.clock) : undefined;
  return createSoftwareCollector(host.platform, deps);
}

/** The real collector of `platform`. */
export function createSoftwareCollector(
  platform: Platform,
  deps: { readonly runner: CommandRunner; readonly files: Pick<FileStore, 'read'>; readonly clock: Pick<Clock, 'now'> },
): SoftwareCollector {
  switch (platform) {
    case 'linux':
      return new LinuxSoftwareCollector(deps);
    case 'windows':
      return new WindowsSoftwareCollector(deps);
    case 'macos':
      return new MacosSoftwareCollector(deps);
  }
}
