// RPM package versions (rpm -q's EPOCH:VERSION-RELEASE, Red Hat-family and SUSE OSV ranges): rpmvercmp of rpm ≥ 4.15
// (`~` sorts before anything, `^` after the base version) and rpmverCmp's EVR order: epoch, version, then release.
import { checkVersionText, compareDigits, unparsable } from './unparsable.js';

/** An EVR split as rpm's parseEVR splits it. A missing epoch compares as 0; a missing release sorts first. */
export interface RpmVersion {
  readonly epoch: string | undefined;
  readonly version: string;
  readonly release: string | undefined;
}

/** The characters rpmbuild allows in Version and Release (its `rlegalchars` without the macro characters `%{}`). */
const LEGAL = /^[A-Za-z0-9._+~^]+$/;

/**
 * Parses `[epoch:]version[-release]`, the release after the last `-` as rpm does. Refused (VERSION_UNPARSABLE): an
 * empty part, a non-numeric epoch, and characters rpmbuild refuses in a version or release (a `-` inside the version
 * included), whose order would be a guess.
 */
export function parseRpmVersion(text: string): RpmVersion {
  const evr = checkVersionText('rpm', text);
  const colon = evr.indexOf(':');
  let epoch: string | undefined;
  let rest = evr;
  if (colon >= 0) {
    epoch = evr.slice(0, colon);
    if (!/^[0-9]+$/.test(epoch)) throw unparsable('rpm', evr, 'the epoch before ":" is not a number');
    rest = evr.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  const version = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const release = hyphen >= 0 ? rest.slice(hyphen + 1) : undefined;
  if (version === '') throw unparsable('rpm', evr, 'the version is empty');
  if (release === '') throw unparsable('rpm', evr, 'the release after the last "-" is empty');
  if (!LEGAL.test(version)) throw unparsable('rpm', evr, 'the version may hold only letters, digits and . _ + ~ ^');
  if (release !== undefined && !LEGAL.test(release)) throw unparsable('rpm', evr, 'the release may hold only letters, digits and . _ + ~ ^');
  return { epoch, version, release };
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isSeparator = (c: string): boolean => !isDigit(c) && !isAlpha(c) && c !== '~' && c !== '^';

/** rpmvercmp: segments of digits or of letters, anything else separates them (rpmio/rpmvercmp.c). */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && isSeparator(a.charAt(i))) i++;
    while (j < b.length && isSeparator(b.charAt(j))) j++;
    const x = a.charAt(i);
    const y = b.charAt(j);
    if (x === '' && y === '') return 0;
    // `~` sorts before everything, the end included.
    if (x === '~' || y === '~') {
      if (x !== '~') return 1;
      if (y !== '~') return -1;
      i++;
      j++;
      continue;
    }
    // `^` sorts after the end of the other string (the base version) but before anything else.
    if (x === '^' || y === '^') {
      if (x === '') return -1;
      if (y === '') return 1;
      if (x !== '^') return 1;
      if (y !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (x === '' || y === '') return x === '' ? -1 : 1;
    const numeric = isDigit(x);
    const inSegment = numeric ? isDigit : isAlpha;
    let ei = i;
    while (ei < a.length && inSegment(a.charAt(ei))) ei++;
    let ej = j;
    while (ej < b.length && inSegment(b.charAt(ej))) ej++;
    // A numeric segment is newer than an alphabetic one (the other side's segment of this type is empty).
    if (ej === j) return numeric ? 1 : -1;
    const one = a.slice(i, ei);
    const two = b.slice(j, ej);
    const rc = numeric ? compareDigits(one, two) : one < two ? -1 : one > two ? 1 : 0;
    if (rc !== 0) return rc;
    i = ei;
    j = ej;
  }
}

/** Orders two EVRs as rpm's rpmverCmp (and `rpm.vercmp`): epoch (missing is 0), version, then release (missing first). */
export function compareRpmVersions(a: RpmVersion, b: RpmVersion): -1 | 0 | 1 {
  const epochs = rpmvercmp(a.epoch ?? '0', b.epoch ?? '0');
  if (epochs !== 0) return epochs;
  const versions = rpmvercmp(a.version, b.version);
  if (versions !== 0) return versions;
  if (a.release === undefined || b.release === undefined) {
    return a.release === b.release ? 0 : a.release === undefined ? -1 : 1;
  }
  return rpmvercmp(a.release, b.release);
}
