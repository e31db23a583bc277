// Semantic versions (SemVer 2.0.0: npm, crates.io, Go and OSV SEMVER ranges) and `dotted` versions (Windows and macOS
// application and OS versions such as 10.0.19045.3803): parsing and precedence.
import { checkVersionText, compareDigits, unparsable } from './unparsable.js';

/** A parsed semantic version; build metadata is kept for display but never takes part in precedence. */
export interface SemVer {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  readonly prerelease: readonly string[];
  readonly build: readonly string[];
}

// The grammar of semver.org §2, §9 and §10 (numeric identifiers without leading zeros).
const NUM = '0|[1-9][0-9]*';
const PRE_ID = `(?:${NUM}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const SEMVER = new RegExp(`^(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$`);

/** Parses a SemVer 2.0.0 version exactly (no `v` prefix, no missing minor or patch); VERSION_UNPARSABLE otherwise. */
export function parseSemVer(text: string): SemVer {
  const version = checkVersionText('semver', text);
  const m = SEMVER.exec(version);
  if (!m) throw unparsable('semver', version, semverProblem(version));
  return {
    major: m[1] as string,
    minor: m[2] as string,
    patch: m[3] as string,
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
    build: m[5] === undefined ? [] : m[5].split('.'),
  };
}

/** The first thing wrong with a version that does not match the grammar, for the error message. */
function semverProblem(version: string): string {
  if (/^v/i.test(version)) return 'a semantic version has no "v" prefix';
  const core = version.split(/[-+]/, 1)[0] as string;
  const parts = core.split('.');
  if (parts.length !== 3) return 'expected MAJOR.MINOR.PATCH';
  if (parts.some((p) => !/^[0-9]+$/.test(p))) return 'MAJOR, MINOR and PATCH must be numbers';
  if (parts.some((p) => /^0[0-9]/.test(p))) return 'a numeric part has a leading zero';
  return 'the pre-release or build part holds an empty identifier, a leading zero or a character other than [0-9A-Za-z-]';
}

const isNumeric = (id: string): boolean => /^[0-9]+$/.test(id);

/** Precedence of two pre-release identifiers (§11.4): numeric by value, below alphanumeric, which compare in ASCII. */
function compareIdentifier(a: string, b: string): -1 | 0 | 1 {
  const an = isNumeric(a);
  const bn = isNumeric(b);
  if (an && bn) return compareDigits(a, b);
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SemVer 2.0.0 precedence (§11): core numbers, then a pre-release below its release; build metadata ignored. */
export function compareSemVer(a: SemVer, b: SemVer): -1 | 0 | 1 {
  const core = compareDigits(a.major, b.major) || compareDigits(a.minor, b.minor) || compareDigits(a.patch, b.patch);
  if (core !== 0) return core;
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return a.prerelease.length === b.prerelease.length ? 0 : a.prerelease.length === 0 ? 1 : -1;
  }
  const n = Math.min(a.prerelease.length, b.prerelease.length);
  for (let k = 0; k < n; k++) {
    const rc = compareIdentifier(a.prerelease[k] as string, b.prerelease[k] as string);
    if (rc !== 0) return rc;
  }
  return a.prerelease.length === b.prerelease.length ? 0 : a.prerelease.length < b.prerelease.length ? -1 : 1;
}

/** A dotted version: one or more decimal numbers separated by dots (at most 8, as no Windows or macOS version has more). */
export interface DottedVersion {
  readonly segments: readonly string[];
}

/**
 * Parses a dotted version such as `10.0.19045.3803` or `14.2`. Anything but digits and single dots (`1.2.3 beta`,
 * `2023.1 (build 5)`, `1.1.1w`) is VERSION_UNPARSABLE: we do not guess what a suffix means.
 */
export function parseDotted(text: string): DottedVersion {
  const version = checkVersionText('dotted', text);
  if (!/^[0-9]+(?:\.[0-9]+)*$/.test(version)) throw unparsable('dotted', version, 'expected numbers separated by single dots, such as 10.0.19045.3803');
  const segments = version.split('.');
  if (segments.length > 8) throw unparsable('dotted', version, 'more than 8 numbers');
  return { segments };
}

/** Compares segment by segment by numeric value; a missing segment counts as 0 (10.0 equals 10.0.0). */
export function compareDotted(a: DottedVersion, b: DottedVersion): -1 | 0 | 1 {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let k = 0; k < n; k++) {
    const rc = compareDigits(a.segments[k] ?? '0', b.segments[k] ?? '0');
    if (rc !== 0) return rc;
  }
  return 0;
}
