// Simulated software (issue 18): hosts of one profile share one package list and one finished inventory, an update
// copies only what it changes, the simulated collector lists it like a real one, and simulated updateSoftware sets each
// package to its fixed version (or a bump), checks names first and fails as injected.
import { describe, expect, it } from 'vitest';
import { AttacheError } from '../../../../common/errors.js';
import { ManualClock } from '../../../../common/testing/manual-clock.js';
import { validate } from '../../../../common/validation.js';
import { SoftwareInventory, type SoftwareItem } from '../../../../policy-schemas/src/index.js';
import { SimulatedHost } from '../../hosts/simulated-host.js';
import { type SharedSoftware, SimulatedSoftware } from '../../hosts/simulated-software.js';
import { SimulatedSoftwareCollector } from '../../inventory/software/simulated.js';
import { MemoryFileStore } from '../../system/file-store.js';
import { createSimulatedResponder } from '../simulated-responder.js';
import { bumpVersion } from './simulated.js';

const PACKAGES: SoftwareItem[] = [
  { name: 'openssl', version: '3.0.11-1~deb12u2', source: 'dpkg', scheme: 'dpkg', architecture: 'amd64' },
  { name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'dpkg', scheme: 'dpkg', architecture: 'amd64', sourceName: 'openssl' },
  { name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'dpkg', scheme: 'dpkg', architecture: 'i386', sourceName: 'openssl' },
  { name: 'bash', version: '5.2.15-2+b2', source: 'dpkg', scheme: 'dpkg', architecture: 'amd64', sourceVersion: '5.2.15-2' },
];
const SHARED: SharedSoftware = { os: { name: 'Debian GNU/Linux', version: '12' }, packages: PACKAGES };

function simHost(name: string): SimulatedHost {
  const host = new SimulatedHost({ platform: 'linux', hostname: name });
  host.software = new SimulatedSoftware(SHARED);
  return host;
}

function responder(host: SimulatedHost, clock = new ManualClock(Date.parse('2026-12-05T00:00:00Z'))) {
  const collector = new SimulatedSoftwareCollector(host, clock);
  const r = createSimulatedResponder({ stateDir: '/state', packageDir: '/tmp' }, { host, files: new MemoryFileStore(), clock, newId: () => 'id' });
  return { r, collector, inventory: (signal?: AbortSignal) => collector.collect(signal) };
}

describe('simulated software', () => {
  it('lists the shared packages as a valid inventory; two hosts of a profile share the list and the digest', async () => {
    const clock = new ManualClock(Date.parse('2026-12-05T00:00:00Z'));
    const a = simHost('a');
    const b = simHost('b');
    const first = await new SimulatedSoftwareCollector(a, clock).collect();
    await clock.advance(1_000);
    const second = await new SimulatedSoftwareCollector(b, clock).collect();
    expect(validate(SoftwareInventory, first, 'inventory').items.map((i) => `${i.name}:${i.architecture}`)).toEqual([
      'bash:amd64',
      'libssl3:amd64',
      'libssl3:i386',
      'openssl:amd64',
    ]);
    expect(second.digest).toBe(first.digest);
    expect(second.items).toBe(first.items);
    expect(second.collectedAt).toBe('2026-12-05T00:00:01.000Z');
    expect(a.software?.items()).toBe(b.software?.items());
  });

  it('a host without a software profile fails SOFTWARE_INVENTORY_FAILED', async () => {
    const host = new SimulatedHost({ platform: 'windows', hostname: 'w' });
    await expect(new SimulatedSoftwareCollector(host, new ManualClock(0)).collect()).rejects.toMatchObject({ code: 'SOFTWARE_INVENTORY_FAILED' });
  });

  it('updateSoftware sets each architecture of a package to the fixed version, copy-on-write, and reports before/after/fixed', async () => {
    const host = simHost('a');
    const other = simHost('b');
    const { r, inventory } = responder(host);
    const progress: number[] = [];
    const result = await r.updateSoftware?.(
      { packages: [{ name: 'libssl3', source: 'dpkg', fixedVersion: '3.0.15-1~deb12u1' }], inventory },
      new AbortController().signal,
      (p) => progress.push(p),
    );
    expect(result).toEqual({ manager: 'simulated', packages: [{ name: 'libssl3', before: '3.0.11-1~deb12u2', after: '3.0.15-1~deb12u1', fixed: true }] });
    expect(
      host.software
        ?.items()
        .filter((i) => i.name === 'libssl3')
        .map((i) => i.version),
    ).toEqual(['3.0.15-1~deb12u1', '3.0.15-1~deb12u1']);
    // The profile's list and the other host are untouched; the unchanged items are the same objects.
    expect(other.software?.items()).toBe(PACKAGES);
    expect(PACKAGES[1]?.version).toBe('3.0.11-1~deb12u2');
    expect(host.software?.items()[0]).toBe(PACKAGES[0]);
    expect((await inventory()).digest).not.toBe((await new SimulatedSoftwareCollector(other, new ManualClock(0)).collect()).digest);
    expect(progress).toEqual([10, 90]);
  });

  it('without a fixed version the package is bumped by its scheme (and the source version goes with it)', async () => {
    const host = simHost('a');
    const { r, inventory } = responder(host);
    const result = await r.updateSoftware?.(
      { packages: [{ name: 'bash', source: 'dpkg', fixedVersion: null }], inventory },
      new AbortController().signal,
      () => undefined,
    );
    expect(result?.packages).toEqual([{ name: 'bash', before: '5.2.15-2+b2', after: '5.2.15-2+b2.1', fixed: true }]);
    expect(host.software?.items().find((i) => i.name === 'bash')?.sourceVersion).toBeUndefined();
    expect(bumpVersion('1.2.3', 'semver')).toBe('1.2.4');
    expect(bumpVersion('1.2.3-rc.1', 'semver')).toBe('1.2.3-rc.1.1');
    expect(bumpVersion('23.01', 'dotted')).toBe('23.01.1');
    expect(bumpVersion('', 'rpm')).toBe('1');
  });

  it('refuses names that are not installed or not valid before changing anything', async () => {
    const host = simHost('a');
    const { r, inventory } = responder(host);
    for (const name of ['curl', '-oDpkg::Pre-Invoke=sh', 'openssl\u0000']) {
      await expect(
        r.updateSoftware?.({ packages: [{ name, source: 'dpkg', fixedVersion: '9' }], inventory }, new AbortController().signal, () => undefined),
      ).rejects.toMatchObject({ code: 'ACTION_INVALID' });
    }
    expect(host.software?.modified).toBe(false);
  });

  it('fails as injected (failActions), with the type default SOFTWARE_UPDATE_FAILED, before anything changes', async () => {
    const host = simHost('a');
    const fired: string[] = [];
    host.faults.onActionFailed = (type) => fired.push(type);
    host.faults.failActions.set('updateSoftware', {});
    const { r, inventory } = responder(host);
    const update = r.updateSoftware?.(
      { packages: [{ name: 'openssl', source: 'dpkg', fixedVersion: '3.0.15-1~deb12u1' }], inventory },
      new AbortController().signal,
      () => undefined,
    );
    const err = await update?.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttacheError);
    expect((err as AttacheError).code).toBe('SOFTWARE_UPDATE_FAILED');
    expect(fired).toEqual(['updateSoftware']);
    expect(host.software?.modified).toBe(false);
  });
});
