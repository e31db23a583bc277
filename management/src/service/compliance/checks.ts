// Compliance setting checks, pure: each configured setting of a compliance policy against what the endpoint knows about
// the device (risk from stored alerts, latest health, last contact, agent version, settings reported in conflict, vulnerability exposure) at time
// `now`. A check is `compliant`, `noncompliant`, `unknown` (evidence missing), `conflict` (not met because another
// manager or policy wins the setting behind it) or `error` (could not be evaluated), and says when time alone flips it.
import { type Alert, type ComplianceSettings, type DeviceHealth, EXPOSURE_LEVELS, type RiskLevel } from '../../../../policy-schemas/src/index.js';
import { compareSemver } from '../targeting.js';
import type { ExposureSummary } from '../vulnerabilities/contracts.js';
import { riskWithin } from './risk.js';

const HOUR_MS = 3_600_000;
/** Signature age allowed when a policy requires signatures up to date without saying how old (hours). */
export const DEFAULT_MAX_SIGNATURE_AGE_HOURS = 72;

/** What the checks look at. Times are endpoint-clock instants; health ages are counted from when it was received. */
export interface ComplianceFacts {
  /** Unix ms. */
  readonly now: number;
  readonly agentVersion: string;
  /** Last signed request of the device (or its enrollment when it made none yet), RFC 3339. */
  readonly lastContactAt: string;
  readonly riskLevel: RiskLevel;
  /** The active alerts, highest severity first (named in reasons). */
  readonly activeAlerts: readonly Pick<Alert, 'alertId' | 'severity' | 'title'>[];
  readonly health: { readonly value: DeviceHealth; readonly receivedAt: string } | null;
  /** Settings the device last reported in state `conflict` (SETTING_OVERRIDDEN: Group Policy wins; SETTING_CONFLICT). */
  readonly settingConflicts: readonly SettingConflict[];
  /** The device's computed vulnerability exposure; null when it never uploaded software (or was never computed). */
  readonly vulnerabilityExposure: ExposureSummary | null;
}

/** A setting the device reported in conflict, with the device's message (who wins). */
export interface SettingConflict {
  readonly settingId: string;
  readonly code?: string | undefined;
  readonly message?: string | undefined;
}

/** A checked setting's value as reasons carry it. */
export type CheckValue = string | number | boolean | null;

