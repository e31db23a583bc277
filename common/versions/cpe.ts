// CPE 2.3 names (NVD's CVE JSON 2.0 match criteria, Windows and macOS applications): the formatted string binding of
// NISTIR 7695 §6.2 (quoting with "\", logical values * and -, wildcards * and ? only where §6.2.3 allows them), and
// the match of an NVD `cpeMatch` (criteria + versionStart/End Including/Excluding) against an installed product's CPE.
import { AttacheError } from '../errors.js';
import { compareParsed, type ParsedVersion, parseVersion, type VersionScheme } from './index.js';

/** One attribute: ANY (`*`), NA (`-`), or a value (`value` without its quoting; `pattern` when it holds wildcards). */
export type CpeAttribute =
  | { readonly kind: 'any' }
  | { readonly kind: 'na' }
  | { readonly kind: 'value'; readonly bound: string; readonly value: string; readonly pattern: boolean };

/** The 11 attributes of a CPE 2.3 name, in their order in the formatted string. */
export const CPE_ATTRIBUTES = ['part', 'vendor', 'product', 'version', 'update', 'edition', 'language', 'swEdition', 'targetSw', 'targetHw', 'other'] as const;

export type CpeAttributeName = (typeof CPE_ATTRIBUTES)[number];
export type Cpe23 = { readonly [K in CpeAttributeName]: CpeAttribute };

const PREFIX = 'cpe:2.3:';

function cpeError(fs: string, where: string, reason: string): AttacheError {
  const shown = JSON.stringify(fs.length > 120 ? `${fs.slice(0, 120)}…` : fs);
  return new AttacheError('CPE_INVALID', `CPE name ${shown} is not valid: ${where}: ${reason}`, { details: [{ path: where, message: reason }] });
}

