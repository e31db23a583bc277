// One entry to every version scheme: parse a version or compare two under a named scheme. The endpoint's matching,
// the simulator and the tests call these; each scheme's rules live in its own file.
import { type ApkVersion, compareApkVersions, parseApkVersion } from './apk.js';
import { compareDpkgVersions, type DpkgVersion, parseDpkgVersion } from './dpkg.js';
import { compareRpmVersions, parseRpmVersion, type RpmVersion } from './rpm.js';
import { compareDotted, compareSemVer, type DottedVersion, parseDotted, parseSemVer, type SemVer } from './semver.js';
import { unparsable, type VersionScheme } from './unparsable.js';

export { MAX_VERSION_LENGTH, type VersionScheme } from './unparsable.js';

/** Every scheme, for validation of a scheme named in input. */
export const VERSION_SCHEMES: readonly VersionScheme[] = ['dpkg', 'rpm', 'apk', 'semver', 'dotted'];

/** A version parsed under its scheme. */
export type ParsedVersion =
  | { readonly scheme: 'dpkg'; readonly text: string; readonly value: DpkgVersion }
  | { readonly scheme: 'rpm'; readonly text: string; readonly value: RpmVersion }
  | { readonly scheme: 'apk'; readonly text: string; readonly value: ApkVersion }
  | { readonly scheme: 'semver'; readonly text: string; readonly value: SemVer }
  | { readonly scheme: 'dotted'; readonly text: string; readonly value: DottedVersion };

/** Parses `text` under `scheme`; throws VERSION_UNPARSABLE (scheme, version and reason named) when it is not valid. */
export function parseVersion(scheme: VersionScheme, text: string): ParsedVersion {
  switch (scheme) {
    case 'dpkg':
      return { scheme, text, value: parseDpkgVersion(text) };
    case 'rpm':
      return { scheme, text, value: parseRpmVersion(text) };
    case 'apk':
      return { scheme, text, value: parseApkVersion(text) };
    case 'semver':
      return { scheme, text, value: parseSemVer(text) };
    case 'dotted':
      return { scheme, text, value: parseDotted(text) };
    default:
      throw unparsable(scheme, text, `unknown version scheme ${JSON.stringify(String(scheme))}`);
  }
}

/** Orders two versions parsed under the same scheme: -1 when a is older, 0 when equal in precedence, 1 when newer. */
export function compareParsed(a: ParsedVersion, b: ParsedVersion): -1 | 0 | 1 {
  if (a.scheme === 'dpkg' && b.scheme === 'dpkg') return compareDpkgVersions(a.value, b.value);
  if (a.scheme === 'rpm' && b.scheme === 'rpm') return compareRpmVersions(a.value, b.value);
  if (a.scheme === 'apk' && b.scheme === 'apk') return compareApkVersions(a.value, b.value);
  if (a.scheme === 'semver' && b.scheme === 'semver') return compareSemVer(a.value, b.value);
  if (a.scheme === 'dotted' && b.scheme === 'dotted') return compareDotted(a.value, b.value);
  throw unparsable(b.scheme, b.text, `cannot be compared with the ${a.scheme} version ${JSON.stringify(a.text)}`);
}

/** Parses both and orders them under `scheme` (VERSION_UNPARSABLE when either is not valid). */
export function compareVersions(scheme: VersionScheme, a: string, b: string): -1 | 0 | 1 {
  return compareParsed(parseVersion(scheme, a), parseVersion(scheme, b));
}
