// RPM version parsing and order, on rpm's own test cases (tests/rpmvercmp.at, tilde and caret included) and EVRs.
import { describe, expect, it } from 'vitest';
import { AttacheError } from '../errors.js';
import { compareRpmVersions, parseRpmVersion, rpmvercmp } from './rpm.js';

const evr = (a: string, b: string) => compareRpmVersions(parseRpmVersion(a), parseRpmVersion(b));

// rpm's tests/rpmvercmp.at: [a, b, rpmvercmp(a, b)].
const RPM_CASES: readonly (readonly [string, string, number])[] = [
  ['1.0', '1.0', 0],
  ['1.0', '2.0', -1],
  ['2.0', '1.0', 1],
  ['2.0.1', '2.0.1', 0],
  ['2.0', '2.0.1', -1],
  ['2.0.1', '2.0', 1],
  ['2.0.1a', '2.0.1a', 0],
  ['2.0.1a', '2.0.1', 1],
  ['2.0.1', '2.0.1a', -1],
  ['5.5p1', '5.5p1', 0],
  ['5.5p1', '5.5p2', -1],
  ['5.5p2', '5.5p1', 1],
  ['5.5p10', '5.5p10', 0],
  ['5.5p1', '5.5p10', -1],
  ['5.5p10', '5.5p1', 1],
  ['10xyz', '10.1xyz', -1],
  ['10.1xyz', '10xyz', 1],
  ['xyz10', 'xyz10', 0],
  ['xyz10', 'xyz10.1', -1],
  ['xyz10.1', 'xyz10', 1],
  ['xyz.4', 'xyz.4', 0],
  ['xyz.4', '8', -1],
  ['8', 'xyz.4', 1],
  ['xyz.4', '2', -1],
  ['2', 'xyz.4', 1],
  ['5.5p2', '5.6p1', -1],
  ['5.6p1', '5.5p2', 1],
  ['5.6p1', '6.5p1', -1],
  ['6.5p1', '5.6p1', 1],
  ['6.0.rc1', '6.0', 1],
  ['6.0', '6.0.rc1', -1],
  ['10b2', '10a1', 1],
  ['10a2', '10b2', -1],
  ['1.0aa', '1.0aa', 0],
  ['1.0a', '1.0aa', -1],
  ['1.0aa', '1.0a', 1],
  ['10.0001', '10.0001', 0],
  ['10.0001', '10.1', 0],
  ['10.1', '10.0001', 0],
  ['10.0001', '10.0039', -1],
  ['10.0039', '10.0001', 1],
  ['4.999.9', '5.0', -1],
  ['5.0', '4.999.9', 1],
  ['20101121', '20101121', 0],
  ['20101121', '20101122', -1],
  ['20101122', '20101121', 1],
  ['2_0', '2_0', 0],
  ['2.0', '2_0', 0],
  ['2_0', '2.0', 0],
  // RhBug:178798
  ['a', 'a', 0],
  ['a+', 'a+', 0],
  ['a+', 'a_', 0],
  ['a_', 'a+', 0],
  ['+a', '+a', 0],
  ['+a', '_a', 0],
  ['_a', '+a', 0],
  ['+_', '+_', 0],
  ['_+', '+_', 0],
  ['_+', '_+', 0],
  ['+', '_', 0],
  ['_', '+', 0],
  // tilde
  ['1.0~rc1', '1.0~rc1', 0],
  ['1.0~rc1', '1.0', -1],
  ['1.0', '1.0~rc1', 1],
  ['1.0~rc1', '1.0~rc2', -1],
  ['1.0~rc2', '1.0~rc1', 1],
  ['1.0~rc1~git123', '1.0~rc1~git123', 0],
  ['1.0~rc1~git123', '1.0~rc1', -1],
  ['1.0~rc1', '1.0~rc1~git123', 1],
  // caret (rpm ≥ 4.15)
  ['1.0^', '1.0^', 0],
  ['1.0^', '1.0', 1],
  ['1.0', '1.0^', -1],
  ['1.0^git1', '1.0^git1', 0],
  ['1.0^git1', '1.0', 1],
  ['1.0', '1.0^git1', -1],
  ['1.0^git1', '1.0^git2', -1],
  ['1.0^git1', '1.01', -1],
  ['1.01', '1.0^git1', 1],
  ['1.0^20160101', '1.0^20160101', 0],
  ['1.0^20160101', '1.0.1', -1],
  ['1.0.1', '1.0^20160101', 1],
  ['1.0^20160101^git1', '1.0^20160101^git1', 0],
  ['1.0^20160102', '1.0^20160101^git1', 1],
  ['1.0^20160101^git1', '1.0^20160102', -1],
  ['1.0~rc1^git1', '1.0~rc1^git1', 0],
  ['1.0~rc1^git1', '1.0~rc1', 1],
  ['1.0~rc1', '1.0~rc1^git1', -1],
  ['1.0^git1~pre', '1.0^git1~pre', 0],
  ['1.0^git1', '1.0^git1~pre', 1],
  ['1.0^git1~pre', '1.0^git1', -1],
  // rpm documents these oddities (RhBug:811992) as current behaviour
  ['1b.fc17', '1b.fc17', 0],
  ['1b.fc17', '1.fc17', -1],
  ['1.fc17', '1b.fc17', 1],
  ['1g.fc17', '1.fc17', 1],
  ['1.fc17', '1g.fc17', -1],
];

