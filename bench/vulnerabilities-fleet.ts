// The generated fleet of the vulnerability benchmark (bench/vulnerabilities.bench.ts), seeded: Debian 12, Ubuntu 22.04,
// RHEL 9 and a few Windows devices whose packages come from one pool per release (source packages, dpkg binaries built
// from another source, binNMUs, epochs; Windows applications by publisher) at real-looking versions on a per-package
// ladder; most devices current, some lagging.
import { createHash } from 'node:crypto';
import { seededRandom } from '../common/clock.js';
import { compareVersions } from '../common/versions/index.js';
import type { SoftwareInventory, SoftwareItem, SoftwareUpload } from '../policy-schemas/src/index.js';

/** A release the fleet runs, with the OSV ecosystems that apply to it and some that share its keys but do not. */
export interface Release {
  readonly key: 'debian' | 'ubuntu' | 'rhel' | 'windows';
  readonly share: number;
  readonly platform: 'linux' | 'windows';
  /** Items of a device relative to --packages (Windows machines list far fewer applications than Linux packages). */
  readonly packages: number;
  readonly os: { readonly name: string; readonly version: string };
  readonly source: 'dpkg' | 'rpm' | 'windowsRegistry';
  readonly scheme: 'dpkg' | 'rpm' | 'dotted';
  readonly architecture: string;
  /** Advisory ecosystems that apply to this release's packages (docs/vulnerabilities.md "Matching"). */
  readonly applying: readonly string[];
  /** Same lookup key, another release (or Ubuntu Pro): candidates that must not match. */
  readonly foreign: readonly string[];
}

export const RELEASES: readonly Release[] = [
  {
    key: 'debian',
    share: 0.65,
    platform: 'linux',
    packages: 1,
    os: { name: 'Debian GNU/Linux', version: '12' },
    source: 'dpkg',
    scheme: 'dpkg',
    architecture: 'amd64',
    applying: ['Debian:12'],
    foreign: ['Debian:11', 'Debian:10'],
  },
  {
    key: 'ubuntu',
    share: 0.2,
    platform: 'linux',
    packages: 1,
    os: { name: 'Ubuntu', version: '22.04' },
    source: 'dpkg',
    scheme: 'dpkg',
    architecture: 'amd64',
    applying: ['Ubuntu:22.04:LTS', 'Ubuntu:22.04'],
    foreign: ['Ubuntu:20.04:LTS', 'Ubuntu:Pro:22.04:LTS'],
  },
  {
    key: 'rhel',
    share: 0.1,
    platform: 'linux',
    packages: 1,
    os: { name: 'Red Hat Enterprise Linux', version: '9.3' },
    source: 'rpm',
    scheme: 'rpm',
    architecture: 'x86_64',
    applying: ['Red Hat:enterprise_linux:9::appstream', 'Red Hat:enterprise_linux:9::baseos'],
    foreign: ['Red Hat:enterprise_linux:8::appstream'],
  },
  {
    // NVD CVEs with CPE criteria; "foreign" ones are ANDed with a macOS platform criteria.
    key: 'windows',
    share: 0.05,
    platform: 'windows',
    packages: 1 / 6,
    os: { name: 'Windows 11 Pro', version: '10.0.22631' },
    source: 'windowsRegistry',
    scheme: 'dotted',
    architecture: 'x64',
    applying: ['windows'],
    foreign: ['macos'],
  },
];

/** Ladder positions installed on devices: 4 current, 3 one update behind, 2 old; 5 is the next update (changes only). */
export const CURRENT = 4;
export const LADDER = 6;

/** A source package of a release (a Windows application: its CPE product): its name and its ladder (index 0 oldest). */
export interface SourcePackage {
  readonly name: string;
  /** Windows: the publisher, as CPE vendor (lowercase). */
  readonly vendor?: string;
  readonly versions: readonly string[];
  /** One of the few optional packages whose newest advisories no installed version escapes. */
  readonly hot: boolean;
}

/** A binary package of a release's pool: built from `source`; its own version per ladder position. */
export interface BinaryPackage {
  /** The package name, or a Windows application's display name (`Kalo Mitavo (x64)`). */
  readonly name: string;
  readonly vendor?: string;
  readonly source: number;
  readonly versions: readonly string[];
  /** dpkg: the source package's name/version when they differ from the binary's (SoftwareItem.sourceName/Version). */
  readonly sourceName?: string;
}

