// Inventory: facts from systeminformation (faked, and once for real on this machine), disk encryption parsers,
// a hash that changes exactly when a fact does, and deterministic simulated inventories.
import { describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import { DeviceInventory } from '../../../policy-schemas/src/index.js';
import { SimulatedHost } from '../hosts/simulated-host.js';
import { NodeCommandRunner, ScriptedCommandRunner } from '../system/command-runner.js';
import { collectNativeInventory, finishInventory, type InventoryFacts, inventoryHash, type SystemInfoApi } from './collect.js';
import { parseBitLocker, parseFdesetup, parseLsblk, readDiskEncryption } from './disk-encryption.js';
import { simulatedInventory } from './simulated.js';

const facts = { hostname: 'fallback', platform: 'linux' as const, osVersion: '6.1', arch: 'x64', agentVersion: '0.1.0' };

function fakeSi(overrides: Partial<Record<keyof SystemInfoApi, () => Promise<unknown>>> = {}): SystemInfoApi {
  return {
    osInfo: async () => ({ hostname: 'web01', distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0-28-amd64', arch: 'x64', build: '' }),
    system: async () => ({ manufacturer: 'QEMU', model: 'Standard PC', serial: '-' }),
    cpu: async () => ({ manufacturer: 'AMD', brand: 'EPYC 7B13' }),
    mem: async () => ({ total: 8 * 1024 ** 3 }),
    networkInterfaces: async () => [
      { iface: 'lo', internal: true, ip4: '127.0.0.1', mac: '00:00:00:00:00:00' },
      { iface: 'eth1', ip4: '10.0.0.5', ip6: 'fe80::1', mac: '02:00:00:00:00:02' },
      { iface: 'eth0', ip4: '192.0.2.10', mac: '02:00:00:00:00:01' },
    ],
    ...(overrides as Partial<SystemInfoApi>),
  };
}

const lsblkRunner = (stdout: string) => new ScriptedCommandRunner((spec) => (spec.file === 'lsblk' ? { stdout } : { spawnError: 'ENOENT: missing' }));
const LUKS_ROOT = JSON.stringify({
  blockdevices: [
    {
      name: 'vda',
      type: 'disk',
      fstype: null,
      mountpoint: null,
      children: [
        { name: 'vda1', type: 'part', fstype: 'vfat', mountpoint: '/boot/efi' },
        {
          name: 'vda2',
          type: 'part',
          fstype: 'crypto_LUKS',
          mountpoint: null,
          children: [{ name: 'root_crypt', type: 'crypt', fstype: 'ext4', mountpoint: '/' }],
        },
      ],
    },
  ],
});

describe('native inventory', () => {
  it('collects OS, hardware and network facts, dropping placeholders and loopback, sorted for a stable hash', async () => {
    const inv = await collectNativeInventory({ platform: 'linux', facts, runner: lsblkRunner(LUKS_ROOT), si: fakeSi() });
    expect(inv).toEqual({
      agentVersion: '0.1.0',
      hostname: 'web01',
      os: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0-28-amd64', arch: 'x64' },
      hardware: { manufacturer: 'QEMU', model: 'Standard PC', cpu: 'AMD EPYC 7B13', memoryBytes: 8 * 1024 ** 3 },
      network: [
        { iface: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.0.2.10'] },
        { iface: 'eth1', mac: '02:00:00:00:00:02', addresses: ['10.0.0.5', 'fe80::1'] },
      ],
      diskEncryption: { state: 'encrypted', method: 'luks', detail: 'root filesystem on dm-crypt device root_crypt' },
    });
    expect(validate(DeviceInventory, finishInventory(inv, '2026-12-01T00:00:00.000Z'), 'inventory')).toBeTruthy();
  });

  it('leaves out what fails or hangs, and falls back to the enrollment facts for hostname and arch', async () => {
    const never = () => new Promise<never>(() => {});
    const inv = await collectNativeInventory({
      platform: 'linux',
      facts,
      runner: lsblkRunner(LUKS_ROOT),
      si: fakeSi({ osInfo: never, system: async () => Promise.reject(new Error('dmidecode failed')), mem: never }),
      timeoutMs: 50,
    });
    expect(inv.hostname).toBe('fallback');
    expect(inv.os).toEqual({ platform: 'linux', arch: 'x64' });
    expect(inv.hardware).toEqual({ cpu: 'AMD EPYC 7B13' });
  });

  it('hashes the facts: the same facts give the same hash, any changed fact another', async () => {
    const inv = await collectNativeInventory({ platform: 'linux', facts, runner: lsblkRunner(LUKS_ROOT), si: fakeSi() });
    const again = await collectNativeInventory({ platform: 'linux', facts, runner: lsblkRunner(LUKS_ROOT), si: fakeSi() });
    expect(inventoryHash(again)).toBe(inventoryHash(inv));
    expect(finishInventory(inv, '2026-01-01T00:00:00Z').hash).toBe(finishInventory(inv, '2027-01-01T00:00:00Z').hash);
    const changed: InventoryFacts = { ...inv, network: [{ iface: 'eth0', addresses: ['192.0.2.11'] }] };
    expect(inventoryHash(changed)).not.toBe(inventoryHash(inv));
    expect(inventoryHash({ ...inv, agentVersion: '0.1.1' })).not.toBe(inventoryHash(inv));
  });

  it('collects a valid inventory on this machine with the real systeminformation', async () => {
    const inv = await collectNativeInventory({ platform: 'linux', facts, runner: new NodeCommandRunner() });
    const full = validate(DeviceInventory, finishInventory(inv, new Date().toISOString()), 'inventory');
    expect(full.os.platform).toBe('linux');
    expect(full.hostname.length).toBeGreaterThan(0);
    expect(['encrypted', 'notEncrypted', 'unknown']).toContain(full.diskEncryption.state);
  });
});

describe('disk encryption', () => {
  it('reads LUKS from the lsblk tree: root on dm-crypt, root on a plain partition, overlay root (container)', async () => {
    expect(parseLsblk(LUKS_ROOT)).toMatchObject({ state: 'encrypted', method: 'luks' });
    const plain = { blockdevices: [{ name: 'sda', type: 'disk', children: [{ name: 'sda1', type: 'part', fstype: 'ext4', mountpoints: ['/'] }] }] };
    expect(parseLsblk(JSON.stringify(plain))).toEqual({ state: 'notEncrypted', detail: 'root filesystem on sda1 without a dm-crypt device' });
    const container = { blockdevices: [{ name: 'vdb', type: 'disk', fstype: 'crypto_LUKS', mountpoint: null }] };
    expect(parseLsblk(JSON.stringify(container))).toMatchObject({ state: 'unknown', detail: expect.stringContaining('LUKS devices present') });
    const runner = lsblkRunner(LUKS_ROOT);
    await readDiskEncryption('linux', runner);
    expect(runner.calls.map((c) => [c.file, ...c.args])).toEqual([['lsblk', '-J', '-o', 'NAME,TYPE,FSTYPE,MOUNTPOINT']]);
    expect(await readDiskEncryption('linux', lsblkRunner('not json'))).toMatchObject({ state: 'unknown' });
  });

  it('reads FileVault and BitLocker states, unknown for anything in between', () => {
    expect(parseFdesetup('FileVault is On.\n')).toEqual({ state: 'encrypted', method: 'filevault' });
    expect(parseFdesetup('FileVault is Off.\n')).toEqual({ state: 'notEncrypted' });
    expect(parseFdesetup('Encryption in progress: Percent completed = 42.1\n').state).toBe('unknown');
    expect(parseBitLocker({ MountPoint: 'C:', ProtectionStatus: 'On', VolumeStatus: 'FullyEncrypted' })).toEqual({ state: 'encrypted', method: 'bitlocker' });
    expect(parseBitLocker({ MountPoint: 'C:', ProtectionStatus: 'Off', VolumeStatus: 'FullyDecrypted' }).state).toBe('notEncrypted');
    expect(parseBitLocker({ MountPoint: 'C:', ProtectionStatus: 'Off', VolumeStatus: 'EncryptionInProgress' }).state).toBe('unknown');
  });
});

describe('simulated inventory', () => {
  it('is deterministic per host and valid', () => {
    const a = simulatedInventory(new SimulatedHost({ platform: 'macos', hostname: 'mac-1' }), '0.1.0');
    expect(simulatedInventory(new SimulatedHost({ platform: 'macos', hostname: 'mac-1' }), '0.1.0')).toEqual(a);
    expect(inventoryHash(simulatedInventory(new SimulatedHost({ platform: 'macos', hostname: 'mac-2' }), '0.1.0'))).not.toBe(inventoryHash(a));
    expect(validate(DeviceInventory, finishInventory(a, '2026-12-01T00:00:00.000Z'), 'inventory').diskEncryption).toEqual({
      state: 'encrypted',
      method: 'filevault',
    });
  });
});
