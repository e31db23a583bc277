// Debian version parsing and order, on Debian Policy §5.6.12's own examples and dpkg's special cases.
import { describe, expect, it } from 'vitest';
import { expectAscending } from '../../test/version-order.js';
import { AttacheError } from '../errors.js';
import { compareDpkgPart, compareDpkgVersions, parseDpkgVersion } from './dpkg.js';

const cmp = (a: string, b: string) => compareDpkgVersions(parseDpkgVersion(a), parseDpkgVersion(b));

describe('dpkg version order', () => {
  it('sorts ~ before anything, even the end of the part (policy: ~~, ~~a, ~, the empty part, a)', () => {
    expectAscending(['~~', '~~a', '~', '', 'a'], compareDpkgPart);
    expectAscending(['1.0~~', '1.0~~a', '1.0~', '1.0', '1.0a'], cmp);
  });

  it('sorts letters before non-letters and compares digit runs by value', () => {
    expectAscending(['1.0', '1.0a', '1.0z', '1.0+', '1.0.', '1.0.1'], cmp);
    expectAscending(['1.2', '1.9', '1.10', '1.100'], cmp);
    expect(cmp('1.01', '1.1')).toBe(0);
    expect(cmp('1.0', '1.00')).toBe(0);
  });

  it('orders by epoch first, then upstream, then revision (an absent epoch is 0, an absent revision is empty)', () => {
    expectAscending(['1.0-1', '1.0-1ubuntu1', '1.0-2', '1.1-1', '2.0~rc1-1', '2.0-1', '1:0.1-1', '2:0.0.1'], cmp);
    expect(cmp('0:1.0-1', '1.0-1')).toBe(0);
    expect(cmp('1.0', '1.0-0')).toBe(0);
    expect(cmp('00:1.0', '1.0')).toBe(0);
  });

  it('orders real Debian security fixes above the releases they fix', () => {
    expectAscending(['3.0.11-1~deb12u2', '3.0.13-1~deb12u1', '3.0.15-1~deb12u1', '3.0.15-1'], cmp);
    expectAscending(['1:9.2p1-2', '1:9.2p1-2+deb12u2', '1:9.2p1-2+deb12u3'], cmp);
    expectAscending(['2.36-9+deb12u4', '2.36-9+deb12u7', '2.36-9+deb12u10'], cmp);
  });

  it('splits epoch at the first colon and revision at the last hyphen, as dpkg does', () => {
    expect(parseDpkgVersion('2:1.2-3-4')).toEqual({ epoch: '2', upstream: '1.2-3', revision: '4' });
    expect(parseDpkgVersion('1:2:3')).toEqual({ epoch: '1', upstream: '2:3', revision: '' });
    expect(parseDpkgVersion('7.4.052')).toEqual({ epoch: '0', upstream: '7.4.052', revision: '' });
  });

  it.each([
    ['', 'empty'],
    ['1.0 1', 'white space'],
    [':1.0', 'epoch before ":" is empty'],
    ['a:1.0', 'epoch is not a number'],
    ['-1:1.0', 'epoch is not a number'],
    ['99999999999:1.0', 'epoch is too big'],
    ['1:', 'nothing follows the epoch'],
    ['1.0-', 'revision after the last "-" is empty'],
    ['-1', 'upstream version is empty'],
    ['1.0_1', 'upstream version may hold only'],
    ['1.0-1_2', 'revision may hold only'],
    ['1.0-1:2', 'epoch is not a number'],
    ['1.0-1+b~2!', 'revision may hold only'],
    ['1.0\u202e', 'upstream version may hold only'],
    ['1'.repeat(257), 'longer than 256 characters'],
  ])('refuses %j with VERSION_UNPARSABLE naming the problem (%s)', (version, reason) => {
    const err = (() => {
      try {
        parseDpkgVersion(version);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(AttacheError);
    expect((err as AttacheError).code).toBe('VERSION_UNPARSABLE');
    expect((err as AttacheError).message).toContain('dpkg version');
    expect((err as AttacheError).message).toContain(reason);
  });

  it('accepts an upstream version that does not start with a digit (dpkg warns but installs and orders it)', () => {
    expect(cmp('a1', '1')).toBe(1);
    expect(cmp('~1', '1')).toBe(-1);
  });
});
