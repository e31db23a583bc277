// Unit tests of compliance evaluation: one table row per setting and outcome, combining policies, the grace period and
// staleness driven by a manual clock (each evaluation feeds the next, as the service stores and reloads them).
import { describe, expect, it } from 'vitest';
import {
  type CompliancePolicy,
  type ComplianceSettings,
  type ComplianceState,
  type DeviceHealth,
  SETTINGS,
  settingById,
} from '../../../../policy-schemas/src/index.js';
import type { StoredComplianceState } from '../../store/compliance-store.js';
import { COMPLIANCE_LIST_ORDER } from '../../store/sql-device-listing.js';
import type { ExposureSummary } from '../vulnerabilities/contracts.js';
import { type ComplianceFacts, DEFAULT_MAX_SIGNATURE_AGE_HOURS, isBehindCheck, MAX_SOFTWARE_AGE_DAYS } from './checks.js';
import { accessDecision, type DeviceEvaluationInput, evaluateDevice, STATE_RANK } from './evaluate.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-01-10T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const DEVICE = '11111111-1111-4111-8111-111111111111';

function health(
  overrides: { rtp?: boolean | null; firewall?: boolean | null; signatureAgeHours?: number | null; signatureUpdatedAt?: string } = {},
): DeviceHealth {
  return {
    collectedAt: iso(T0),
    antivirus: {
      source: 'simulated',
      mode: 'active',
      realTimeProtection: overrides.rtp === undefined ? true : overrides.rtp,
      tamperProtection: true,
      ...(overrides.signatureAgeHours === undefined ? { signatureAgeHours: 2 } : { signatureAgeHours: overrides.signatureAgeHours }),
      ...(overrides.signatureUpdatedAt ? { signatureUpdatedAt: overrides.signatureUpdatedAt } : {}),
    },
    firewall: { source: 'simulated', enabled: overrides.firewall === undefined ? true : overrides.firewall, profiles: { Public: overrides.firewall ?? true } },
  };
}

function exposure(level: ExposureSummary['level'], score: number, more: Partial<ExposureSummary> = {}): ExposureSummary {
  return { level, score, computedAt: iso(T0), softwareReceivedAt: iso(T0 - 3_600_000), lastImportAt: iso(T0 - 7_200_000), ...more };
}

function facts(overrides: Partial<ComplianceFacts> = {}): ComplianceFacts {
  return {
    now: T0,
    agentVersion: '1.2.0',
    lastContactAt: iso(T0),
    riskLevel: 'none',
    activeAlerts: [],
    health: { value: health(), receivedAt: iso(T0) },
    settingConflicts: [],
    vulnerabilityExposure: null,
    ...overrides,
  };
}

let policyCounter = 0;
function policy(settings: ComplianceSettings, gracePeriodHours = 0, name = 'Baseline'): CompliancePolicy {
  policyCounter++;
  return {
    compliancePolicyId: `00000000-0000-4000-8000-${String(policyCounter).padStart(12, '0')}`,
    name,
    settings,
    gracePeriodHours,
    version: 1,
    createdAt: iso(T0),
    updatedAt: iso(T0),
  };
}

function input(policies: CompliancePolicy[], f: ComplianceFacts, previous?: StoredComplianceState): DeviceEvaluationInput {
  return { deviceId: DEVICE, revoked: false, facts: f, policies, previous, unassignedState: 'compliant', evidenceAt: f.lastContactAt };
}

const GPO_RTP = {
  settingId: 'defender.AllowRealtimeMonitoring',
  code: 'SETTING_OVERRIDDEN',
  message: "Group Policy 'Workstations' sets this setting and wins over this policy (in effect: 0)",
};
const POLICIES_FIREWALL = { settingId: 'firewall.publicProfile.EnableFirewall', code: 'SETTING_CONFLICT', message: 'two assigned policies disagree' };

const evaluate = (settings: ComplianceSettings, f: ComplianceFacts) => evaluateDevice(input([policy(settings)], f)).state;

