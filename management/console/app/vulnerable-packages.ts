// A device's findings as the packages an updateSoftware action can name: one entry per installed package name (what
// the device's package manager knows), with its installed versions, the fixed versions its findings name and its
// advisories. Pure: the Update software form lists these.
import type { DeviceVulnerabilities } from './types.js';

/** One vulnerable package of the device: its installed version(s), the fixed versions its findings name, how many advisories. */
export interface VulnerablePackage {
  readonly name: string;
  readonly installed: readonly string[];
  readonly fixedVersions: readonly string[];
  readonly advisories: number;
}

/** The device's findings grouped by installed package name (the name the agent's package manager knows), in finding order. */
export function vulnerablePackages(findings: DeviceVulnerabilities['findings']): VulnerablePackage[] {
  const by = new Map<string, { installed: Set<string>; fixed: Set<string>; advisories: Set<string> }>();
  for (const f of findings) {
    const entry = by.get(f.software.name) ?? { installed: new Set(), fixed: new Set(), advisories: new Set() };
    entry.installed.add(f.software.version);
    if (f.fixedVersion) entry.fixed.add(f.fixedVersion);
    entry.advisories.add(f.advisoryId);
    by.set(f.software.name, entry);
  }
  return [...by].map(([name, e]) => ({ name, installed: [...e.installed], fixedVersions: [...e.fixed], advisories: e.advisories.size }));
}
