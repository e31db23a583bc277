// The scheme-dispatching entry: each scheme reaches its own rules, and nothing crosses schemes or guesses.
import { describe, expect, it } from 'vitest';
import { compareParsed, compareVersions, parseVersion, type VersionScheme } from './index.js';

describe('compareVersions', () => {
  it('applies the named scheme: the same strings order differently under dpkg and rpm', () => {
    // dpkg: letters sort before non-letters ("1.0a" < "1.0+"); rpm: "+" is a separator, so "1.0a" > "1.0+".
    expect(compareVersions('dpkg', '1.0a', '1.0+')).toBe(-1);
    expect(compareVersions('rpm', '1.0a', '1.0+')).toBe(1);
    expect(compareVersions('semver', '1.0.0-rc.1', '1.0.0')).toBe(-1);
    expect(compareVersions('dotted', '10.0.19045', '10.0.19045.0')).toBe(0);
  });

  it('throws VERSION_UNPARSABLE for an invalid version on either side, naming the scheme', () => {
    expect(() => compareVersions('semver', '1.0.0', '1.0')).toThrow(
      expect.objectContaining({ code: 'VERSION_UNPARSABLE', message: expect.stringContaining('semver version "1.0"') }),
    );
    expect(() => compareVersions('dotted', 'x', '1')).toThrow(expect.objectContaining({ code: 'VERSION_UNPARSABLE' }));
  });

  it('refuses an unknown scheme and versions of two schemes', () => {
    expect(() => parseVersion('maven' as VersionScheme, '1.0')).toThrow(
      expect.objectContaining({ code: 'VERSION_UNPARSABLE', message: expect.stringContaining('unknown version scheme') }),
    );
    expect(() => compareParsed(parseVersion('dpkg', '1.0'), parseVersion('rpm', '1.0'))).toThrow(expect.objectContaining({ code: 'VERSION_UNPARSABLE' }));
  });
});