/** Splits at the colons that are not quoted; a backslash quotes the next character. */
function splitComponents(fs: string, body: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < body.length; i++) {
    const c = body.charAt(i);
    if (c === '\\') {
      if (i + 1 >= body.length) throw cpeError(fs, 'the name', 'it ends with a lone "\\"');
      current += c + body.charAt(++i);
    } else if (c === ':') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** One component as add_quoting (NISTIR 7695 §6.2.3) reads it: * and ? unquoted only at either end. */
function parseComponent(fs: string, name: CpeAttributeName, bound: string): CpeAttribute {
  if (bound === '*') return { kind: 'any' };
  if (bound === '-') return { kind: 'na' };
  if (bound === '') throw cpeError(fs, name, 'it is empty (use * for ANY or - for NA)');
  let value = '';
  let pattern = false;
  for (let i = 0; i < bound.length; i++) {
    const c = bound.charAt(i);
    const code = c.charCodeAt(0);
    if (code < 0x21 || code > 0x7e) throw cpeError(fs, name, `character ${JSON.stringify(c)} is not printable ASCII`);
    if (c === '\\') {
      value += bound.charAt(++i);
      continue;
    }
    if (c === '*' && i !== 0 && i !== bound.length - 1) throw cpeError(fs, name, 'an unquoted * may only start or end a value');
    if (c === '?' && !/^\?*[^?]*\?*$/.test(bound.replace(/\\./g, 'x'))) throw cpeError(fs, name, 'an unquoted ? may only be in a run at the start or end');
    if (c === '*' || c === '?') pattern = true;
    value += c;
  }
  if (name === 'part' && !['a', 'o', 'h'].includes(value)) throw cpeError(fs, name, 'part must be a, o, h, * or -');
  return { kind: 'value', bound, value, pattern };
}

/** Parses a CPE 2.3 formatted string (`cpe:2.3:a:vendor:product:version:…`, 11 attributes); CPE_INVALID otherwise. */
export function parseCpe23(fs: string): Cpe23 {
  if (typeof fs !== 'string') throw cpeError(String(fs), 'the name', 'expected a string');
  if (fs.length > 1024) throw cpeError(fs, 'the name', 'it is longer than 1024 characters');
  if (!fs.startsWith(PREFIX)) throw cpeError(fs, 'the name', `it must start with "${PREFIX}"`);
  const parts = splitComponents(fs, fs.slice(PREFIX.length));
  if (parts.length !== CPE_ATTRIBUTES.length) throw cpeError(fs, 'the name', `expected 11 attributes after "${PREFIX}", found ${parts.length}`);
  const out: Partial<Record<CpeAttributeName, CpeAttribute>> = {};
  CPE_ATTRIBUTES.forEach((name, k) => {
    out[name] = parseComponent(fs, name, parts[k] as string);
  });
  return out as Cpe23;
}

/** NVD CVE JSON 2.0 `configurations[].nodes[].cpeMatch[]`: the fields that decide a match. */
export interface NvdCpeMatch {
  readonly vulnerable: boolean;
  readonly criteria: string;
  readonly versionStartIncluding?: string;
  readonly versionStartExcluding?: string;
  readonly versionEndIncluding?: string;
  readonly versionEndExcluding?: string;
}

/** A match, a definite non-match, or why the answer is unknown (never a guess). */
export type CpeMatchResult = { readonly status: 'match' | 'noMatch' } | { readonly status: 'notEvaluable'; readonly reason: string };

/** Criteria value vs installed value, case-insensitively; `*` any run, `?` one character (at the ends, §6.2.3). */
function valueMatches(criteria: Extract<CpeAttribute, { kind: 'value' }>, target: string): boolean {
  if (!criteria.pattern) return criteria.value.toLowerCase() === target.toLowerCase();
  let source = '';
  for (let i = 0; i < criteria.bound.length; i++) {
    const c = criteria.bound.charAt(i);
    if (c === '\\') source += escapeRegExp(criteria.bound.charAt(++i));
    else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 'is').test(target);
}

const escapeRegExp = (c: string): string => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** One attribute of the criteria against the installed product's (which must be a concrete value to be compared). */
function attributeMatch(name: CpeAttributeName, criteria: CpeAttribute, target: CpeAttribute): CpeMatchResult {
  if (criteria.kind === 'any') return { status: 'match' };
  if (target.kind === 'any') return { status: 'notEvaluable', reason: `the criteria names a ${name} and the installed product's is unknown` };
  if (target.kind === 'value' && target.pattern) return { status: 'notEvaluable', reason: `the installed product's ${name} holds a wildcard` };
  if (criteria.kind === 'na' || target.kind === 'na') return { status: criteria.kind === target.kind ? 'match' : 'noMatch' };
  return { status: valueMatches(criteria, target.value) ? 'match' : 'noMatch' };
}

const RANGE_FIELDS = ['versionStartIncluding', 'versionStartExcluding', 'versionEndIncluding', 'versionEndExcluding'] as const;

/** A cpeMatch's bounds, parsed once under each scheme they may be compared in (undefined where one does not parse). */
interface PreparedBounds {
  readonly fields: readonly (typeof RANGE_FIELDS)[number][];
  readonly texts: readonly string[];
  readonly as: Readonly<Record<'dotted' | 'semver', readonly ParsedVersion[] | undefined>>;
}

function tryParseAll(scheme: VersionScheme, texts: readonly string[]): ParsedVersion[] | undefined {
  try {
    return texts.map((t) => parseVersion(scheme, t));
  } catch (err) {
    if (err instanceof AttacheError) return undefined;
    throw err;
  }
}

function prepareBounds(match: NvdCpeMatch): PreparedBounds | undefined {
  const fields = RANGE_FIELDS.filter((f) => typeof match[f] === 'string');
  if (fields.length === 0) return undefined;
  const texts = fields.map((f) => match[f] as string);
  return { fields, texts, as: { dotted: tryParseAll('dotted', texts), semver: tryParseAll('semver', texts) } };
}

/** The version bounds against the installed version: dotted when it and every bound are dotted, else SemVer. */
function rangeMatch(bounds: PreparedBounds, version: CpeAttribute): CpeMatchResult {
  if (version.kind !== 'value' || version.pattern) return { status: 'notEvaluable', reason: "the installed product's version is not a concrete value" };
  for (const scheme of ['dotted', 'semver'] as const) {
    const parsed = bounds.as[scheme];
    const installed = parsed && tryParseAll(scheme, [version.value])?.[0];
    if (!parsed || !installed) continue;
    const inside = bounds.fields.every((field, k) => {
      const cmp = compareParsed(installed, parsed[k] as ParsedVersion);
      if (field === 'versionStartIncluding') return cmp >= 0;
      if (field === 'versionStartExcluding') return cmp > 0;
      if (field === 'versionEndIncluding') return cmp <= 0;
      return cmp < 0;
    });
    return { status: inside ? 'match' : 'noMatch' };
  }
  return {
    status: 'notEvaluable',
    reason: `version ${JSON.stringify(version.value)} and the bounds ${JSON.stringify(bounds.texts)} are not all dotted or all SemVer versions`,
  };
}

/**
 * Prepares one NVD cpeMatch once (criteria parsed, CPE_INVALID when it is not a CPE 2.3 name; bounds parsed) and
 * returns the function that decides it for an installed product's CPE (its version concrete). Every attribute of the
 * criteria must match (ANY matches all, NA only NA, values case-insensitively with * and ?); with version bounds, the
 * version is compared as dotted numbers, or as SemVer when dotted does not parse all of them. A definite mismatch
 * anywhere wins over an unknown elsewhere. `vulnerable: false` criteria describe a platform: they match the same way.
 */
export function compileCpeMatch(match: NvdCpeMatch): (installed: Cpe23) => CpeMatchResult {
  const criteria = parseCpe23(match.criteria);
  const bounds = prepareBounds(match);
  return (installed) => {
    let unknown: CpeMatchResult | undefined;
    for (const name of CPE_ATTRIBUTES) {
      const results = [attributeMatch(name, criteria[name], installed[name])];
      if (name === 'version' && bounds) results.push(rangeMatch(bounds, installed.version));
      for (const result of results) {
        if (result.status === 'noMatch') return result;
        if (result.status === 'notEvaluable') unknown ??= result;
      }
    }
    return unknown ?? { status: 'match' };
  };
}

/** Decides one NVD cpeMatch for one installed product (`compileCpeMatch` once, then called). */
export function matchCpe(match: NvdCpeMatch, installed: Cpe23): CpeMatchResult {
  return compileCpeMatch(match)(installed);
}
