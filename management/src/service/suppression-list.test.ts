// What a device's signed suppression list carries when the rules that reach it pass MAX_DEVICE_SUPPRESSIONS (rules
// stored before the caps were counted in the write): the device's own rules first, then the organization's oldest
// first; and the endpoint's triage counts exactly those, so endpoint and agent agree on what is suppressed.
import { describe, expect, it } from 'vitest';
import { type Alert, MAX_DEVICE_SUPPRESSIONS, type SuppressionRule } from '../../../policy-schemas/src/index.js';
import { carriedSuppressionRules, triageAlerts } from './compliance/triage.js';
import { deviceSuppressions } from './suppression-list.js';

const DEVICE = '55555555-5555-4555-8555-555555555555';
const NOW = '2026-12-05T12:00:00.000Z';

/** Rule ids sort device rules last ('f…'), so a cut by rule id would drop them. */
function rule(i: number, scope: 'device' | 'organization', createdAt: string): SuppressionRule {
  const hex = i.toString(16).padStart(12, '0');
  return {
    ruleId: `${scope === 'device' ? 'f' : '0'}0000000-0000-4000-8000-${hex}`,
    scope,
    deviceId: scope === 'device' ? DEVICE : null,
    alertId: `threat.t.${scope}${i}`,
    comment: 'x',
    createdAt,
    createdBy: 'a',
    expiresAt: null,
  };
}

describe('suppression list past MAX_DEVICE_SUPPRESSIONS', () => {
  const device = Array.from({ length: 500 }, (_, i) => rule(i, 'device', '2026-12-01T00:00:00.000Z'));
  // 510 organization rules: the 10 newest do not fit.
  const organization = Array.from({ length: 510 }, (_, i) =>
    rule(i, 'organization', new Date(Date.parse('2026-11-01T00:00:00.000Z') + i * 1000).toISOString()),
  );
  const rules = [...organization.slice().reverse(), ...device];

  it("carries every device rule, then the organization's oldest first, and names how many were left out", () => {
    const carried = carriedSuppressionRules(DEVICE, rules, NOW);
    expect(carried.rules).toHaveLength(MAX_DEVICE_SUPPRESSIONS);
    expect(carried.left).toBe(10);
    const listed = new Set(deviceSuppressions(DEVICE, rules, NOW).map((s) => s.ruleId));
    for (const r of device) expect(listed.has(r.ruleId)).toBe(true);
    for (const r of organization.slice(0, 500)) expect(listed.has(r.ruleId)).toBe(true);
    for (const r of organization.slice(500)) expect(listed.has(r.ruleId)).toBe(false);
  });

  it('counts an alert suppressed only by a rule the list leaves out as active on the endpoint too', () => {
    const alert = (alertId: string): Alert => ({
      alertId,
      category: 'threat',
      severity: 'high',
      title: 't',
      evidence: {},
      firstSeen: NOW,
      lastSeen: NOW,
      status: 'active',
    });
    const triaged = triageAlerts(
      DEVICE,
      [alert('threat.t.device499'), alert('threat.t.organization0'), alert('threat.t.organization509')],
      new Map(),
      rules,
      Date.parse(NOW),
    );
    expect(triaged.map((a) => a.effect)).toEqual(['suppressed', 'suppressed', 'active']);
  });
});
