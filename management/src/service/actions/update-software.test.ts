// Tests of updateSoftware's package checks against a device's last software upload: names found with their source,
// a dpkg source package expanded to the device's binaries, unknown names and hostile installed names refused by name,
// and a device that never uploaded software refused with a clear message.
import { describe, expect, it } from 'vitest';
import type { PackageIdentity, StoredDeviceSoftware, StoredPackage } from '../../store/vulnerability-store.js';
import { MAX_UPDATE_PACKAGES, type SoftwareReader, updatePackages } from './update-software.js';

const DEVICE = '11111111-1111-4111-8111-111111111111';

function pkg(packageId: number, fields: Partial<PackageIdentity> & Pick<PackageIdentity, 'name'>): StoredPackage {
  return {
    packageId,
    ecosystem: 'Debian:12',
    source: 'dpkg',
    scheme: 'dpkg',
    version: '3.0.11-1~deb12u1',
    vendor: null,
    architecture: 'amd64',
    installPath: null,
    matchedName: fields.name,
    matchedVersion: '3.0.11-1~deb12u1',
    keys: [],
    ...fields,
  };
}

/** The two reads over an upload held in memory (what the SQL store returns for the same rows). */
function reader(packages: readonly StoredPackage[], upload: Partial<StoredDeviceSoftware> | null = {}): SoftwareReader {
  return {
    async getDeviceSoftware(deviceId) {
      if (upload === null || deviceId !== DEVICE) return undefined;
      return {
        deviceId,
        os: { name: 'Debian GNU/Linux', version: '12' },
        collectedAt: '2025-01-10T12:00:00.000Z',
        receivedAt: '2025-01-10T12:00:01.000Z',
        digest: 'd'.repeat(64),
        truncated: false,
        packageIds: packages.map((p) => p.packageId),
        ...upload,
      } as StoredDeviceSoftware;
    },
    async packagesByIds(ids) {
      return packages.filter((p) => ids.includes(p.packageId));
    },
  };
}

const installed = [
  pkg(1, { name: 'libssl3', matchedName: 'openssl' }),
  pkg(2, { name: 'openssl' }),
  pkg(3, { name: 'libssl-dev', matchedName: 'openssl' }),
  pkg(4, { name: 'curl' }),
  pkg(5, { name: '-oProxy=evil', matchedName: 'evil' }),
];

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => ({ code: 'none', message: '' }),
    (e: { code: string; message: string }) => e,
  );

describe('updatePackages', () => {
  it('takes each binary package named with its source from the upload', async () => {
    expect(await updatePackages(reader(installed), DEVICE, [{ name: 'curl', fixedVersion: '7.88.1-10+deb12u8' }])).toEqual([
      { name: 'curl', source: 'dpkg', fixedVersion: '7.88.1-10+deb12u8' },
    ]);
  });

  it('expands a dpkg source-package name to every binary package of the device built from it', async () => {
    const windows = pkg(9, { name: 'Mozilla Firefox', source: 'windowsRegistry', ecosystem: 'windows', scheme: 'dotted' });
    const out = await updatePackages(reader([...installed, windows]), DEVICE, [{ name: 'libssl3' }, { name: 'Mozilla Firefox' }]);
    expect(out).toEqual([
      { name: 'libssl3', source: 'dpkg', fixedVersion: null },
      { name: 'Mozilla Firefox', source: 'windowsRegistry', fixedVersion: null },
    ]);
    const bySource = await updatePackages(reader(installed), DEVICE, [{ name: 'openssl', fixedVersion: '3.0.15-1~deb12u1' }]);
    expect(bySource.map((p) => p.name)).toEqual(['libssl3', 'openssl', 'libssl-dev']);
    expect(bySource.every((p) => p.fixedVersion === '3.0.15-1~deb12u1')).toBe(true);
    const os = pkg(10, { name: 'Windows 11', source: 'os', ecosystem: 'windows-os', scheme: 'dotted' });
    expect((await errorOf(updatePackages(reader([os]), DEVICE, [{ name: 'Windows 11' }]))).code).toBe('ACTION_INVALID');
  });

  it('refuses a name the device does not have, naming it and the upload', async () => {
    const err = await errorOf(updatePackages(reader(installed), DEVICE, [{ name: 'curl' }, { name: 'nginx' }]));
    expect(err.code).toBe('ACTION_INVALID');
    expect(err.message).toContain('packages/1/name: "nginx" is not in device');
    expect(err.message).toContain('2025-01-10T12:00:00.000Z');
    const truncated = await errorOf(updatePackages(reader(installed, { truncated: true }), DEVICE, [{ name: 'nginx' }]));
    expect(truncated.message).toContain('truncated');
  });

  it('refuses an installed name a package manager would read as an option', async () => {
    const err = await errorOf(updatePackages(reader(installed), DEVICE, [{ name: 'evil' }]));
    expect(err).toMatchObject({ code: 'ACTION_INVALID' });
    expect(err.message).toContain('"-oProxy=evil"');
  });

  it('refuses a device that never uploaded software, saying so', async () => {
    const err = await errorOf(updatePackages(reader(installed, null), DEVICE, [{ name: 'curl' }]));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toContain('has not uploaded its software inventory yet');
  });

  it('refuses more packages than one action carries after expansion', async () => {
    const many = Array.from({ length: MAX_UPDATE_PACKAGES + 1 }, (_, i) => pkg(100 + i, { name: `lib${i}`, matchedName: 'big' }));
    expect((await errorOf(updatePackages(reader(many), DEVICE, [{ name: 'big' }]))).code).toBe('ACTION_INVALID');
  });
});
