// Installed software of a simulated device (issue 18): one package list shared by every host of a scenario profile
// (thousands of hosts hold one array, not thousands of copies), and per host only the packages its updateSoftware
// actions changed (copy-on-write). The simulated collector (inventory/software/simulated.ts) lists it.
import type { SoftwareInventory, SoftwareItem } from '../../../policy-schemas/src/index.js';

/** What the hosts of one profile share: the OS the inventory states and the installed packages. */
export interface SharedSoftware {
  readonly os: SoftwareInventory['os'];
  readonly packages: readonly SoftwareItem[];
}

export class SimulatedSoftware {
  /** Index in `shared.packages` → this host's item after an update. */
  private changed: Map<number, SoftwareItem> | undefined;

  constructor(readonly shared: SharedSoftware) {}

  get os(): SoftwareInventory['os'] {
    return this.shared.os;
  }

  /** True once an update changed a package of this host (its list is no longer the profile's). */
  get modified(): boolean {
    return this.changed !== undefined;
  }

  /** The installed packages: the shared list itself while nothing changed. */
  items(): readonly SoftwareItem[] {
    const changed = this.changed;
    if (!changed) return this.shared.packages;
    return this.shared.packages.map((item, i) => changed.get(i) ?? item);
  }

  /**
   * Installs `version` of every package `name` from `source` (all its architectures). The source version goes with it
   * (a simulated package is rebuilt from its source at that version). False when none is installed.
   */
  update(name: string, source: SoftwareItem['source'], version: string): boolean {
    let found = false;
    this.shared.packages.forEach((item, i) => {
      if (item.name !== name || item.source !== source) return;
      const { sourceVersion: _old, ...rest } = this.changed?.get(i) ?? item;
      this.changed ??= new Map();
      this.changed.set(i, { ...rest, version });
      found = true;
    });
    return found;
  }
}
