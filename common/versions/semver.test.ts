// SemVer 2.0.0 parsing and precedence on semver.org's own examples, and dotted versions (Windows and macOS).
import { describe, expect, it } from 'vitest';
import { expectAscending } from '../../test/version-order.js';
import { compareDotted, compareSemVer, parseDotted, parseSemVer } from './semver.js';

const sv = (a: string, b: string) => compareSemVer(parseSemVer(a), parseSemVer(b));
const dotted = (a: string, b: string) => compareDotted(parseDotted(a), parseDotted(b));

describe('SemVer 2.0.0', () => {
  it('orders semver.org §11 examples', () => {
    expectAscending(['1.0.0', '2.0.0', '2.1.0', '2.1.1'], sv);
    expectAscending(['1.0.0-alpha', '1.0.0'], sv);
    expectAscending(['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'], sv);
  });

  it('ignores build metadata in precedence (§10) and keeps it parsed', () => {
    expect(sv('1.0.0+20130313144700', '1.0.0')).toBe(0);
    expect(sv('1.0.0-alpha+001', '1.0.0-alpha+002')).toBe(0);
    expect(parseSemVer('1.0.0-beta+exp.sha.5114f85')).toEqual({
      major: '1',
      minor: '0',
      patch: '0',
      prerelease: ['beta'],
      build: ['exp', 'sha', '5114f85'],
    });
    expect(parseSemVer('1.0.0+21AF26D3----117B344092BD').build).toEqual(['21AF26D3----117B344092BD']);
  });

  it('accepts the §9 pre-release examples and compares numbers beyond 2^53 exactly', () => {
    for (const v of ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-0.3.7', '1.0.0-x.7.z.92', '1.0.0-x-y-z.--']) expect(() => parseSemVer(v)).not.toThrow();
    expect(sv('1.0.9007199254740993', '1.0.9007199254740992')).toBe(1);
    expect(sv('1.0.0-alpha.9007199254740993', '1.0.0-alpha.9007199254740992')).toBe(1);
    expect(sv('1.0.0-1', '1.0.0-a')).toBe(-1);
  });

  it.each([
    ['v1.2.3', 'no "v" prefix'],
    ['1.2', 'expected MAJOR.MINOR.PATCH'],
    ['1.2.3.4', 'expected MAJOR.MINOR.PATCH'],
    ['1.x.3', 'must be numbers'],
    ['01.2.3', 'leading zero'],
    ['1.2.3-01', 'pre-release or build part'],
    ['1.2.3-', 'pre-release or build part'],
    ['1.2.3-a..b', 'pre-release or build part'],
    ['1.2.3+', 'pre-release or build part'],
    ['1.2.3-ä', 'pre-release or build part'],
    ['', 'empty'],
  ])('refuses %j with VERSION_UNPARSABLE (%s)', (version, reason) => {
    expect(() => parseSemVer(version)).toThrow(expect.objectContaining({ code: 'VERSION_UNPARSABLE', message: expect.stringContaining(reason) }));
  });
});

describe('dotted versions', () => {
  it('compares numerically, segment by segment, a missing segment as 0', () => {
    expectAscending(['9.0', '10.0.19044.3803', '10.0.19045.2006', '10.0.19045.3803', '10.0.22621.1'], dotted);
    expect(dotted('14.2', '14.2.0')).toBe(0);
    expect(dotted('1.02', '1.2')).toBe(0);
    expect(dotted('124.0.6367.91', '124.0.6367.201')).toBe(-1);
  });

  it.each(['1.1.1w', '1.2.3 beta', '2023.1 (build 5)', '1..2', '.1', '1.', 'v1.0', '1.2.3.4.5.6.7.8.9'])('refuses %j', (version) => {
    expect(() => parseDotted(version)).toThrow(expect.objectContaining({ code: 'VERSION_UNPARSABLE' }));
  });
});
