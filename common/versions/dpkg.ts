// Debian package versions (dpkg-query's Version field, Debian/Ubuntu OSV ranges): parsing as dpkg's parseversion and
// ordering as its verrevcmp (Debian Policy §5.6.12): epoch numerically, then upstream version, then revision.
import { checkVersionText, compareDigits, unparsable } from './unparsable.js';

/** A Debian version split as dpkg splits it. `revision` is '' when there is none (dpkg compares it as empty). */
export interface DpkgVersion {
  readonly epoch: string;
  readonly upstream: string;
  readonly revision: string;
}

const UPSTREAM = /^[A-Za-z0-9.+~:-]+$/;
const REVISION = /^[A-Za-z0-9.+~]+$/;

/**
 * Parses `[epoch:]upstream[-revision]`. Refused (VERSION_UNPARSABLE): what dpkg refuses (empty parts, embedded spaces,
 * a non-numeric epoch) and characters Debian Policy does not allow (dpkg only warns about those, and their order would
 * be a guess). An upstream version not starting with a digit is accepted: dpkg warns but installs and orders it.
 */
export function parseDpkgVersion(text: string): DpkgVersion {
  const version = checkVersionText('dpkg', text);
  if (/\s/.test(version)) throw unparsable('dpkg', version, 'it contains white space');
  const colon = version.indexOf(':');
  let epoch = '0';
  let rest = version;
  if (colon >= 0) {
    epoch = version.slice(0, colon);
    if (epoch === '') throw unparsable('dpkg', version, 'the epoch before ":" is empty');
    if (!/^[0-9]+$/.test(epoch)) throw unparsable('dpkg', version, 'the epoch is not a number');
    if (compareDigits(epoch, '2147483647') > 0) throw unparsable('dpkg', version, 'the epoch is too big');
    rest = version.slice(colon + 1);
    if (rest === '') throw unparsable('dpkg', version, 'nothing follows the epoch');
  }
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (hyphen >= 0 && revision === '') throw unparsable('dpkg', version, 'the revision after the last "-" is empty');
  if (upstream === '') throw unparsable('dpkg', version, 'the upstream version is empty');
  if (!UPSTREAM.test(upstream)) throw unparsable('dpkg', version, 'the upstream version may hold only letters, digits and . + ~ - :');
  if (revision !== '' && !REVISION.test(revision)) throw unparsable('dpkg', version, 'the revision may hold only letters, digits and . + ~');
  return { epoch: epoch.replace(/^0+(?=.)/, ''), upstream, revision };
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** dpkg's order of one non-digit character: `~` before the end, the end before letters, letters before the rest. */
function order(c: number): number {
  if (Number.isNaN(c) || isDigit(c)) return 0;
  if (isLetter(c)) return c;
  if (c === 126) return -1; // ~
  return c + 256;
}

/** dpkg's verrevcmp on one part (upstream or revision): alternating non-digit and digit runs. */
export function compareDpkgPart(a: string, b: string): -1 | 0 | 1 {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Non-digit run, character by character in dpkg's order (charCodeAt past the end is NaN: the end, order 0).
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(a.charCodeAt(i));
      const bc = order(b.charCodeAt(j));
      if (ac !== bc) return ac < bc ? -1 : 1;
      i++;
      j++;
    }
    // Digit run, by numeric value (an empty run is 0).
    let ei = i;
    while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
    let ej = j;
    while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
    const diff = compareDigits(a.slice(i, ei) || '0', b.slice(j, ej) || '0');
    if (diff !== 0) return diff;
    i = ei;
    j = ej;
  }
  return 0;
}

/** Orders two parsed Debian versions as `dpkg --compare-versions`. */
export function compareDpkgVersions(a: DpkgVersion, b: DpkgVersion): -1 | 0 | 1 {
  return compareDigits(a.epoch, b.epoch) || compareDpkgPart(a.upstream, b.upstream) || compareDpkgPart(a.revision, b.revision);
}