describe('one setting at a time', () => {
  const highAlert = { alertId: 'indicator.x', severity: 'high' as const, title: 'Process matches indicator' };
  const rows: [string, ComplianceSettings, Partial<ComplianceFacts>, ComplianceState, unknown][] = [
    ['risk none within clear', { maxRiskLevel: 'clear' }, {}, 'compliant', undefined],
    ['informational alert breaks clear', { maxRiskLevel: 'clear' }, { riskLevel: 'informational' }, 'noncompliant', 'informational'],
    ['low within low', { maxRiskLevel: 'low' }, { riskLevel: 'low' }, 'compliant', undefined],
    ['high above medium', { maxRiskLevel: 'medium' }, { riskLevel: 'high', activeAlerts: [highAlert] }, 'noncompliant', 'high'],
    ['high allowed by high', { maxRiskLevel: 'high' }, { riskLevel: 'high' }, 'compliant', undefined],
    ['RTP on', { requireRealTimeProtection: true }, {}, 'compliant', undefined],
    ['RTP off', { requireRealTimeProtection: true }, { health: { value: health({ rtp: false }), receivedAt: iso(T0) } }, 'noncompliant', false],
    ['RTP not known', { requireRealTimeProtection: true }, { health: { value: health({ rtp: null }), receivedAt: iso(T0) } }, 'unknown', null],
    ['no health yet', { requireRealTimeProtection: true }, { health: null }, 'unknown', null],
    ['RTP not required (false = not configured)', { requireRealTimeProtection: false }, { health: null }, 'compliant', undefined],
    ['firewall on', { requireFirewall: true }, {}, 'compliant', undefined],
    ['firewall off', { requireFirewall: true }, { health: { value: health({ firewall: false }), receivedAt: iso(T0) } }, 'noncompliant', false],
    ['signatures 2 h old', { requireSignaturesUpToDate: true }, {}, 'compliant', undefined],
    [
      'signatures older than the default 72 h',
      { requireSignaturesUpToDate: true },
      { health: { value: health({ signatureAgeHours: 80 }), receivedAt: iso(T0) } },
      'noncompliant',
      80,
    ],
    [
      'signatures within a custom 96 h',
      { requireSignaturesUpToDate: true, maxSignatureAgeHours: 96 },
      { health: { value: health({ signatureAgeHours: 80 }), receivedAt: iso(T0) } },
      'compliant',
      undefined,
    ],
    [
      'signature age from signatureUpdatedAt',
      { requireSignaturesUpToDate: true, maxSignatureAgeHours: 24 },
      { health: { value: health({ signatureAgeHours: null, signatureUpdatedAt: iso(T0 - 30 * HOUR) }), receivedAt: iso(T0) } },
      'noncompliant',
      30,
    ],
    [
      'signature age unknown',
      { requireSignaturesUpToDate: true },
      { health: { value: health({ signatureAgeHours: null }), receivedAt: iso(T0) } },
      'unknown',
      null,
    ],
    ['checked in 1 h ago', { maxHoursSinceCheckin: 24 }, { lastContactAt: iso(T0 - HOUR) }, 'compliant', undefined],
    ['checked in 25 h ago', { maxHoursSinceCheckin: 24 }, { lastContactAt: iso(T0 - 25 * HOUR) }, 'noncompliant', 25],
    ['agent new enough', { minAgentVersion: '1.2.0' }, {}, 'compliant', undefined],
    ['agent too old', { minAgentVersion: '1.10.0' }, { agentVersion: '1.9.3' }, 'noncompliant', '1.9.3'],
    ['agent version not semver', { minAgentVersion: '1.0.0' }, { agentVersion: 'dev' }, 'error', 'dev'],
    ['last contact unreadable', { maxHoursSinceCheckin: 24 }, { lastContactAt: 'garbled' }, 'error', null],
    [
      'RTP off, the device reports a GPO overriding it',
      { requireRealTimeProtection: true },
      { health: { value: health({ rtp: false }), receivedAt: iso(T0) }, settingConflicts: [GPO_RTP] },
      'conflict',
      false,
    ],
    [
      'firewall not known, two assigned policies disagree on it',
      { requireFirewall: true },
      { health: { value: health({ firewall: null }), receivedAt: iso(T0) }, settingConflicts: [POLICIES_FIREWALL] },
      'conflict',
      null,
    ],
    ['RTP on: a conflict reported on it does not matter', { requireRealTimeProtection: true }, { settingConflicts: [GPO_RTP] }, 'compliant', undefined],
    [
      'firewall off: a conflict on an unrelated setting does not make it a conflict',
      { requireFirewall: true },
      { health: { value: health({ firewall: false }), receivedAt: iso(T0) }, settingConflicts: [GPO_RTP] },
      'noncompliant',
      false,
    ],
    ['exposure never computed', { maxVulnerabilityExposureLevel: 'high' }, {}, 'unknown', null],
    ['exposure none within none', { maxVulnerabilityExposureLevel: 'none' }, { vulnerabilityExposure: exposure('none', 0) }, 'compliant', undefined],
    ['exposure low above none', { maxVulnerabilityExposureLevel: 'none' }, { vulnerabilityExposure: exposure('low', 3) }, 'noncompliant', 'low'],
    ['exposure medium within medium', { maxVulnerabilityExposureLevel: 'medium' }, { vulnerabilityExposure: exposure('medium', 40) }, 'compliant', undefined],
    ['exposure high above medium', { maxVulnerabilityExposureLevel: 'medium' }, { vulnerabilityExposure: exposure('high', 70) }, 'noncompliant', 'high'],
    ['exposure high allowed by high', { maxVulnerabilityExposureLevel: 'high' }, { vulnerabilityExposure: exposure('high', 100) }, 'compliant', undefined],
    [
      'exposure none but software received 30 days ago',
      { maxVulnerabilityExposureLevel: 'none' },
      { vulnerabilityExposure: exposure('none', 0, { computedAt: iso(T0 - 30 * 86_400_000), softwareReceivedAt: iso(T0 - 30 * 86_400_000) }) },
      'unknown',
      'none',
    ],
    [
      'exposure none but no advisory ever imported',
      { maxVulnerabilityExposureLevel: 'none' },
      { vulnerabilityExposure: exposure('none', 0, { lastImportAt: null }) },
      'unknown',
      'none',
    ],
  ];
  for (const [name, settings, f, expected, observed] of rows) {
    it(`${name} → ${expected}`, () => {
      const state = evaluate(settings, facts(f));
      expect(state.state).toBe(expected);
      if (expected === 'compliant') expect(state.reasons).toEqual([]);
      else {
        expect(state.reasons).toHaveLength(1);
        expect(state.reasons[0]).toMatchObject({ setting: Object.keys(settings)[0], result: expected, observed, policyName: 'Baseline' });
        expect(state.reasons[0]?.message).toMatch(/^compliance policy "Baseline": /);
      }
    });
  }

  it('names the active alerts behind a risk reason', () => {
    const state = evaluate({ maxRiskLevel: 'low' }, facts({ riskLevel: 'high', activeAlerts: [highAlert] }));
    expect(state.reasons[0]?.message).toContain('"Process matches indicator" (high)');
    expect(state.reasons[0]?.expected).toBe('low');
  });

  it('names the exposure level and score in a vulnerability reason', () => {
    const state = evaluate({ maxVulnerabilityExposureLevel: 'low' }, facts({ vulnerabilityExposure: exposure('high', 73) }));
    expect(state.reasons[0]?.message).toContain('vulnerability exposure high (score 73');
    expect(state.reasons[0]?.message).toContain('above the allowed low');
  });

  it('says why old software or no advisories make exposure unknown, and when a fresh one turns unknown', () => {
    const old = evaluate(
      { maxVulnerabilityExposureLevel: 'low' },
      facts({ vulnerabilityExposure: exposure('none', 0, { softwareReceivedAt: iso(T0 - 8 * 86_400_000) }) }),
    );
    expect(old.reasons[0]?.message).toContain(`older than ${MAX_SOFTWARE_AGE_DAYS} days`);
    const none = evaluate({ maxVulnerabilityExposureLevel: 'low' }, facts({ vulnerabilityExposure: exposure('low', 3, { lastImportAt: null }) }));
    expect(none.reasons[0]?.message).toContain('no advisory file was ever imported');
    const fresh = evaluateDevice(input([policy({ maxVulnerabilityExposureLevel: 'low' })], facts({ vulnerabilityExposure: exposure('none', 0) })));
    expect(fresh.state.state).toBe('compliant');
    expect(fresh.state.nextEvaluationAt).toBe(iso(T0 - 3_600_000 + MAX_SOFTWARE_AGE_DAYS * 86_400_000 + 1));
  });

  it('defaults the signature age to 72 h', () => {
    expect(DEFAULT_MAX_SIGNATURE_AGE_HOURS).toBe(72);
  });
});

