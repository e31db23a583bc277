// Which advisories can speak about an installed item: its ecosystem context (from the device's platform and OS
// release), the name and version advisories use, and its lookup keys (OSV ecosystem + package, CPE product names).
// Pure (docs/vulnerabilities.md "Matching").
import type { Platform, SoftwareItem, SoftwareSource } from '../../../../../policy-schemas/src/index.js';
import type { PackageIdentity } from '../../../store/vulnerability-store.js';

/** The OS an inventory names (os-release NAME and VERSION_ID, or the Windows/macOS product and version). */
export interface InventoryOs {
  readonly name: string;
  readonly version: string;
}

/** Ecosystem contexts that are stored but never matched start with this (docs: "Matching"). */
export const UNSUPPORTED_PREFIX = 'unsupported:';

const major = (version: string): string => version.split('.', 1)[0] ?? version;

/** The Linux distributions whose OSV ecosystems we match, by os-release NAME, for the package tool that reads them. */
function linuxEcosystem(os: InventoryOs, source: SoftwareSource): string | undefined {
  const name = os.name.trim().toLowerCase();
  const version = os.version.trim();
  if (version === '') return undefined;
  if (source === 'dpkg') {
    if (name.startsWith('debian')) return `Debian:${major(version)}`;
    if (name === 'ubuntu') return `Ubuntu:${version}`;
    return undefined;
  }
  if (source !== 'rpm') return undefined;
  if (name.startsWith('red hat enterprise linux')) return `Red Hat:enterprise_linux:${major(version)}`;
  if (name === 'almalinux') return `AlmaLinux:${major(version)}`;
  if (name === 'rocky linux') return `Rocky Linux:${major(version)}`;
  if (name === 'opensuse leap') return `openSUSE:Leap ${version}`;
  if (name === 'sles' || name.startsWith('suse linux enterprise server')) return `SUSE:Linux Enterprise Server ${version.replace('-SP', ' SP')}`;
  return undefined;
}

/**
 * The ecosystem context of an item: `Debian:12`, `Ubuntu:22.04`, `Red Hat:enterprise_linux:9`, `windows`, `macos`,
 * `windows-os` / `macos-os` for the OS itself (stored, not matched), else `unsupported:<os name> <version>`.
 */
export function ecosystemOf(platform: Platform, os: InventoryOs, source: SoftwareSource): string {
  if (source === 'windowsRegistry' && platform === 'windows') return 'windows';
  if ((source === 'macApplication' || source === 'pkgutil') && platform === 'macos') return 'macos';
  if (source === 'os' && platform !== 'linux') return `${platform}-os`;
  const linux = platform === 'linux' ? linuxEcosystem(os, source) : undefined;
  return linux ?? `${UNSUPPORTED_PREFIX}${os.name} ${os.version}`.slice(0, 200);
}

/** The OSV lookup key of a package name in an ecosystem (`osv:Debian:openssl`): the ecosystem's base, before any ':'. */
export function osvKey(ecosystem: string, name: string): string {
  return `osv:${ecosystem.split(':', 1)[0]}:${name}`;
}

/** The CPE lookup key of a product (`cpe:7-zip`). */
export function cpeKey(product: string): string {
  return `cpe:${product.toLowerCase()}`;
}

const VERSION_TOKEN = /^v?\d[\w.+-]*$/i;
const BRACKETED_TAIL = /\s*[([][^()[\]]*[)\]]\s*$/;

/** Lower-case words of a display name without bracketed tails (`(x64 en-US)`) and a trailing version (`23.01`, `- 14.38`). */
function nameWords(displayName: string): string[] {
  let text = displayName.toLowerCase().trim();
  for (let before = ''; before !== text; ) {
    before = text;
    text = text.replace(BRACKETED_TAIL, '');
    const words = text.split(/\s+/).filter((w) => w !== '');
    while (words.length > 1 && (VERSION_TOKEN.test(words.at(-1) as string) || words.at(-1) === '-')) words.pop();
    text = words.join(' ');
  }
  return text.split(' ').filter((w) => w !== '');
}

/**
 * CPE product names a Windows or macOS application may go by: `Mozilla Firefox (x64 en-US)` → `mozilla_firefox`,
 * `firefox`; `7-Zip 23.01 (x64)` → `7-zip`; `VLC media player` → `vlc_media_player`, `media_player`. The vendor must
 * still agree before a CPE matches (matcher.ts), so the shorter name does not match another vendor's product.
 */
export function cpeProductCandidates(displayName: string): string[] {
  const words = nameWords(displayName);
  if (words.length === 0) return [];
  const out = [words.join('_')];
  if (words.length > 1) out.push(words.slice(1).join('_'));
  return out;
}

/** Vendor names a CPE's vendor may equal for this item: the publisher's first word or whole, or the name's first word. */
export function vendorCandidates(vendor: string | null, name: string): Set<string> {
  const out = new Set<string>();
  const clean = (s: string) => s.toLowerCase().replace(/[,.]+$/g, '');
  if (vendor !== null && vendor.trim() !== '') {
    const words = vendor.trim().split(/\s+/).map(clean);
    out.add(words[0] as string);
    out.add(words.join('_'));
  }
  const first = nameWords(name)[0];
  if (first !== undefined) out.add(clean(first));
  return out;
}

/** True when packages of this ecosystem context are matched against CPE criteria (Windows and macOS applications). */
export function isApplicationEcosystem(ecosystem: string): boolean {
  return ecosystem === 'windows' || ecosystem === 'macos';
}

/** One inventory item as a package identity: ecosystem context, the name and version advisories use, lookup keys. */
export function packageIdentity(platform: Platform, os: InventoryOs, item: SoftwareItem): PackageIdentity {
  const ecosystem = ecosystemOf(platform, os, item.source);
  const dpkg = item.source === 'dpkg';
  const matchedName = dpkg ? (item.sourceName ?? item.name) : item.name;
  const matchedVersion = dpkg ? (item.sourceVersion ?? item.version) : item.version;
  let keys: string[] = [];
  if (isApplicationEcosystem(ecosystem)) keys = cpeProductCandidates(item.name).map(cpeKey);
  else if (!ecosystem.startsWith(UNSUPPORTED_PREFIX) && !ecosystem.endsWith('-os')) keys = [osvKey(ecosystem, matchedName)];
  return {
    ecosystem,
    source: item.source,
    scheme: item.scheme,
    name: item.name,
    version: item.version,
    vendor: item.vendor ?? null,
    architecture: item.architecture ?? null,
    installPath: item.installPath ?? null,
    matchedName,
    matchedVersion,
    keys,
  };
}
