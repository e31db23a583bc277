// Indicator actions as Defender defines them: enforcement per action, alerting, expiry, and conflict precedence per
// subject (files: block/warn > allow > audit, stronger hash wins; network: Allow > Warn > Block).
import { describe, expect, it } from 'vitest';
import type { IndicatorMatch, RiskIndicator } from './indicator-match.js';
import { enforcementOf, expiresAtMs, indicatorStatusNote, inForce, raisesAlert, resolveConflicts, withIndicatorNotes } from './indicator-policy.js';

const ind = (type: RiskIndicator['type'], action: RiskIndicator['action'], extra: Partial<RiskIndicator> = {}): RiskIndicator => ({
  type,
  value: `${type}-${action}`,
  action,
  ...extra,
});
const fileMatch = (indicator: RiskIndicator, subject = '/opt/x'): IndicatorMatch => ({
  indicator,
  subject,
  processes: [{ pid: 1, name: 'x', path: subject }],
  connections: [],
});
const netMatch = (indicator: RiskIndicator, subject = '4:cb007107'): IndicatorMatch => ({
  indicator,
  subject,
  processes: [],
  connections: [{ remoteAddress: '203.0.113.7', remotePort: 443 }],
});
const actions = (ms: readonly IndicatorMatch[]) => ms.map((m) => `${m.indicator.type}:${m.indicator.action}`).sort();

describe('indicator actions', () => {
  it('maps each action to what the agent does: alert is audit, warn audits (no prompt on any OS)', () => {
    expect(['allowed', 'audit', 'alert', 'warn', 'block', 'blockAndRemediate'].map((a) => enforcementOf(a as RiskIndicator['action']))).toEqual([
      'allow',
      'audit',
      'audit',
      'audit',
      'block',
      'blockAndRemediate',
    ]);
  });

  it('alerts unless allowed or generateAlert is false', () => {
    expect(raisesAlert(ind('fileSha256', 'allowed'))).toBe(false);
    expect(raisesAlert(ind('fileSha256', 'block'))).toBe(true);
    expect(raisesAlert(ind('fileSha256', 'block', { generateAlert: false }))).toBe(false);
    expect(raisesAlert(ind('ipAddress', 'warn'))).toBe(true);
  });

  it('parses the expiry as UTC epoch ms (vectors from Python datetime; the core has no Date), and splits expired items off', () => {
    const vectors: [string, number][] = [
      ['1970-01-01T00:00:00Z', 0],
      ['1900-03-01T00:00:00Z', -2203891200000],
      ['2000-02-29T12:34:56.789Z', 951827696789],
      ['2027-01-01T00:00:00.5Z', 1798761600500],
      ['9999-12-31T23:59:59Z', 253402300799000],
    ];
    for (const [text, ms] of vectors) expect(expiresAtMs(ind('fileMd5', 'block', { expirationTime: text }))).toBe(ms);
    expect(expiresAtMs(ind('fileMd5', 'block'))).toBeUndefined();
    const now = 1796464800000; // 2026-12-05T10:00:00Z
    const past = ind('fileMd5', 'block', { expirationTime: '2026-12-05T10:00:00Z' });
    const future = ind('fileSha1', 'block', { expirationTime: '2026-12-05T10:00:01Z' });
    const forever = ind('fileSha256', 'audit');
    expect(inForce([past, future, forever], now)).toEqual({ active: [future, forever], expired: [past] });
  });
});

