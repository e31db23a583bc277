// A simulated device's inventory: deterministic, derived from its platform and hostname only, so tests can predict
// the hash (and a changed hostname or agent version is exactly what makes it change).
import { createHash } from 'node:crypto';
import type { Platform } from '../../../policy-schemas/src/index.js';
import type { SimulatedHost } from '../hosts/simulated-host.js';
import type { InventoryFacts } from './collect.js';

const OS: Record<Platform, { distro: string; release: string; build?: string; kernel: string }> = {
  windows: { distro: 'Microsoft Windows 11 Enterprise', release: '10.0.22631', build: '22631', kernel: '10.0.22631' },
  macos: { distro: 'macOS', release: '14.6.1', build: '23G93', kernel: '23.6.0' },
  linux: { distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0-28-amd64' },
};

const ENCRYPTION: Record<Platform, InventoryFacts['diskEncryption']> = {
  windows: { state: 'encrypted', method: 'bitlocker' },
  macos: { state: 'encrypted', method: 'filevault' },
  linux: { state: 'encrypted', method: 'luks', detail: 'simulated' },
};

/** Inventory of a simulated host: same input, same facts, same hash. */
export function simulatedInventory(host: SimulatedHost, agentVersion: string): InventoryFacts {
  const seed = createHash('sha256').update(`${host.platform}\u0000${host.hostname}`).digest();
  const mac = `02:${[...seed.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
  const os = OS[host.platform];
  return {
    agentVersion,
    hostname: host.hostname,
    os: { platform: host.platform, ...os, arch: host.arch },
    hardware: {
      manufacturer: 'Attaché',
      model: 'Simulated Device',
      serial: `SIM-${seed.subarray(0, 6).toString('hex').toUpperCase()}`,
      cpu: 'Simulated CPU',
      memoryBytes: 16 * 1024 ** 3,
    },
    network: [{ iface: 'eth0', mac, addresses: [`10.${seed[5]}.${seed[6]}.${(seed[7] ?? 0) % 254 || 1}`] }],
    diskEncryption: ENCRYPTION[host.platform],
  };
}