describe('rpmvercmp', () => {
  it.each(RPM_CASES)('rpmvercmp(%j, %j) = %i', (a, b, expected) => {
    expect(rpmvercmp(a, b)).toBe(expected);
  });

  it('treats characters other than letters, digits, ~ and ^ as separators only', () => {
    expect(rpmvercmp('1.1.α', '1.1.β')).toBe(0);
  });
});

describe('rpm EVR order', () => {
  it('orders by epoch (absent is 0), then version, then release', () => {
    expect(evr('1:1.0-1', '2.0-1')).toBe(1);
    expect(evr('0:1.0-1', '1.0-1')).toBe(0);
    expect(evr('1.0-2.el9', '1.0-10.el9')).toBe(-1);
    expect(evr('3.0.7-27.el9', '1:3.0.7-24.el9')).toBe(-1);
    expect(evr('1:3.0.7-27.el9', '1:3.0.7-24.el9_3.1')).toBe(1);
    expect(evr('2.9.13-6.el9_4', '2.9.13-6.el9_4.1')).toBe(-1);
  });

  it('sorts a version without release before the same version with one (rpmverCmp)', () => {
    expect(evr('1.0', '1.0-1')).toBe(-1);
    expect(evr('1.0-1', '1.0')).toBe(1);
    expect(evr('1.0', '1.0')).toBe(0);
  });

  it('splits at the first colon and the last hyphen', () => {
    expect(parseRpmVersion('2:1.2-3.el9')).toEqual({ epoch: '2', version: '1.2', release: '3.el9' });
    expect(parseRpmVersion('1.2')).toEqual({ epoch: undefined, version: '1.2', release: undefined });
  });

  it.each([
    ['', 'empty'],
    ['x:1.0', 'epoch before ":" is not a number'],
    [':1.0', 'epoch before ":" is not a number'],
    ['1:-1', 'version is empty'],
    ['1.0-', 'release after the last "-" is empty'],
    ['1.0-1-2', 'version may hold only'],
    ['1.0 beta', 'version may hold only'],
    ['1.0-1.el9%{dist}', 'release may hold only'],
    ['1.0-1:2', 'epoch before ":" is not a number'],
  ])('refuses %j with VERSION_UNPARSABLE (%s)', (version, reason) => {
    expect(() => parseRpmVersion(version)).toThrow(AttacheError);
    expect(() => parseRpmVersion(version)).toThrow(reason);
  });
});
