// The software collector of a simulated host (issue 18): its SimulatedSoftware list through the same finishing step as
// the real collectors (bounds, order, cap, digest). Hosts of one profile that nothing updated share one finished
// inventory (only collectedAt differs), so a fleet does not sort and hash the same list once per host.
import { type Clock, isoNow } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import type { SoftwareInventory } from '../../../../policy-schemas/src/index.js';
import type { SimulatedHost } from '../../hosts/simulated-host.js';
import type { SharedSoftware } from '../../hosts/simulated-software.js';
import { finishSoftwareInventory, type SoftwareCollector } from './software-inventory.js';

const finishedShared = new WeakMap<SharedSoftware, SoftwareInventory>();

export class SimulatedSoftwareCollector implements SoftwareCollector {
  constructor(
    private readonly host: Pick<SimulatedHost, 'software' | 'hostname'>,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  async collect(signal?: AbortSignal): Promise<SoftwareInventory> {
    if (signal?.aborted) throw signal.reason;
    const software = this.host.software;
    if (!software) throw new AttacheError('SOFTWARE_INVENTORY_FAILED', `software inventory: the simulated host ${this.host.hostname} lists no software`);
    const collectedAt = isoNow(this.clock);
    if (software.modified) return finishSoftwareInventory({ os: software.os, items: software.items() }, collectedAt);
    let shared = finishedShared.get(software.shared);
    if (!shared) {
      shared = finishSoftwareInventory({ os: software.os, items: software.shared.packages }, collectedAt);
      finishedShared.set(software.shared, shared);
    }
    return { ...shared, collectedAt };
  }
}
