// Unit tests of machine risk: highest active severity, and the Intune maximum risk score (clear/low/medium/high).
import { describe, expect, it } from 'vitest';
import type { AlertSeverity, ComplianceRiskLevel, RiskLevel } from '../../../../policy-schemas/src/index.js';
import { activeBySeverity, riskLevelOf, riskWithin } from './risk.js';

const alert = (severity: AlertSeverity, status: 'active' | 'resolved' = 'active', lastSeen = '2025-01-10T12:00:00.000Z') => ({ severity, status, lastSeen });

describe('riskLevelOf', () => {
  it('is none without alerts and when every alert is resolved', () => {
    expect(riskLevelOf([])).toBe('none');
    expect(riskLevelOf([alert('high', 'resolved'), alert('medium', 'resolved')])).toBe('none');
  });

  it('is the highest severity among active alerts only', () => {
    expect(riskLevelOf([alert('informational')])).toBe('informational');
    expect(riskLevelOf([alert('low'), alert('medium'), alert('informational')])).toBe('medium');
    expect(riskLevelOf([alert('low'), alert('high', 'resolved')])).toBe('low');
    expect(riskLevelOf([alert('medium'), alert('high')])).toBe('high');
  });
});

describe('riskWithin (Intune "at or under the machine risk score")', () => {
  const table: [ComplianceRiskLevel, RiskLevel[], RiskLevel[]][] = [
    // clear = MDE "Secure": any active alert, even informational, is noncompliant.
    ['clear', ['none'], ['informational', 'low', 'medium', 'high']],
    ['low', ['none', 'informational', 'low'], ['medium', 'high']],
    ['medium', ['none', 'informational', 'low', 'medium'], ['high']],
    ['high', ['none', 'informational', 'low', 'medium', 'high'], []],
  ];
  for (const [max, allowed, refused] of table) {
    it(`${max} allows ${allowed.join(', ')}`, () => {
      for (const level of allowed) expect(riskWithin(level, max)).toBe(true);
      for (const level of refused) expect(riskWithin(level, max)).toBe(false);
    });
  }
});

describe('activeBySeverity', () => {
  it('drops resolved alerts and orders by severity, then most recently seen', () => {
    const sorted = activeBySeverity([
      { ...alert('low'), id: 'a' },
      { ...alert('high', 'resolved'), id: 'b' },
      { ...alert('medium', 'active', '2025-01-10T12:00:00.000Z'), id: 'c' },
      { ...alert('medium', 'active', '2025-01-10T13:00:00.000Z'), id: 'd' },
    ]);
    expect(sorted.map((a) => a.id)).toEqual(['d', 'c', 'a']);
  });
});
