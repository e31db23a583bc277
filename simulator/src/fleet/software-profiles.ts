// The installed software of a scenario's host slice (issue 18), built once per fleet process and shared by every host
// of the slice (agent/src/hosts/simulated-software.ts copies only what an update changes): the listed packages, then
// `generator.count` generated ones — real package names of the pool's ecosystem at old versions first, then synthetic
// names with seeded versions.
import type { SharedSoftware } from '../../../agent/src/hosts/simulated-software.js';
import { seededRandom } from '../../../common/clock.js';
import type { ScenarioSoftware, SoftwareItem } from '../../../policy-schemas/src/index.js';

type Pool = NonNullable<ScenarioSoftware['generator']>['pool'];

interface PoolSpec {
  readonly source: SoftwareItem['source'];
  readonly scheme: SoftwareItem['scheme'];
  readonly architecture?: string;
  /** Synthetic names beyond the real ones: `<prefix>-<n>`. */
  readonly prefix: string;
  /** Real names at versions older than their current security fixes: [name, version, sourceName?, vendor?]. */
  readonly real: readonly (readonly [string, string, string?, string?])[];
  readonly version: (r: () => number) => string;
}

const n = (r: () => number, max: number) => Math.floor(r() * max);

const POOLS: Readonly<Record<Pool, PoolSpec>> = {
  debian: {
    source: 'dpkg',
    scheme: 'dpkg',
    architecture: 'amd64',
    prefix: 'sim-lib',
    real: [
      ['openssl', '3.0.11-1~deb12u2'],
      ['libssl3', '3.0.11-1~deb12u2', 'openssl'],
      ['curl', '7.88.1-10+deb12u4'],
      ['libcurl4', '7.88.1-10+deb12u4', 'curl'],
      ['bash', '5.2.15-2+b2'],
      ['libc6', '2.36-9+deb12u3', 'glibc'],
      ['openssh-server', '1:9.2p1-2+deb12u1', 'openssh'],
      ['sudo', '1.9.13p3-1+deb12u1'],
      ['libxml2', '2.9.14+dfsg-1.3~deb12u1'],
      ['zlib1g', '1:1.2.13.dfsg-1', 'zlib'],
      ['tar', '1.34+dfsg-1.2'],
      ['gnupg', '2.2.40-1.1'],
      ['libexpat1', '2.5.0-1', 'expat'],
      ['git', '1:2.39.2-1.1'],
      ['vim', '2:9.0.1378-2'],
    ],
    version: (r) => `${n(r, 5)}.${n(r, 20)}.${n(r, 10)}-${1 + n(r, 4)}`,
  },
  rhel: {
    source: 'rpm',
    scheme: 'rpm',
    architecture: 'x86_64',
    prefix: 'sim-lib',
    real: [
      ['openssl', '1:3.0.7-24.el9'],
      ['openssl-libs', '1:3.0.7-24.el9'],
      ['curl', '7.76.1-26.el9'],
      ['bash', '5.1.8-6.el9_1'],
      ['glibc', '2.34-60.el9'],
      ['openssh-server', '8.7p1-34.el9'],
      ['sudo', '1.9.5p2-9.el9'],
      ['libxml2', '2.9.13-5.el9_2'],
      ['zlib', '1.2.11-39.el9'],
      ['git', '2.39.3-1.el9_2'],
    ],
    version: (r) => `${n(r, 5)}.${n(r, 20)}.${n(r, 10)}-${1 + n(r, 30)}.el9`,
  },
  windows: {
    source: 'windowsRegistry',
    scheme: 'dotted',
    architecture: 'x64',
    prefix: 'Sim Tool',
    real: [
      ['7-Zip 23.01 (x64)', '23.01', undefined, 'Igor Pavlov'],
      ['Mozilla Firefox (x64 en-US)', '115.0.2', undefined, 'Mozilla'],
      ['Google Chrome', '114.0.5735.199', undefined, 'Google LLC'],
      ['VLC media player', '3.0.18', undefined, 'VideoLAN'],
      ['Notepad++ (64-bit x64)', '8.5.3', undefined, 'Notepad++ Team'],
      ['WinRAR 6.22 (64-bit)', '6.22.0', undefined, 'win.rar GmbH'],
      ['PuTTY release 0.79 (64-bit)', '0.79.0.0', undefined, 'Simon Tatham'],
    ],
    version: (r) => `${1 + n(r, 30)}.${n(r, 10)}.${n(r, 1000)}`,
  },
  macos: {
    source: 'macApplication',
    scheme: 'dotted',
    prefix: 'Sim App',
    real: [
      ['Firefox', '115.0.2', undefined, 'Mozilla Corporation'],
      ['Google Chrome', '114.0.5735.198', undefined, 'Google LLC'],
      ['zoom.us', '5.15.2', undefined, 'Zoom Video Communications, Inc.'],
      ['VLC', '3.0.18', undefined, 'VideoLAN'],
      ['Slack', '4.33.73', undefined, 'Slack Technologies, Inc.'],
    ],
    version: (r) => `${1 + n(r, 30)}.${n(r, 10)}.${n(r, 100)}`,
  },
};

function generated(spec: PoolSpec, count: number, seed: number): SoftwareItem[] {
  const random = seededRandom(seed);
  const base = { source: spec.source, scheme: spec.scheme, ...(spec.architecture ? { architecture: spec.architecture } : {}) };
  const items: SoftwareItem[] = [];
  for (let i = 0; i < count; i++) {
    const real = spec.real[i];
    if (real) {
      const [name, version, sourceName, vendor] = real;
      items.push({ name, version, ...base, ...(sourceName ? { sourceName } : {}), ...(vendor ? { vendor } : {}) });
    } else items.push({ name: `${spec.prefix}-${i - spec.real.length + 1}`, version: spec.version(random), ...base });
  }
  return items;
}

/** The slice's shared software: its listed packages, then the generated ones. */
export function sharedSoftware(profile: ScenarioSoftware, scenarioSeed: number): SharedSoftware {
  const listed: SoftwareItem[] = (profile.packages ?? []).map((p) => ({ ...p }));
  const gen = profile.generator;
  const more = gen ? generated(POOLS[gen.pool], gen.count, gen.seed ?? scenarioSeed) : [];
  return { os: { name: profile.os.name, version: profile.os.version }, packages: [...listed, ...more] };
}
