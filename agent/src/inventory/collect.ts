// Device inventory with systeminformation (OS, hardware, network) plus disk encryption, each call under a timeout:
// a slow or failing call leaves its fields out instead of holding up the collection (toolchain.md §4: some facts
// are empty in containers and VMs, and Windows/macOS shell out to slow tools). Never on the sync path; device
// identity does not depend on any of it. `finishInventory` adds the hash that decides whether to upload.

import { createHash } from 'node:crypto';
import type { Systeminformation as Si } from 'systeminformation';
import { canonicalJson } from '../../../common/canonical-json.js';
import { systemClock, type TimerHandle } from '../../../common/clock.js';
import type { DeviceFacts, DeviceInventory, Platform } from '../../../policy-schemas/src/index.js';
import type { CommandRunner } from '../system/command-runner.js';
import { statedHostname } from '../system/hostname.js';
import { systemInformationModule as si } from '../system/systeminformation.js';
import { readDiskEncryption } from './disk-encryption.js';

/** Inventory without its collection time and hash: what the hash covers. */
export type InventoryFacts = Omit<DeviceInventory, 'collectedAt' | 'hash'>;

/** The part of systeminformation the collector uses (tests pass a fake). */
export interface SystemInfoApi {
  osInfo(): Promise<Partial<Si.OsData>>;
  system(): Promise<Partial<Si.SystemData>>;
  cpu(): Promise<Partial<Si.CpuData>>;
  mem(): Promise<Partial<Si.MemData>>;
  networkInterfaces(): Promise<Partial<Si.NetworkInterfacesData>[] | Partial<Si.NetworkInterfacesData>>;
}

export const systemInformation: SystemInfoApi = {
  osInfo: async () => (await si()).osInfo(),
  system: async () => (await si()).system(),
  cpu: async () => (await si()).cpu(),
  mem: async () => (await si()).mem(),
  networkInterfaces: async () => (await si()).networkInterfaces(),
};

/** SHA-256 (hex) over the canonical JSON of the facts (DeviceInventory.hash). */
export function inventoryHash(facts: InventoryFacts): string {
  return createHash('sha256').update(canonicalJson(facts)).digest('hex');
}

export function finishInventory(facts: InventoryFacts, collectedAt: string): DeviceInventory {
  return { collectedAt, hash: inventoryHash(facts), ...facts };
}

/** Resolves to the call's value, or undefined when it fails or takes longer than `ms` (the call is left to finish). */
export async function within<T>(call: () => Promise<T>, ms: number): Promise<T | undefined> {
  let timer: TimerHandle | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = systemClock.setTimer(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([call().catch(() => undefined), timeout]);
  } finally {
    timer?.cancel();
  }
}

/** Vendors' placeholders for "no serial number" (and systeminformation's "-"). */
const NO_SERIAL = /^(|-|0|none|default string|to be filled by o\.e\.m\.|system serial number|not specified|not applicable)$/i;

function text(value: string | undefined, max: number): string | undefined {
  const t = value?.trim();
  return t ? t.slice(0, max) : undefined;
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Non-loopback interfaces with a MAC or an address, sorted by name so the hash does not depend on listing order. */
export function networkFacts(data: Partial<Si.NetworkInterfacesData>[] | Partial<Si.NetworkInterfacesData> | undefined) {
  const list = data === undefined ? [] : Array.isArray(data) ? data : [data];
  return list
    .filter((n) => n.iface && !n.internal)
    .map((n) => {
      const mac = n.mac && n.mac !== '00:00:00:00:00:00' ? n.mac.slice(0, 32) : undefined;
      const addresses = [n.ip4, n.ip6].filter((a): a is string => !!a).map((a) => a.slice(0, 64));
      return defined({ iface: (n.iface as string).slice(0, 100), mac, addresses });
    })
    .filter((n) => n.mac !== undefined || n.addresses.length > 0)
    .sort((a, b) => (a.iface < b.iface ? -1 : a.iface > b.iface ? 1 : 0))
    .slice(0, 64);
}

export interface NativeInventoryDeps {
  readonly platform: Platform;
  readonly facts: DeviceFacts;
  readonly runner: CommandRunner;
  readonly si?: SystemInfoApi;
  /** Per call (default 30 s). */
  readonly timeoutMs?: number;
}

/** Collects the real device's inventory; every call runs in parallel under its own timeout. */
export async function collectNativeInventory(deps: NativeInventoryDeps): Promise<InventoryFacts> {
  const api = deps.si ?? systemInformation;
  const ms = deps.timeoutMs ?? 30_000;
  const [os, system, cpu, mem, net, diskEncryption] = await Promise.all([
    within(() => api.osInfo(), ms),
    within(() => api.system(), ms),
    within(() => api.cpu(), ms),
    within(() => api.mem(), ms),
    within(() => api.networkInterfaces(), ms),
    within(() => readDiskEncryption(deps.platform, deps.runner), ms),
  ]);
  const serial = text(system?.serial, 200);
  const cpuName = [cpu?.manufacturer, cpu?.brand].filter((p) => !!p?.trim()).join(' ');
  return {
    agentVersion: deps.facts.agentVersion,
    hostname: statedHostname(text(os?.hostname, 253) ?? deps.facts.hostname),
    os: defined({
      platform: deps.platform,
      distro: text(os?.distro, 200),
      release: text(os?.release, 100),
      build: text(os?.build, 100),
      kernel: text(os?.kernel, 100),
      arch: (text(os?.arch, 32) ?? deps.facts.arch).slice(0, 32),
    }),
    hardware: defined({
      manufacturer: text(system?.manufacturer, 200),
      model: text(system?.model, 200),
      serial: serial && !NO_SERIAL.test(serial) ? serial : undefined,
      cpu: text(cpuName, 200),
      memoryBytes: typeof mem?.total === 'number' && Number.isSafeInteger(mem.total) && mem.total > 0 ? mem.total : undefined,
    }),
    network: networkFacts(net),
    diskEncryption: diskEncryption ?? { state: 'unknown', detail: `disk encryption not read within ${ms} ms` },
  };
}
