// Scenario software profiles: listed packages then generated ones (real names first, then seeded synthetic ones), the
// same for the same seed, checked by the scenario schema, and carried to the hosts of their slice only.
import { describe, expect, it } from 'vitest';
import { finishSoftwareInventory } from '../../../agent/src/inventory/software/software-inventory.js';
import { validate } from '../../../common/validation.js';
import { type ScenarioSoftware, SimulatorScenario, SoftwareInventory } from '../../../policy-schemas/src/index.js';
import { fleetHosts, hostBehaviour } from '../run/fleet-setup.js';
import { checkScenario } from '../scenario/load.js';
import { sharedSoftware } from './software-profiles.js';

const DEBIAN: ScenarioSoftware = {
  os: { name: 'Debian GNU/Linux', version: '12' },
  packages: [{ name: 'openssl', version: '3.0.11-1~deb12u2', source: 'dpkg', scheme: 'dpkg' }],
  generator: { count: 40, pool: 'debian' },
};

describe('sharedSoftware', () => {
  it('lists the packages, then real pool names at old versions, then seeded synthetic ones; valid items', () => {
    const shared = sharedSoftware(DEBIAN, 7);
    expect(shared.os).toEqual({ name: 'Debian GNU/Linux', version: '12' });
    expect(shared.packages).toHaveLength(41);
    expect(shared.packages[0]).toEqual({ name: 'openssl', version: '3.0.11-1~deb12u2', source: 'dpkg', scheme: 'dpkg' });
    expect(shared.packages[2]).toEqual({
      name: 'libssl3',
      version: '3.0.11-1~deb12u2',
      sourceName: 'openssl',
      source: 'dpkg',
      scheme: 'dpkg',
      architecture: 'amd64',
    });
    expect(shared.packages.at(-1)?.name).toMatch(/^sim-lib-\d+$/);
    const listed = finishSoftwareInventory({ os: shared.os, items: shared.packages }, '2026-12-05T00:00:00.000Z');
    expect(validate(SoftwareInventory, listed, 'inventory').items).toHaveLength(41);
    expect(sharedSoftware(DEBIAN, 7)).toEqual(shared);
    expect(sharedSoftware(DEBIAN, 8).packages.at(-1)?.version).not.toBe(shared.packages.at(-1)?.version);
    expect(sharedSoftware({ ...DEBIAN, generator: { count: 40, pool: 'debian', seed: 7 } }, 99)).toEqual(shared);
  });

  it('windows and macos pools state their source and the dotted scheme', () => {
    const win = sharedSoftware({ os: { name: 'Windows 11 Pro', version: '10.0.22631' }, generator: { count: 3, pool: 'windows' } }, 1);
    expect(win.packages.map((p) => [p.name, p.source, p.scheme])).toEqual([
      ['7-Zip 23.01 (x64)', 'windowsRegistry', 'dotted'],
      ['Mozilla Firefox (x64 en-US)', 'windowsRegistry', 'dotted'],
      ['Google Chrome', 'windowsRegistry', 'dotted'],
    ]);
    const mac = sharedSoftware({ os: { name: 'macOS', version: '14.6.1' }, generator: { count: 1, pool: 'macos' } }, 1);
    expect(mac.packages[0]).toMatchObject({ name: 'Firefox', source: 'macApplication' });
  });
});

describe('scenario software fields', () => {
  const raw = {
    name: 'software',
    fleet: {
      hosts: [
        { platform: 'linux', count: 2, software: DEBIAN },
        { platform: 'windows', count: 1 },
      ],
      software: { firstDelaySeconds: 1, intervalSeconds: 600 },
    },
    timeline: [],
    expectations: [],
  };

  it('carries each slice profile to its hosts only, with the schedule', async () => {
    const scenario = await checkScenario(validate(SimulatorScenario, raw, 'scenario'), 'test');
    expect(fleetHosts(scenario).map((h) => h.softwareProfile)).toEqual([0, 0, undefined]);
    expect(hostBehaviour(scenario).software).toEqual({ profiles: [DEBIAN, null], firstDelayMs: 1000, intervalMs: 600_000 });
  });

  it('refuses a bad package and an unknown pool, naming the field', () => {
    const badSource = structuredClone(raw) as { fleet: { hosts: { software?: { packages?: unknown[] } }[] } };
    badSource.fleet.hosts[0]?.software?.packages?.push({ name: 'x', version: '1', source: 'brew', scheme: 'dotted' });
    expect(() => validate(SimulatorScenario, badSource, 'scenario')).toThrow(/source/);
    const badPool = structuredClone(raw);
    badPool.fleet.hosts[0] = { platform: 'linux', count: 2, software: { ...DEBIAN, generator: { count: 1, pool: 'gentoo' as 'debian' } } };
    expect(() => validate(SimulatorScenario, badPool, 'scenario')).toThrow(/pool/);
  });
});