export interface ReleasePool {
  readonly release: Release;
  readonly sources: readonly SourcePackage[];
  readonly binaries: readonly BinaryPackage[];
  /** Binaries every device of the release has (0…base−1); the rest are optional. */
  readonly base: number;
  /** Items on each device of the release. */
  readonly perDevice: number;
}

const REAL_NAMES = ['openssl', 'curl', 'glibc', 'openssh', 'sudo', 'libxml2', 'zlib', 'util-linux', 'systemd', 'bash', 'expat', 'krb5', 'gnutls28'];
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'xi', 'zu', 'pe', 'sa', 'di', 'gra', 'bel', 'fon', 'tir'];

/** A plausible source package name for index s (the same in every release: openssl is openssl everywhere). */
export function sourceName(s: number): string {
  if (s < REAL_NAMES.length) return REAL_NAMES[s] as string;
  let n = s;
  let name = '';
  do {
    name += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length);
  } while (n > 0);
  return `${name}${s % 3 === 0 ? '-utils' : ''}`;
}

/** The ladder of a source package, in the release's own version style (checked ascending by its comparator). */
function ladder(release: Release, r: () => number): string[] {
  const epoch = r() < 0.1 ? `${1 + Math.floor(r() * 2)}:` : '';
  const major = 1 + Math.floor(r() * 9);
  const minor = Math.floor(r() * 30);
  const upstream = `${major}.${minor}.${Math.floor(r() * 20)}${r() < 0.2 ? '+dfsg' : ''}`;
  const rev = 1 + Math.floor(r() * 6);
  const older = `${major - 1}.99`;
  const steps = Array.from({ length: LADDER }, (_, k) => k);
  if (release.key === 'windows') return steps.map((k) => (k === 0 ? `${major - 1}.99` : `${major}.${minor}.${k}.${1000 + minor * 7}`));
  if (release.key === 'rhel') return steps.map((k) => `${epoch}${upstream}-${rev + k}.el9${k >= 3 ? `_${k}` : ''}`);
  if (release.key === 'ubuntu') {
    return steps.map((k) => (k === 0 ? `${epoch}${older}-${rev}` : `${epoch}${upstream}-${rev}ubuntu0.22.04.${k}`));
  }
  // Debian 12: point-release updates (+deb12uN) or backported uploads (~deb12uN, sorting before the plain revision).
  if (r() < 0.6) return steps.map((k) => (k === 0 ? `${epoch}${older}-${rev}` : `${epoch}${upstream}-${rev}${k === 1 ? '' : `+deb12u${k - 1}`}`));
  return steps.map((k) => (k === 0 ? `${epoch}${older}-${rev}` : `${epoch}${upstream}-${rev}~deb12u${k}`));
}

const capital = (word: string) => `${word.slice(0, 1).toUpperCase()}${word.slice(1)}`;

/** The pool of one release for `packages` items a device: 1.25× as many binaries, 80 % on every device, 3 hot sources. */
export function releasePool(release: Release, packages: number, seed: number): ReleasePool {
  const perDevice = Math.max(20, Math.round(packages * release.packages));
  const binaries = perDevice + Math.ceil(perDevice * 0.25);
  const base = Math.floor(perDevice * 0.8);
  const r = seededRandom(seed);
  const sources: SourcePackage[] = [];
  const out: BinaryPackage[] = [];
  const extras = new Map<number, number>();
  const hot = new Set([base + 1, base + 7, base + 13]);
  for (let j = 0; j < binaries; j++) {
    const extra = release.source === 'dpkg' && sources.length > 20 && r() < 0.25;
    if (!extra) {
      const s = sources.length;
      const versions = ladder(release, r);
      for (let k = 1; k < LADDER; k++) {
        if (compareVersions(release.scheme, versions[k - 1] as string, versions[k] as string) >= 0)
          throw new Error(`ladder not ascending: ${versions.join(' ')}`);
      }
      if (release.key === 'windows') {
        const vendor = sourceName(50_000 + s).replace('-utils', '');
        sources.push({ name: sourceName(s), vendor, versions, hot: hot.has(j) });
        const name = `${capital(vendor)} ${capital(sourceName(s))}${j % 2 === 0 ? ' (x64)' : ''}`;
        out.push({ name, vendor: `${capital(vendor)} Software Ltd.`, source: s, versions });
        continue;
      }
      sources.push({ name: sourceName(s), versions, hot: hot.has(j) });
      out.push({ name: sourceName(s), source: s, versions });
      continue;
    }
    // A binary of an earlier source (libfoo3 from foo): sometimes a binNMU (+b1) or its own epoch (bsdutils 1:…).
    const s = Math.floor(r() * sources.length);
    const src = sources[s] as SourcePackage;
    const kind = r();
    const versions = src.versions.map((v) => (kind < 0.15 ? `${v}+b1` : kind < 0.2 && !v.includes(':') ? `1:${v}` : v));
    const n = (extras.get(s) ?? 0) + 1;
    extras.set(s, n);
    out.push({ name: `lib${src.name}${n}`, source: s, versions, sourceName: src.name });
  }
  return { release, sources, binaries: out, base, perDevice };
}