describe('combining', () => {
  it('the worst policy wins: noncompliant over unknown over compliant; every failing setting is a reason', () => {
    const a = policy({ maxRiskLevel: 'clear', requireFirewall: true }, 0, 'A');
    const b = policy({ requireRealTimeProtection: true }, 0, 'B');
    const f = facts({ riskLevel: 'low', health: { value: health({ rtp: null, firewall: false }), receivedAt: iso(T0) } });
    const { state } = evaluateDevice(input([a, b], f));
    expect(state.state).toBe('noncompliant');
    expect(state.reasons.map((r) => [r.policyName, r.setting, r.result])).toEqual([
      ['A', 'maxRiskLevel', 'noncompliant'],
      ['A', 'requireFirewall', 'noncompliant'],
      ['B', 'requireRealTimeProtection', 'unknown'],
    ]);
    expect(state.policies.map((p) => p.state)).toEqual(['noncompliant', 'unknown']);
    expect(accessDecision(state)).toMatchObject({ decision: 'block', complianceState: 'noncompliant', riskLevel: 'low' });
  });

  it('unknown blocks access, compliant allows it', () => {
    const unknown = evaluateDevice(input([policy({ requireFirewall: true })], facts({ health: null }))).state;
    expect(accessDecision(unknown).decision).toBe('block');
    const compliant = evaluateDevice(input([policy({ requireFirewall: true })], facts())).state;
    expect(accessDecision(compliant)).toMatchObject({ decision: 'allow', complianceState: 'compliant', reasons: [] });
  });

  it('conflict and error never allow access; error outranks noncompliant, which outranks conflict, which outranks unknown', () => {
    const rtp = policy({ requireRealTimeProtection: true }, 0, 'RTP');
    const version = policy({ minAgentVersion: '1.0.0' }, 0, 'Version');
    const firewall = policy({ requireFirewall: true }, 0, 'Firewall');
    const conflicted = facts({ health: { value: health({ rtp: false, firewall: null }), receivedAt: iso(T0) }, settingConflicts: [GPO_RTP] });
    const conflict = evaluateDevice(input([rtp, firewall], conflicted)).state;
    expect(conflict.policies.map((p) => p.state)).toEqual(['conflict', 'unknown']);
    expect(conflict.state).toBe('conflict');
    expect(conflict.reasons[0]?.message).toContain(
      "the device reports defender.AllowRealtimeMonitoring in conflict (SETTING_OVERRIDDEN: Group Policy 'Workstations'",
    );
    expect(accessDecision(conflict)).toMatchObject({ decision: 'block', complianceState: 'conflict' });

    const failing = policy({ maxRiskLevel: 'clear' }, 0, 'Risk');
    const worse = evaluateDevice(input([rtp, failing], facts({ ...conflicted, riskLevel: 'low' }))).state;
    expect(worse.state).toBe('noncompliant');

    const error = evaluateDevice(input([rtp, failing, version], facts({ ...conflicted, riskLevel: 'low', agentVersion: 'dev' }))).state;
    expect(error.policies.map((p) => p.state)).toEqual(['conflict', 'noncompliant', 'error']);
    expect(error.state).toBe('error');
    expect(error.reasons.at(-1)).toMatchObject({ setting: 'minAgentVersion', result: 'error', policyName: 'Version' });
    expect(accessDecision(error)).toMatchObject({ decision: 'block', complianceState: 'error' });
  });

  it('the device list sorts by the same severity, except unknown (also: never evaluated) last', () => {
    const bySeverity = (Object.keys(STATE_RANK) as ComplianceState[]).sort((a, b) => STATE_RANK[a] - STATE_RANK[b]);
    expect(COMPLIANCE_LIST_ORDER.filter((s) => s !== 'unknown')).toEqual(bySeverity.filter((s) => s !== 'unknown'));
    expect(COMPLIANCE_LIST_ORDER.at(-1)).toBe('unknown');
  });

  it('a grace period does not cover a conflict or an error (Intune: grace does not apply to a setting in Error)', () => {
    const graceful = policy({ maxRiskLevel: 'clear', requireRealTimeProtection: true, minAgentVersion: '1.0.0' }, 48);
    const inGrace = evaluateDevice(input([graceful], facts({ riskLevel: 'low' }))).state;
    expect(inGrace.state).toBe('inGracePeriod');
    const conflicted = facts({ riskLevel: 'low', health: { value: health({ rtp: false }), receivedAt: iso(T0) }, settingConflicts: [GPO_RTP] });
    expect(evaluateDevice(input([graceful], conflicted)).state.state).toBe('conflict');
    const error = evaluateDevice(input([graceful], facts({ riskLevel: 'low', agentVersion: 'x' }))).state;
    expect(error.state).toBe('error');
    // Its failing check is reported as failing, not as covered by a grace period the policy does not have.
    expect(error.reasons.find((r) => r.setting === 'maxRiskLevel')).toMatchObject({ result: 'noncompliant' });
    expect(error.reasons.map((r) => r.message).join('\n')).not.toContain('grace period');
    expect(error.policies[0]?.graceEndsAt).toBeNull();
  });

  it('a check that cannot evaluate its evidence is an error, never a pass', () => {
    const garbled = { value: health({ signatureAgeHours: null, signatureUpdatedAt: 'not a time' }), receivedAt: iso(T0) };
    const state = evaluate({ requireSignaturesUpToDate: true }, facts({ health: garbled }));
    expect(state.state).toBe('error');
    expect(state.reasons[0]).toMatchObject({ setting: 'requireSignaturesUpToDate', result: 'error', observed: null });
    expect(state.reasons[0]?.message).toContain('cannot be evaluated');
  });

  it('a check that throws on malformed evidence is an error naming the failure', () => {
    const malformed = { value: { collectedAt: iso(T0), firewall: health().firewall } as unknown as DeviceHealth, receivedAt: iso(T0) };
    const state = evaluate({ requireRealTimeProtection: true }, facts({ health: malformed }));
    expect(state.state).toBe('error');
    expect(state.reasons[0]?.message).toMatch(/requireRealTimeProtection: evaluation failed: /);
    expect(accessDecision(state).decision).toBe('block');
  });

  it('the settings a check rests on are catalog settings (a rename would silently end conflict detection)', () => {
    const behind = [
      'defender.AllowRealtimeMonitoring',
      'defender.AllowOnAccessProtection',
      'mdatp.antivirusEngine.enforcementLevel',
      'firewall.domainProfile.EnableFirewall',
      'firewall.privateProfile.EnableFirewall',
      'firewall.publicProfile.EnableFirewall',
      'macosFirewall.EnableFirewall',
    ];
    for (const id of behind) {
      expect(settingById(id), id).toBeDefined();
      expect(isBehindCheck(id), id).toBe(true);
    }
    expect(SETTINGS.filter((s) => isBehindCheck(s.id)).map((s) => s.id)).toEqual(expect.arrayContaining(behind));
    expect(SETTINGS.filter((s) => isBehindCheck(s.id))).toHaveLength(behind.length);
  });

  it('a device without a compliance policy takes the server setting (default compliant, as Intune)', () => {
    const f = facts({ riskLevel: 'high' });
    const compliant = evaluateDevice(input([], f)).state;
    expect(compliant.state).toBe('compliant');
    expect(compliant.reasons[0]).toMatchObject({ setting: 'assignment', result: 'info' });
    expect(accessDecision(compliant).decision).toBe('allow');
    const strict = evaluateDevice({ ...input([], f), unassignedState: 'noncompliant' }).state;
    expect(strict.state).toBe('noncompliant');
    expect(accessDecision(strict).decision).toBe('block');
  });

  it('a revoked device is noncompliant whatever its policies say', () => {
    const { state } = evaluateDevice({ ...input([policy({ maxRiskLevel: 'high' })], facts()), revoked: true });
    expect(state.state).toBe('noncompliant');
    expect(state.reasons[0]?.message).toBe('the device was revoked');
  });
});

