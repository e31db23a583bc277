// The one refusal of every version scheme: VERSION_UNPARSABLE naming the scheme, the version and what is wrong, so an
// unparsable version is counted and shown, never compared by guess.
import { AttacheError } from '../errors.js';

/** The version schemes we compare (docs/vulnerabilities.md, "Version comparison"). */
export type VersionScheme = 'dpkg' | 'rpm' | 'apk' | 'semver' | 'dotted';

/** Longer versions are refused before parsing: no real package version comes near it, hostile input may. */
export const MAX_VERSION_LENGTH = 256;

/** The error for `version` under `scheme`; the version is quoted as JSON (control characters stay visible). */
export function unparsable(scheme: VersionScheme, version: string, reason: string): AttacheError {
  const shown = JSON.stringify(version.length > 80 ? `${version.slice(0, 80)}…` : version);
  return new AttacheError('VERSION_UNPARSABLE', `${scheme} version ${shown} is not valid: ${reason}`, {
    details: [{ path: scheme, message: reason }],
  });
}

/** Refuses a non-string, an empty or an over-long version (the checks every scheme starts with). */
export function checkVersionText(scheme: VersionScheme, version: unknown): string {
  if (typeof version !== 'string') throw unparsable(scheme, String(version), `expected a string, got ${typeof version}`);
  if (version === '') throw unparsable(scheme, version, 'it is empty');
  if (version.length > MAX_VERSION_LENGTH) throw unparsable(scheme, version, `it is longer than ${MAX_VERSION_LENGTH} characters`);
  return version;
}

/** Compares two strings of decimal digits by value without converting them (any length, leading zeros ignored). */
export function compareDigits(a: string, b: string): -1 | 0 | 1 {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}
