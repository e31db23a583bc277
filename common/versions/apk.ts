// Alpine package versions (apk, OSV `Alpine`): parsing and order as apk-tools' version.c does it,
// `digits{.digits}…{letter}{_suffix{digits}}…{~hash}{-rN}`, compared token by token.
import { checkVersionText, compareDigits, unparsable } from './unparsable.js';

type TokenType = 'initial' | 'digit' | 'letter' | 'suffix' | 'suffixNo' | 'hash' | 'revision' | 'end';

/** Token kinds in apk's order: a version that stops earlier (a lower kind follows) sorts higher, except pre-releases. */
const RANK: Readonly<Record<TokenType, number>> = { initial: 0, digit: 1, letter: 2, suffix: 3, suffixNo: 4, hash: 5, revision: 6, end: 7 };

/** Suffixes in apk's order; the first four (pre-releases) sort before the version without a suffix. */
const SUFFIXES = ['alpha', 'beta', 'pre', 'rc', '', 'cvs', 'svn', 'git', 'hg', 'p'] as const;
const NO_SUFFIX = SUFFIXES.indexOf('');

interface Token {
  readonly type: TokenType;
  /** The token's text: digits, the letter, the suffix name or the hash. */
  readonly text: string;
}

/** A parsed Alpine version: its tokens, ending with `end`. */
export interface ApkVersion {
  readonly tokens: readonly Token[];
}

/** apk_blob_pull_uint reads numbers into 64 bits; longer digit runs would wrap there, so they are refused. */
const MAX_DIGITS = 18;

/**
 * Parses an Alpine version as apk_version_validate accepts it; anything else is VERSION_UNPARSABLE (apk itself falls
 * back to a plain string sort for invalid versions, which would be a guess here).
 */
export function parseApkVersion(text: string): ApkVersion {
  const version = checkVersionText('apk', text);
  const tokens: Token[] = [];
  let i = 0;
  const refuse = (reason: string) => unparsable('apk', version, `${reason} at position ${i + 1}`);
  const digits = (): string => {
    const start = i;
    while (i < version.length && version.charAt(i) >= '0' && version.charAt(i) <= '9') i++;
    if (i === start) throw refuse('expected a number');
    if (i - start > MAX_DIGITS) throw refuse(`a number longer than ${MAX_DIGITS} digits`);
    return version.slice(start, i);
  };
  const span = (re: RegExp): string => {
    const start = i;
    while (i < version.length && re.test(version.charAt(i))) i++;
    return version.slice(start, i);
  };
  tokens.push({ type: 'initial', text: digits() });
  while (i < version.length) {
    const prev = RANK[(tokens[tokens.length - 1] as Token).type];
    const c = version.charAt(i);
    if (c >= 'a' && c <= 'z') {
      if (prev > RANK.digit) throw refuse('a letter may only follow a number');
      tokens.push({ type: 'letter', text: c });
      i++;
    } else if (c === '.') {
      if (prev > RANK.digit) throw refuse('"." may only follow a number');
      i++;
      tokens.push({ type: 'digit', text: digits() });
    } else if (c >= '0' && c <= '9') {
      if (prev !== RANK.suffix) throw refuse('a number here must follow "." or a suffix');
      tokens.push({ type: 'suffixNo', text: digits() });
    } else if (c === '_') {
      if (prev > RANK.suffixNo) throw refuse('a suffix may not follow a hash or revision');
      i++;
      const name = span(/[a-z]/);
      if (name === '' || !(SUFFIXES as readonly string[]).includes(name)) throw refuse(`unknown suffix "_${name}"`);
      tokens.push({ type: 'suffix', text: name });
    } else if (c === '~') {
      if (prev >= RANK.hash) throw refuse('"~" may appear once, before the revision');
      i++;
      const hash = span(/[0-9a-f]/);
      if (hash === '') throw refuse('"~" must be followed by a lowercase hexadecimal commit hash');
      tokens.push({ type: 'hash', text: hash });
    } else if (c === '-') {
      if (prev >= RANK.revision || version.charAt(i + 1) !== 'r') throw refuse('"-" may only start the revision "-rN"');
      i += 2;
      tokens.push({ type: 'revision', text: digits() });
    } else throw refuse(`unexpected character ${JSON.stringify(c)}`);
  }
  tokens.push({ type: 'end', text: '' });
  return { tokens };
}

const byBytes = (a: string, b: string): -1 | 0 | 1 => (a < b ? -1 : a > b ? 1 : 0);

/** token_cmp: numbers by value (digits after "." as text when either has a leading zero), letters, suffix order, hashes as text. */
function compareToken(a: Token, b: Token): -1 | 0 | 1 {
  switch (a.type) {
    case 'digit':
      if (a.text.startsWith('0') || b.text.startsWith('0')) return byBytes(a.text, b.text);
      return compareDigits(a.text, b.text);
    case 'initial':
    case 'suffixNo':
    case 'revision':
      return compareDigits(a.text, b.text);
    case 'suffix':
      return Math.sign(SUFFIXES.indexOf(a.text as never) - SUFFIXES.indexOf(b.text as never)) as -1 | 0 | 1;
    default:
      return byBytes(a.text, b.text);
  }
}

/** Orders two Alpine versions as apk_version_compare. */
export function compareApkVersions(a: ApkVersion, b: ApkVersion): -1 | 0 | 1 {
  let k = 0;
  for (; ; k++) {
    const ta = a.tokens[k] as Token;
    const tb = b.tokens[k] as Token;
    if (ta.type !== tb.type || ta.type === 'end') break;
    const rc = compareToken(ta, tb);
    if (rc !== 0) return rc;
  }
  const ta = a.tokens[k] as Token;
  const tb = b.tokens[k] as Token;
  if (ta.type === tb.type) return 0;
  // Where they differ, a pre-release suffix sorts first; otherwise the version whose next token ranks lower is newer.
  if (ta.type === 'suffix' && SUFFIXES.indexOf(ta.text as never) < NO_SUFFIX) return -1;
  if (tb.type === 'suffix' && SUFFIXES.indexOf(tb.text as never) < NO_SUFFIX) return 1;
  return RANK[ta.type] > RANK[tb.type] ? -1 : 1;
}