describe('over time (manual clock)', () => {
  /** Feeds each evaluation's state into the next, as the service does through the store. */
  function timeline(policies: CompliancePolicy[]) {
    let previous: StoredComplianceState | undefined;
    return (f: ComplianceFacts) => {
      const result = evaluateDevice(input(policies, f, previous));
      previous = result.state;
      return result;
    };
  }

  it('a failing device is inGracePeriod (allowed) until the grace period ends, counted from the first failure', () => {
    const p = policy({ maxRiskLevel: 'low' }, 24);
    const step = timeline([p]);
    expect(step(facts()).transition).toEqual({ at: iso(T0), from: null, to: 'compliant', reasons: [] });

    const high = { riskLevel: 'high' as const };
    const first = step(facts({ ...high, now: T0 + HOUR }));
    expect(first.state.state).toBe('inGracePeriod');
    expect(first.transition).toMatchObject({ from: 'compliant', to: 'inGracePeriod' });
    expect(first.state.policies[0]).toMatchObject({ noncompliantSince: iso(T0 + HOUR), graceEndsAt: iso(T0 + 25 * HOUR) });
    expect(first.state.nextEvaluationAt).toBe(iso(T0 + 25 * HOUR));
    expect(first.state.reasons[0]).toMatchObject({ result: 'inGracePeriod' });
    expect(first.state.reasons[0]?.message).toContain(`in grace period until ${iso(T0 + 25 * HOUR)}`);
    expect(accessDecision(first.state).decision).toBe('allow');

    // Re-evaluated later (another report): still counted from the first failure, no new transition.
    const later = step(facts({ ...high, now: T0 + 10 * HOUR }));
    expect(later.state.state).toBe('inGracePeriod');
    expect(later.transition).toBeUndefined();

    const over = step(facts({ ...high, now: T0 + 25 * HOUR }));
    expect(over.state.state).toBe('noncompliant');
    expect(over.transition).toMatchObject({ from: 'inGracePeriod', to: 'noncompliant' });
    expect(over.state.policies[0]?.graceEndsAt).toBeNull();
    expect(accessDecision(over.state).decision).toBe('block');

    // Resolving the alert makes it compliant and resets the clock: a new failure gets a new grace period.
    expect(step(facts({ now: T0 + 26 * HOUR })).state.policies[0]?.noncompliantSince).toBeNull();
    expect(step(facts({ ...high, now: T0 + 27 * HOUR })).state.state).toBe('inGracePeriod');
  });

  it('a conflict, an error or missing evidence between two failures never restarts the grace period', () => {
    const off = { value: health({ rtp: false }), receivedAt: iso(T0) };
    const conflictStep = timeline([policy({ requireRealTimeProtection: true }, 48)]);
    expect(conflictStep(facts({ health: off })).state.state).toBe('inGracePeriod');
    expect(conflictStep(facts({ health: off, now: T0 + 49 * HOUR })).state.state).toBe('noncompliant');
    const conflict = conflictStep(facts({ health: off, now: T0 + 50 * HOUR, settingConflicts: [GPO_RTP] })).state;
    expect(conflict.state).toBe('conflict');
    expect(conflict.policies[0]?.noncompliantSince).toBe(iso(T0));
    const unknown = conflictStep(facts({ health: null, now: T0 + 50 * HOUR })).state;
    expect(unknown.state).toBe('unknown');
    expect(unknown.policies[0]?.noncompliantSince).toBe(iso(T0));
    const again = conflictStep(facts({ health: off, now: T0 + 51 * HOUR })).state;
    expect(again.state).toBe('noncompliant');
    expect(accessDecision(again).decision).toBe('block');

    const errorStep = timeline([policy({ minAgentVersion: '2.0.0' }, 48)]);
    errorStep(facts({ agentVersion: '1.0.0' }));
    expect(errorStep(facts({ agentVersion: '1.0.0', now: T0 + 49 * HOUR })).state.state).toBe('noncompliant');
    const error = errorStep(facts({ agentVersion: 'dev', now: T0 + 50 * HOUR })).state;
    expect(error.state).toBe('error');
    expect(error.policies[0]?.noncompliantSince).toBe(iso(T0));
    const back = errorStep(facts({ agentVersion: '1.0.0', now: T0 + 51 * HOUR })).state;
    expect(back.state).toBe('noncompliant');
    expect(accessDecision(back).decision).toBe('block');
    // Passing clears it: the next failure has a grace period of its own.
    expect(errorStep(facts({ agentVersion: '2.0.0', now: T0 + 52 * HOUR })).state.policies[0]?.noncompliantSince).toBeNull();
    expect(errorStep(facts({ agentVersion: '1.0.0', now: T0 + 53 * HOUR })).state.state).toBe('inGracePeriod');
  });

  it('without a grace period a failure is noncompliant at once', () => {
    const step = timeline([policy({ maxRiskLevel: 'clear' })]);
    step(facts());
    expect(step(facts({ riskLevel: 'informational', now: T0 + 1 })).state.state).toBe('noncompliant');
  });

  it('a device that stops checking in goes noncompliant when maxHoursSinceCheckin passes', () => {
    const step = timeline([policy({ maxHoursSinceCheckin: 24 })]);
    const fresh = step(facts({ lastContactAt: iso(T0) }));
    expect(fresh.state.state).toBe('compliant');
    // The service's timer re-evaluates at nextEvaluationAt: just after the deadline.
    expect(fresh.state.nextEvaluationAt).toBe(iso(T0 + 24 * HOUR + 1));
    expect(step(facts({ now: T0 + 24 * HOUR })).state.state).toBe('compliant');
    const stale = step(facts({ now: T0 + 24 * HOUR + 1 }));
    expect(stale.state.state).toBe('noncompliant');
    expect(stale.state.reasons[0]).toMatchObject({ setting: 'maxHoursSinceCheckin', observed: 24 });
    expect(stale.state.nextEvaluationAt).toBeNull();
    // It checks in again.
    const back = step(facts({ now: T0 + 30 * HOUR, lastContactAt: iso(T0 + 30 * HOUR) }));
    expect(back.transition).toMatchObject({ from: 'noncompliant', to: 'compliant' });
  });

  it('signatures age with time since the health was received, and nextEvaluationAt says when they go stale', () => {
    const step = timeline([policy({ requireSignaturesUpToDate: true, maxSignatureAgeHours: 10 })]);
    const h = { value: health({ signatureAgeHours: 4 }), receivedAt: iso(T0) };
    const fresh = step(facts({ health: h }));
    expect(fresh.state.state).toBe('compliant');
    expect(fresh.state.nextEvaluationAt).toBe(iso(T0 + 6 * HOUR + 1));
    const stale = step(facts({ health: h, now: T0 + 6 * HOUR + 1 }));
    expect(stale.state.state).toBe('noncompliant');
    expect(stale.state.reasons[0]?.observed).toBe(10);
  });

  it('nextEvaluationAt is the earliest time-driven change among all policies (grace end, check-in deadline)', () => {
    const step = timeline([policy({ maxRiskLevel: 'clear' }, 48), policy({ maxHoursSinceCheckin: 12 })]);
    const s = step(facts({ riskLevel: 'low' })).state;
    expect(s.state).toBe('inGracePeriod');
    expect(s.nextEvaluationAt).toBe(iso(T0 + 12 * HOUR + 1));
  });
});
