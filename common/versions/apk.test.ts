// Alpine version parsing and order, on cases from apk-tools' own version tests (test/unit/version.data).
import { describe, expect, it } from 'vitest';
import { expectAscending } from '../../test/version-order.js';
import { compareApkVersions, parseApkVersion } from './apk.js';

const cmp = (a: string, b: string) => compareApkVersions(parseApkVersion(a), parseApkVersion(b));

describe('apk version order', () => {
  it.each([
    ['2.34', '0.1.0_alpha', 1],
    ['0.1.0_alpha2', '0.1.0_alpha', 1],
    ['1.1', '1.1_alpha1', 1],
    ['1.0.4-r3', '1.0.4-r4', -1],
    ['2.3.0b-r1', '2.3.0b-r2', -1],
    ['1.06-r6', '006', -1],
    ['3.0.20060720', '20060720', -1],
    ['2.5.1-r8', '2.5.1a-r1', -1],
    ['1.2.2-r1', '1.2.2', 1],
    ['0.99.163', '2.6.15.20060110', -1],
    ['1.2.07.8', '1.2.12.04', -1],
    ['1.8.5', '1.8.5_p2', -1],
    ['0.1.0_alpha_pre2', '0.1.0_alpha', -1],
    ['1.0_p10-r0', '1.0_p9-r0', 1],
    ['1.0.0_pre20191002222144-r0', '1.0.0_pre20210530193627-r0', -1],
    ['1.3_pre1-r1', '1.3.2', -1],
    ['0.2.0-r1', '0.2.0-r1', 0],
  ])('%s vs %s = %i', (a, b, expected) => {
    expect(cmp(a, b)).toBe(expected);
    expect(cmp(b, a)).toBe(-expected || 0);
  });

  it('orders suffixes alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p, and hashes as text', () => {
    expectAscending(['1.0_alpha', '1.0_beta', '1.0_pre', '1.0_rc', '1.0', '1.0_cvs', '1.0_svn', '1.0_git', '1.0_hg', '1.0_p'], cmp);
    expectAscending(['1.0~0abc', '1.0~1234', '1.0~1234-r0', '1.0~1234-r1', '1.0~abcd'], cmp);
    // Where one has a revision and the other a hash, the hash ranks lower and sorts higher (apk's token order).
    expectAscending(['1.0', '1.0-r1', '1.0~1234'], cmp);
  });

  it('compares digits after a dot as text when either has a leading zero (Gentoo rule)', () => {
    expect(cmp('1.02', '1.1')).toBe(-1);
    expect(cmp('1.02', '1.010')).toBe(1);
    expect(cmp('1.2', '1.10')).toBe(-1);
  });

  it.each(['1.2', '0.1_pre2', '0.1_pre2~1234abcd', '0.1_p1_pre2', '0.1_alpha1_pre2', '0.1_git20240101_pre1'])('accepts %s', (v) => {
    expect(() => parseApkVersion(v)).not.toThrow();
  });

  it.each([
    '',
    '0.1bc',
    '0.1a1',
    '0.1a.1',
    '0.1_pre2~',
    '0.1_pre2~1234xbcd',
    '0.1_pre2~1234abcd_pre1',
    '0.1_foobar',
    '0.1-pre1.1',
    '0.1-r',
    '0.1-r2_pre1',
    '0.1-r2-r3',
    '0.1-r2.1',
    '.1',
    'a',
    '_pre1',
    '0.1_',
    '0.1__alpha',
    '0.1_1_alpha',
    '1.0 ',
    '1.1234567890123456789',
  ])('refuses %j with VERSION_UNPARSABLE', (v) => {
    expect(() => parseApkVersion(v)).toThrow(expect.objectContaining({ code: 'VERSION_UNPARSABLE', message: expect.stringContaining('apk version') }));
  });
});