/** The outcome of one setting on one device. */
export interface SettingCheck {
  readonly setting: keyof ComplianceSettings;
  readonly result: 'compliant' | 'noncompliant' | 'unknown' | 'conflict' | 'error';
  readonly expected: CheckValue;
  readonly observed: CheckValue;
  /** Why, without the policy name (the caller adds it). */
  readonly message: string;
  /** Unix ms at which the result changes if nothing else happens (a compliant check going stale). */
  readonly changesAt?: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function alertsText(alerts: ComplianceFacts['activeAlerts']): string {
  const named = alerts.slice(0, 3).map((a) => `"${a.title}" (${a.severity})`);
  const more = alerts.length > 3 ? ` and ${alerts.length - 3} more` : '';
  return named.length === 0 ? '' : `; active alerts: ${named.join(', ')}${more}`;
}

function checkRisk(max: NonNullable<ComplianceSettings['maxRiskLevel']>, f: ComplianceFacts): SettingCheck {
  const ok = riskWithin(f.riskLevel, max);
  const message = ok ? `machine risk ${f.riskLevel} is within ${max}` : `machine risk ${f.riskLevel} is above the allowed ${max}${alertsText(f.activeAlerts)}`;
  return { setting: 'maxRiskLevel', result: ok ? 'compliant' : 'noncompliant', expected: max, observed: f.riskLevel, message };
}

/**
 * Software received longer ago than this makes the exposure check `unknown` (review18 M7): 14 agent intervals of the
 * default 12 h. The agent uploads only when its software changed, so this assumes it re-sends an unchanged inventory
 * at least weekly (docs/vulnerabilities.md "Compliance").
 */
export const MAX_SOFTWARE_AGE_DAYS = 7;
const DAY_MS = 86_400_000;

function checkExposure(max: NonNullable<ComplianceSettings['maxVulnerabilityExposureLevel']>, f: ComplianceFacts): SettingCheck {
  const setting = 'maxVulnerabilityExposureLevel';
  const e = f.vulnerabilityExposure;
  if (!e)
    return {
      setting,
      result: 'unknown',
      expected: max,
      observed: null,
      message: 'vulnerability exposure unknown: the device has uploaded no software inventory yet',
    };
  const unknown = (why: string): SettingCheck => ({
    setting,
    result: 'unknown',
    expected: max,
    observed: e.level,
    message: `vulnerability exposure unknown: ${why}`,
  });
  if (e.lastImportAt === null) return unknown('no advisory file was ever imported, so no software can be judged vulnerable');
  const received = e.softwareReceivedAt === null ? Number.NaN : Date.parse(e.softwareReceivedAt);
  const deadline = received + MAX_SOFTWARE_AGE_DAYS * DAY_MS;
  if (!(f.now <= deadline)) {
    return unknown(`the device's software inventory (received ${e.softwareReceivedAt ?? 'never'}) is older than ${MAX_SOFTWARE_AGE_DAYS} days`);
  }
  const changesAt = deadline + 1;
  if (EXPOSURE_LEVELS.indexOf(e.level) <= EXPOSURE_LEVELS.indexOf(max)) {
    return {
      setting,
      result: 'compliant',
      expected: max,
      observed: e.level,
      message: `vulnerability exposure ${e.level} (score ${e.score}) is within ${max}`,
      changesAt,
    };
  }
  const message = `vulnerability exposure ${e.level} (score ${e.score}, computed ${e.computedAt}) is above the allowed ${max}`;
  return { setting, result: 'noncompliant', expected: max, observed: e.level, message };
}

/** A required boolean health field (`true` required): on, off, or not known. */
function checkOn(setting: 'requireRealTimeProtection' | 'requireFirewall', what: string, f: ComplianceFacts): SettingCheck {
  const h = f.health?.value;
  if (!h) return { setting, result: 'unknown', expected: true, observed: null, message: `${what} state unknown: the device has reported no health yet` };
  const part = setting === 'requireFirewall' ? h.firewall : h.antivirus;
  const value = setting === 'requireFirewall' ? h.firewall.enabled : h.antivirus.realTimeProtection;
  const detail = part.detail ? ` (${part.detail})` : '';
  if (value === null) return { setting, result: 'unknown', expected: true, observed: null, message: `${what} state unknown${detail}` };
  if (value) return { setting, result: 'compliant', expected: true, observed: true, message: `${what} is on` };
  const profiles =
    setting === 'requireFirewall' && h.firewall.profiles
      ? ` (off: ${Object.entries(h.firewall.profiles)
          .filter(([, on]) => on === false)
          .map(([p]) => p)
          .join(', ')})`
      : '';
  return { setting, result: 'noncompliant', expected: true, observed: false, message: `${what} is off${profiles}${detail}` };
}

/**
 * Signature age at `now`: the age the device reported plus the time since the endpoint received it (so device clock
 * skew does not matter); else the time since `signatureUpdatedAt`; undefined when the device knows neither.
 */
export function signatureAgeHours(health: NonNullable<ComplianceFacts['health']>, now: number): { age: number; zeroAt: number } | undefined {
  const av = health.value.antivirus;
  if (typeof av.signatureAgeHours === 'number') {
    const zeroAt = Date.parse(health.receivedAt) - av.signatureAgeHours * HOUR_MS;
    return { age: (now - zeroAt) / HOUR_MS, zeroAt };
  }
  if (av.signatureUpdatedAt) {
    const zeroAt = Date.parse(av.signatureUpdatedAt);
    return { age: (now - zeroAt) / HOUR_MS, zeroAt };
  }
  return undefined;
}

function checkSignatures(maxHours: number, f: ComplianceFacts): SettingCheck {
  const setting = 'requireSignaturesUpToDate';
  if (!f.health)
    return { setting, result: 'unknown', expected: maxHours, observed: null, message: 'signature age unknown: the device has reported no health yet' };
  const age = signatureAgeHours(f.health, f.now);
  if (!age) {
    const detail = f.health.value.antivirus.detail ? ` (${f.health.value.antivirus.detail})` : '';
    return { setting, result: 'unknown', expected: maxHours, observed: null, message: `signature age unknown${detail}` };
  }
  if (age.age > maxHours) {
    return {
      setting,
      result: 'noncompliant',
      expected: maxHours,
      observed: round1(age.age),
      message: `signatures are ${round1(age.age)} h old (allowed ${maxHours} h)`,
    };
  }
  const changesAt = Math.floor(age.zeroAt + maxHours * HOUR_MS) + 1;
  return { setting, result: 'compliant', expected: maxHours, observed: round1(age.age), message: `signatures are ${round1(age.age)} h old`, changesAt };
}

function checkCheckin(maxHours: number, f: ComplianceFacts): SettingCheck {
  const setting = 'maxHoursSinceCheckin';
  const last = Date.parse(f.lastContactAt);
  const hours = round1((f.now - last) / HOUR_MS);
  const deadline = last + maxHours * HOUR_MS;
  if (f.now > deadline) {
    return {
      setting,
      result: 'noncompliant',
      expected: maxHours,
      observed: hours,
      message: `last check-in ${f.lastContactAt} is ${hours} h ago (allowed ${maxHours} h)`,
    };
  }
  return { setting, result: 'compliant', expected: maxHours, observed: hours, message: `last check-in ${hours} h ago`, changesAt: deadline + 1 };
}

function checkAgentVersion(min: string, f: ComplianceFacts): SettingCheck {
  const setting = 'minAgentVersion';
  const c = compareSemver(f.agentVersion, min);
  if (Number.isNaN(c))
    return { setting, result: 'error', expected: min, observed: f.agentVersion, message: `agent version "${f.agentVersion}" is not semver: cannot compare` };
  if (c < 0) return { setting, result: 'noncompliant', expected: min, observed: f.agentVersion, message: `agent ${f.agentVersion} is older than ${min}` };
  return { setting, result: 'compliant', expected: min, observed: f.agentVersion, message: `agent ${f.agentVersion} is at least ${min}` };
}

/**
 * The security settings whose value a check observes: when the check is not met and the device reports one of them in
 * conflict (another manager, e.g. a GPO, wins; or two assigned policies disagree), the compliance policy and that other
 * manager contradict each other and only an administrator can resolve it: Intune's "Conflict" ("Two settings are applied
 * to the same device, and Intune can't sort out the conflict. An administrator should review.").
 * Source: https://learn.microsoft.com/mem/intune/protect/compliance-policy-monitor (View status of device policies)
 */
const SETTINGS_BEHIND: Readonly<Partial<Record<keyof ComplianceSettings, RegExp>>> = {
  requireRealTimeProtection: /^(defender\.AllowRealtimeMonitoring|defender\.AllowOnAccessProtection|mdatp\.antivirusEngine\.enforcementLevel)$/,
  requireFirewall: /^(firewall\.(domain|private|public)Profile\.EnableFirewall|macosFirewall\.EnableFirewall)$/,
};

/** True when a setting's status is evidence for a compliance check (a report with it in conflict re-evaluates the device). */
export function isBehindCheck(settingId: string): boolean {
  return Object.values(SETTINGS_BEHIND).some((re) => re.test(settingId));
}

/** True when a policy has a check that rests on a reported setting status (the evaluation then reads the device's report). */
export function needsSettingStatus(settings: ComplianceSettings): boolean {
  return (Object.keys(SETTINGS_BEHIND) as (keyof ComplianceSettings)[]).some((k) => Boolean(settings[k]));
}

function withConflict(check: SettingCheck, conflicts: readonly SettingConflict[]): SettingCheck {
  if (check.result !== 'noncompliant' && check.result !== 'unknown') return check;
  const behind = SETTINGS_BEHIND[check.setting];
  const conflict = behind && conflicts.find((c) => behind.test(c.settingId));
  if (!conflict) return check;
  const why = [conflict.code, conflict.message].filter(Boolean).join(': ');
  return { ...check, result: 'conflict', message: `${check.message}; the device reports ${conflict.settingId} in conflict${why ? ` (${why})` : ''}` };
}

// A check that throws is an `error`, never a silent pass: the device is not granted access on a check nobody evaluated.
function guarded(setting: keyof ComplianceSettings, expected: CheckValue, run: () => SettingCheck): SettingCheck {
  try {
    const check = run();
    if (check.observed !== null && typeof check.observed === 'number' && !Number.isFinite(check.observed)) {
      return { setting, result: 'error', expected, observed: null, message: 'the evidence cannot be evaluated (not a finite number)' };
    }
    return check;
  } catch (err) {
    return { setting, result: 'error', expected, observed: null, message: `evaluation failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Checks every configured setting of a policy (settings left out, or `require*: false`, are not configured). */
export function checkSettings(settings: ComplianceSettings, facts: ComplianceFacts): SettingCheck[] {
  const checks: SettingCheck[] = [];
  const { maxRiskLevel, maxHoursSinceCheckin, minAgentVersion } = settings;
  if (maxRiskLevel) checks.push(guarded('maxRiskLevel', maxRiskLevel, () => checkRisk(maxRiskLevel, facts)));
  if (settings.requireRealTimeProtection)
    checks.push(guarded('requireRealTimeProtection', true, () => checkOn('requireRealTimeProtection', 'real-time protection', facts)));
  if (settings.requireFirewall) checks.push(guarded('requireFirewall', true, () => checkOn('requireFirewall', 'firewall', facts)));
  if (settings.requireSignaturesUpToDate) {
    const max = settings.maxSignatureAgeHours ?? DEFAULT_MAX_SIGNATURE_AGE_HOURS;
    checks.push(guarded('requireSignaturesUpToDate', max, () => checkSignatures(max, facts)));
  }
  if (maxHoursSinceCheckin !== undefined) checks.push(guarded('maxHoursSinceCheckin', maxHoursSinceCheckin, () => checkCheckin(maxHoursSinceCheckin, facts)));
  if (minAgentVersion) checks.push(guarded('minAgentVersion', minAgentVersion, () => checkAgentVersion(minAgentVersion, facts)));
  const maxExposure = settings.maxVulnerabilityExposureLevel;
  if (maxExposure) checks.push(guarded('maxVulnerabilityExposureLevel', maxExposure, () => checkExposure(maxExposure, facts)));
  return checks.map((c) => withConflict(c, facts.settingConflicts));
}
