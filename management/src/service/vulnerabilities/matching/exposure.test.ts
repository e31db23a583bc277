import { describe, expect, it } from 'vitest';
import { computeExposure, exposureLevel } from './exposure.js';
import { recommendationId, recommendationTitle, recommendedVersion } from './recommendations.js';

describe('computeExposure', () => {
  it('no finding is none with score 0', () => {
    expect(computeExposure([])).toEqual({
      score: 0,
      level: 'none',
      findings: 0,
      advisories: 0,
      bySeverity: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 },
      vulnerableSoftware: 0,
    });
  });

  it('one critical is high, one high is medium, lows stay low, the sum is capped at 100', () => {
    expect(computeExposure([{ packageId: 1, advisoryId: 'A', severity: 'critical' }])).toMatchObject({ score: 70, level: 'high' });
    expect(computeExposure([{ packageId: 1, advisoryId: 'A', severity: 'high' }])).toMatchObject({ score: 30, level: 'medium' });
    expect(computeExposure([{ packageId: 1, advisoryId: 'A', severity: 'none' }])).toMatchObject({ score: 0, level: 'low', findings: 1 });
    const lows = Array.from({ length: 9 }, (_, k) => ({ packageId: k, advisoryId: `L${k}`, severity: 'low' as const }));
    expect(computeExposure(lows)).toMatchObject({ score: 27, level: 'low', vulnerableSoftware: 9 });
    const many = Array.from({ length: 5 }, (_, k) => ({ packageId: 1, advisoryId: `H${k}`, severity: 'high' as const }));
    expect(computeExposure(many)).toMatchObject({ score: 100, level: 'high', advisories: 5, vulnerableSoftware: 1 });
  });

  it('an advisory found in two packages weighs once but counts as two findings', () => {
    const e = computeExposure([
      { packageId: 1, advisoryId: 'DSA-5532-1', severity: 'high' },
      { packageId: 2, advisoryId: 'DSA-5532-1', severity: 'high' },
      { packageId: 2, advisoryId: 'CVE-X', severity: 'unknown' },
    ]);
    expect(e).toMatchObject({ score: 40, level: 'medium', findings: 3, advisories: 2, vulnerableSoftware: 2 });
    expect(e.bySeverity).toEqual({ critical: 0, high: 2, medium: 0, low: 0, unknown: 1 });
  });

  it('bands: 29 low, 30 medium, 69 medium, 70 high', () => {
    expect([29, 30, 69, 70].map((s) => exposureLevel(s, 1))).toEqual(['low', 'medium', 'medium', 'high']);
  });
});

describe('recommendations', () => {
  it('has a stable id of 32 hex digits per ecosystem and name', () => {
    expect(recommendationId('Debian:12', 'openssl')).toMatch(/^[0-9a-f]{32}$/);
    expect(recommendationId('Debian:12', 'openssl')).toBe(recommendationId('Debian:12', 'openssl'));
    expect(recommendationId('Debian:12', 'openssl')).not.toBe(recommendationId('Debian:11', 'openssl'));
    // The separator keeps ("a:b", "c") and ("a", "b:c") apart.
    expect(recommendationId('a', 'bc')).not.toBe(recommendationId('ab', 'c'));
  });

  it('offers the highest fixed version by the comparator (not by text), null when none has a fix', () => {
    expect(recommendedVersion('dpkg', ['3.0.11-1~deb12u2', '3.0.15-1~deb12u1', null, '3.0.9-1'])).toBe('3.0.15-1~deb12u1');
    expect(recommendedVersion('dpkg', ['3.0.11-1', '3.0.11-1~deb12u2'])).toBe('3.0.11-1');
    expect(recommendedVersion('dotted', ['9.0', '10.0'])).toBe('10.0');
    expect(recommendedVersion('dotted', [null, null])).toBeNull();
    expect(recommendationTitle('openssl', '3.0.15-1~deb12u1')).toBe('Update openssl to 3.0.15-1~deb12u1 or later');
    expect(recommendationTitle('openssl', null)).toBe('openssl: no update available yet');
  });
});
