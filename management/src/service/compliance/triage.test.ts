// Pure alert triage: which alerts count (agent-resolved, suppressed by an unexpired device or organization rule,
// resolved by an admin for the occurrence with firstSeen at or before the resolution), and how a PATCH becomes the
// new triage with its history line (omitted keeps, null clears, determinations checked against the classification).
import { describe, expect, it } from 'vitest';
import { AttacheError } from '../../../../common/errors.js';
import type { Alert, AlertTriage, SuppressionRule } from '../../../../policy-schemas/src/index.js';
import { alertEffect, applyTriagePatch, nextSuppressionExpiry, triageAlerts } from './triage.js';

const DEVICE = '55555555-5555-4555-8555-555555555555';
const T = (minute: number) => `2026-12-05T10:${String(minute).padStart(2, '0')}:00.000Z`;
const MS = (minute: number) => Date.parse(T(minute));
const alert = (firstSeen: string, status: Alert['status'] = 'active'): Alert => ({
  alertId: 'posture.rtpOff',
  category: 'posture',
  severity: 'high',
  title: 'RTP off',
  evidence: {},
  firstSeen,
  lastSeen: T(30),
  status,
});
const resolvedAt = (at: string): AlertTriage => ({
  status: 'resolved',
  classification: null,
  determination: null,
  assignedTo: null,
  resolvedAt: at,
  resolvedBy: 'alice',
  updatedAt: at,
  updatedBy: 'alice',
});
const rule = (o: Partial<SuppressionRule>): SuppressionRule => ({
  ruleId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  scope: 'device',
  deviceId: DEVICE,
  alertId: 'posture.rtpOff',
  comment: 'x',
  createdAt: T(0),
  createdBy: 'alice',
  expiresAt: null,
  ...o,
});

describe('alert effect', () => {
  it('counts an active alert; the agent, a matching unexpired rule or an admin resolution of this occurrence stop it', () => {
    expect(alertEffect(DEVICE, alert(T(1)), undefined, [], MS(30)).effect).toBe('active');
    expect(alertEffect(DEVICE, alert(T(1), 'resolved'), undefined, [], MS(30)).effect).toBe('resolvedByAgent');
    expect(alertEffect(DEVICE, alert(T(1)), resolvedAt(T(5)), [], MS(30)).effect).toBe('resolvedByAdmin');
    expect(alertEffect(DEVICE, alert(T(5)), resolvedAt(T(5)), [], MS(30)).effect).toBe('resolvedByAdmin');
    // A new occurrence (firstSeen after the resolution) counts again.
    expect(alertEffect(DEVICE, alert(T(6)), resolvedAt(T(5)), [], MS(30)).effect).toBe('active');
    expect(alertEffect(DEVICE, alert(T(1)), undefined, [rule({})], MS(30))).toEqual({ effect: 'suppressed', suppressedBy: rule({}).ruleId });
  });

  it('applies a rule only to its device or to every device (organization), for its alert, until it expires', () => {
    const other = rule({ deviceId: '66666666-6666-4666-8666-666666666666' });
    const org = rule({ scope: 'organization', deviceId: null });
    expect(alertEffect(DEVICE, alert(T(1)), undefined, [other], MS(30)).effect).toBe('active');
    expect(alertEffect(DEVICE, alert(T(1)), undefined, [rule({ alertId: 'posture.other' })], MS(30)).effect).toBe('active');
    expect(alertEffect(DEVICE, alert(T(1)), undefined, [org], MS(30)).effect).toBe('suppressed');
    const expiring = rule({ expiresAt: T(30) });
    expect(alertEffect(DEVICE, alert(T(1)), undefined, [expiring], MS(30) - 1).effect).toBe('suppressed');
    expect(alertEffect(DEVICE, alert(T(1)), undefined, [expiring], MS(30)).effect).toBe('active');
  });

  it('names the earliest expiry of a rule in use, so the device is evaluated again then', () => {
    const a = rule({ expiresAt: T(40) });
    const b = rule({ ruleId: '8c9e6679-7425-40de-944b-e07fc1f90ae7', scope: 'organization', deviceId: null, expiresAt: T(35), alertId: 'posture.x' });
    const triaged = triageAlerts(DEVICE, [alert(T(1))], new Map(), [a, b], MS(30));
    expect(nextSuppressionExpiry(triaged, [a, b])).toBe(T(40));
    expect(nextSuppressionExpiry(triageAlerts(DEVICE, [alert(T(1))], new Map(), [], MS(30)), [])).toBeNull();
  });
});

describe('a triage change', () => {
  it('keeps omitted properties, clears with null, stamps the resolution once, and writes one history line', () => {
    const first = applyTriagePatch(undefined, { status: 'resolved', classification: 'falsePositive', determination: 'notMalicious' }, 'alice', T(1));
    expect(first.triage).toMatchObject({ status: 'resolved', resolvedAt: T(1), resolvedBy: 'alice', determination: 'notMalicious', assignedTo: null });
    expect(first.comments.map((c) => c.text)).toEqual([
      'changed status: new → resolved; classification: none → falsePositive; determination: none → notMalicious',
    ]);
    const again = applyTriagePatch(first.triage, { status: 'resolved', assignedTo: 'bob' }, 'bob', T(2));
    expect(again.triage).toMatchObject({ resolvedAt: T(1), resolvedBy: 'alice', assignedTo: 'bob', classification: 'falsePositive', updatedBy: 'bob' });
    const reopened = applyTriagePatch(again.triage, { status: 'inProgress', assignedTo: null }, 'bob', T(3));
    expect(reopened.triage).toMatchObject({ status: 'inProgress', resolvedAt: null, resolvedBy: null, assignedTo: null });
  });

  it('adds only the comment when nothing changes', () => {
    const { triage, comments } = applyTriagePatch(undefined, { comment: 'looking' }, 'alice', T(1));
    expect(triage).toBeUndefined();
    expect(comments).toEqual([{ at: T(1), author: 'alice', text: 'looking' }]);
  });

  it('refuses a determination of another classification or without one, naming /determination; clears one that no longer fits', () => {
    const refused = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err instanceof AttacheError ? [err.code, err.details?.[0]?.path] : err;
      }
      return 'accepted';
    };
    expect(refused(() => applyTriagePatch(undefined, { classification: 'falsePositive', determination: 'malware' }, 'a', T(1)))).toEqual([
      'SCHEMA_INVALID',
      '/determination',
    ]);
    expect(refused(() => applyTriagePatch(undefined, { determination: 'malware' }, 'a', T(1)))).toEqual(['SCHEMA_INVALID', '/determination']);
    const tp = applyTriagePatch(undefined, { classification: 'truePositive', determination: 'malware' }, 'a', T(1)).triage;
    expect(applyTriagePatch(tp, { classification: 'falsePositive' }, 'a', T(2)).triage).toMatchObject({ classification: 'falsePositive', determination: null });
    expect(applyTriagePatch(tp, { classification: null }, 'a', T(2)).triage).toMatchObject({ classification: null, determination: null });
  });
});