describe('conflicts on one executable (Defender file and certificate IoC order)', () => {
  it('a block or warn indicator wins over an allow indicator; audit ones still report', () => {
    const matches = [fileMatch(ind('certificateThumbprint', 'allowed')), fileMatch(ind('fileSha256', 'block')), fileMatch(ind('processName', 'audit'))];
    expect(actions(resolveConflicts(matches))).toEqual(['fileSha256:block', 'processName:audit']);
    expect(actions(resolveConflicts([fileMatch(ind('fileSha1', 'allowed')), fileMatch(ind('fileMd5', 'warn'))]))).toEqual(['fileMd5:warn']);
  });

  it('an allow indicator wins over audit ones (the file is allowed: no alert)', () => {
    expect(actions(resolveConflicts([fileMatch(ind('fileSha1', 'allowed')), fileMatch(ind('processPath', 'audit'))]))).toEqual(['fileSha1:allowed']);
  });

  it('among hashes with the same action the more secure one applies: SHA-256 over SHA-1 over MD5', () => {
    const three = [fileMatch(ind('fileMd5', 'block')), fileMatch(ind('fileSha1', 'block')), fileMatch(ind('fileSha256', 'block'))];
    expect(actions(resolveConflicts(three))).toEqual(['fileSha256:block']);
    expect(actions(resolveConflicts([fileMatch(ind('fileMd5', 'blockAndRemediate')), fileMatch(ind('fileSha1', 'block'))]))).toEqual([
      'fileMd5:blockAndRemediate',
      'fileSha1:block',
    ]);
  });

  it('resolves each executable on its own', () => {
    const out = resolveConflicts([fileMatch(ind('fileSha1', 'allowed'), '/a'), fileMatch(ind('processName', 'block'), '/b')]);
    expect(out.map((m) => m.subject).sort()).toEqual(['/a', '/b']);
  });
});

describe('conflicts on one remote address (Defender IP/URL/domain order: Allow > Warn > Block)', () => {
  it('allow beats everything, warn beats block', () => {
    expect(actions(resolveConflicts([netMatch(ind('ipAddress', 'block')), netMatch(ind('cidr', 'allowed'))]))).toEqual(['cidr:allowed']);
    expect(actions(resolveConflicts([netMatch(ind('ipAddress', 'block')), netMatch(ind('cidr', 'warn'))]))).toEqual(['cidr:warn']);
    expect(actions(resolveConflicts([netMatch(ind('ipAddress', 'block')), netMatch(ind('cidr', 'audit'))]))).toEqual(['cidr:audit', 'ipAddress:block']);
  });
});

describe('status message of the delivered list', () => {
  const now = 1796464800000; // 2026-12-05T10:00:00Z
  const expired = ind('fileMd5', 'block', { value: 'a'.repeat(32), expirationTime: '2026-12-01T00:00:00Z' });
  const cert = ind('certificateThumbprint', 'allowed', { value: 'B'.repeat(40) });
  const domain = ind('domain', 'block', { value: 'malware.example.com' });
  const live = ind('fileSha256', 'block', { value: 'c'.repeat(64) });

  it('names expired items and the types this OS cannot match, with the reason', () => {
    expect(indicatorStatusNote([expired, cert, domain, live], now, 'linux')).toBe(
      `3 of 4 indicator(s) not enforced: 1 expired (not enforced): fileMd5 ${'a'.repeat(32)} at 2026-12-01T00:00:00Z; 2 notApplicable on linux: ` +
        `certificateThumbprint ${'B'.repeat(40)} (Linux executables carry no code signature the agent can read), ` +
        'domain malware.example.com (the agent does not see DNS lookups, so domains are never matched)',
    );
    expect(indicatorStatusNote([cert, live], now, 'windows')).toBeUndefined();
    expect(indicatorStatusNote([cert], now, 'macos')).toContain('codesign');
  });

  it('goes on the succeeded indicators status only', () => {
    const base = { kind: 'indicators' as const, policyIds: [], desired: [expired] as never };
    const [ok, failed] = withIndicatorNotes(
      [
        { ...base, settingId: 'indicators.items', state: 'succeeded' },
        { ...base, settingId: 'indicators.items', state: 'error', message: 'disk full' },
      ],
      now,
      'linux',
    );
    expect(ok?.message).toContain('1 expired');
    expect(failed?.message).toBe('disk full');
  });
});