/** One device: its release and the ladder position of each pool binary it has (255: not installed). */
export interface FleetDevice {
  readonly index: number;
  readonly release: number;
  readonly positions: Uint8Array;
  collectedAt: number;
}

export const NOT_INSTALLED = 255;

/** Device `index`: its release by share, every base binary and a seeded subset of the optional ones, mostly current. */
export function fleetDevice(pools: readonly ReleasePool[], index: number, seed: number): FleetDevice {
  const r = seededRandom(seed * 1_000_003 + index);
  const pick = r();
  let release = 0;
  for (let acc = 0; release < RELEASES.length - 1; release++) {
    acc += (RELEASES[release] as Release).share;
    if (pick < acc) break;
  }
  const pool = pools[release] as ReleasePool;
  const positions = new Uint8Array(pool.binaries.length).fill(NOT_INSTALLED);
  const lag = r();
  const [behind, old] = lag < 0.6 ? [0, 0] : lag < 0.9 ? [0.05, 0.01] : [0.15, 0.05];
  const position = () => {
    const x = r();
    return x < old ? 2 : x < old + behind ? 3 : CURRENT;
  };
  for (let j = 0; j < pool.base; j++) positions[j] = position();
  // Floyd's sample of (packages − base) optional binaries.
  const optional = pool.binaries.length - pool.base;
  const want = Math.min(optional, pool.perDevice - pool.base);
  const chosen = new Set<number>();
  for (let t = optional - want; t < optional; t++) {
    const x = Math.floor(r() * (t + 1));
    chosen.add(chosen.has(x) ? t : x);
  }
  for (const x of chosen) positions[pool.base + x] = position();
  return { index, release, positions, collectedAt: Date.UTC(2026, 0, 1) + index * 1000 };
}

/** The device's upload as its agent sends it (items sorted by name, digest over the items). */
export function uploadOf(pools: readonly ReleasePool[], device: FleetDevice, deviceId: string): SoftwareUpload {
  const pool = pools[device.release] as ReleasePool;
  const items: SoftwareItem[] = [];
  device.positions.forEach((k, j) => {
    if (k === NOT_INSTALLED) return;
    const b = pool.binaries[j] as BinaryPackage;
    const version = b.versions[k] as string;
    const { architecture, source, scheme } = pool.release;
    const item: SoftwareItem = { name: b.name, version, ...(b.vendor === undefined ? {} : { vendor: b.vendor }), architecture, source, scheme };
    if (b.sourceName !== undefined) {
      item.sourceName = b.sourceName;
      const srcVersion = (pool.sources[b.source] as SourcePackage).versions[k] as string;
      if (srcVersion !== version) item.sourceVersion = srcVersion;
    }
    items.push(item);
  });
  items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const digest = createHash('sha256').update(JSON.stringify(items)).digest('hex');
  const inventory: SoftwareInventory = {
    collectedAt: new Date(device.collectedAt).toISOString(),
    os: pool.release.os,
    items,
    truncated: false,
    digest,
  };
  return { deviceId, inventory };
}
