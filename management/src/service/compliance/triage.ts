// Alert triage, pure: which of a device's alerts count toward its risk once admins have triaged and suppressed them,
// and how a triage change (Defender's PATCH alert: omitted properties keep their values) turns into the new triage
// and its history line. No I/O: times come in as arguments.
import { AttacheError } from '../../../../common/errors.js';
import { isoTime } from '../../../../common/iso-time.js';
import {
  type Alert,
  type AlertComment,
  type AlertEffect,
  type AlertTriage,
  type AlertTriagePatch,
  DETERMINATIONS,
  MAX_DEVICE_SUPPRESSIONS,
  type SuppressionRule,
  suppressionApplies,
} from '../../../../policy-schemas/src/index.js';

/** An alert with what triage makes of it. */
export type TriagedAlert<T extends Alert> = T & { readonly triage: AlertTriage | null; readonly effect: AlertEffect; readonly suppressedBy: string | null };

const byAge = (a: SuppressionRule, b: SuppressionRule) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;

/**
 * The rules in force that the device's signed list carries at `nowIso`: its own rules, then the organization's, each
 * oldest first, at most MAX_DEVICE_SUPPRESSIONS; `left` counts those in force that do not fit. The caps per scope
 * (500 + 500, counted in the write) keep `left` at 0; rules stored before that can pass it. The endpoint's triage
 * counts only these, so it never shows an alert suppressed that the agent still raises.
 */
export function carriedSuppressionRules(deviceId: string, rules: readonly SuppressionRule[], nowIso: string): { rules: SuppressionRule[]; left: number } {
  const applying = rules.filter((r) => suppressionApplies(r, nowIso));
  const own = applying.filter((r) => r.scope === 'device' && r.deviceId === deviceId).sort(byAge);
  const organization = applying.filter((r) => r.scope === 'organization').sort(byAge);
  const all = [...own, ...organization];
  return { rules: all.slice(0, MAX_DEVICE_SUPPRESSIONS), left: Math.max(0, all.length - MAX_DEVICE_SUPPRESSIONS) };
}

/** The unexpired rule (device rules before organization rules) that suppresses this alert of the device, if any. */
export function suppressingRule(deviceId: string, alertId: string, rules: readonly SuppressionRule[], nowMs: number): SuppressionRule | undefined {
  const matching = rules.filter(
    (r) => r.alertId === alertId && (r.scope === 'organization' || r.deviceId === deviceId) && suppressionApplies(r, isoTime(nowMs)),
  );
  return matching.find((r) => r.scope === 'device') ?? matching[0];
}

/**
 * Whether the alert counts. The rule of an admin resolution: it covers the occurrence the agent had reported when the
 * admin resolved it, i.e. while the alert's `firstSeen` is at or before `resolvedAt`. The agent keeps `firstSeen` while
 * it keeps seeing the condition (lastSeen moves on every check), and gives a new `firstSeen` only when the condition
 * comes back after the agent saw it clean; so a resolved alert counts again exactly when the agent reports a new
 * occurrence, as Defender raises a new alert for a new detection. A condition that persists and is expected is what
 * suppression is for.
 */
export function alertEffect(deviceId: string, alert: Alert, triage: AlertTriage | undefined, rules: readonly SuppressionRule[], nowMs: number) {
  const rule = alert.status === 'active' ? suppressingRule(deviceId, alert.alertId, rules, nowMs) : undefined;
  const effect: AlertEffect =
    alert.status !== 'active'
      ? 'resolvedByAgent'
      : rule
        ? 'suppressed'
        : triage?.status === 'resolved' && triage.resolvedAt !== null && Date.parse(alert.firstSeen) <= Date.parse(triage.resolvedAt)
          ? 'resolvedByAdmin'
          : 'active';
  return { effect, suppressedBy: rule?.ruleId ?? null };
}

/** Every alert with its triage and effect. Only those with effect `active` count toward risk and compliance. */
export function triageAlerts<T extends Alert>(
  deviceId: string,
  alerts: readonly T[],
  triage: ReadonlyMap<string, AlertTriage>,
  rules: readonly SuppressionRule[],
  nowMs: number,
): TriagedAlert<T>[] {
  const carried = carriedSuppressionRules(deviceId, rules, isoTime(nowMs)).rules;
  return alerts.map((a) => {
    const t = triage.get(a.alertId);
    return { ...a, triage: t ?? null, ...alertEffect(deviceId, a, t, carried, nowMs) };
  });
}

/** The alerts that count, as the risk level and compliance checks read them. */
export function countingAlerts<T extends Alert>(triaged: readonly TriagedAlert<T>[]): T[] {
  return triaged.filter((a) => a.effect === 'active');
}

/** The earliest future expiry of a rule that suppresses one of these alerts (the device must be evaluated again then). */
export function nextSuppressionExpiry(triaged: readonly { readonly suppressedBy: string | null }[], rules: readonly SuppressionRule[]): string | null {
  const used = new Set(triaged.map((a) => a.suppressedBy).filter((id) => id !== null));
  const times = rules.filter((r) => used.has(r.ruleId) && r.expiresAt !== null).map((r) => r.expiresAt as string);
  return times.length === 0 ? null : times.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
}

function invalid(path: string, message: string): AttacheError {
  return new AttacheError('SCHEMA_INVALID', `alert triage change is invalid: ${path} ${message}`, { details: [{ path, message }] });
}

const NONE: AlertTriage = {
  status: 'new',
  classification: null,
  determination: null,
  assignedTo: null,
  resolvedAt: null,
  resolvedBy: null,
  updatedAt: '',
  updatedBy: '',
};

/**
 * The triage after `patch` (undefined when it changes nothing but adds a comment) and the comments to append: a
 * history line naming each changed property, then the admin's comment. A determination must belong to the
 * classification; changing the classification clears a determination that no longer fits.
 */
export function applyTriagePatch(
  current: AlertTriage | undefined,
  patch: AlertTriagePatch,
  actor: string,
  nowIso: string,
): { triage: AlertTriage | undefined; comments: AlertComment[] } {
  const before = current ?? NONE;
  const classification = patch.classification === undefined ? before.classification : patch.classification;
  let determination = patch.determination === undefined ? before.determination : patch.determination;
  if (determination !== null) {
    if (classification === null) {
      if (patch.determination !== undefined) throw invalid('/determination', 'needs a classification');
      determination = null;
    } else if (!(DETERMINATIONS[classification] as readonly string[]).includes(determination)) {
      if (patch.determination !== undefined)
        throw invalid('/determination', `must be one of ${DETERMINATIONS[classification].join(', ')} for ${classification}`);
      determination = null;
    }
  }
  const status = patch.status ?? before.status;
  const resolvedNow = status === 'resolved' && before.status !== 'resolved';
  const next: AlertTriage = {
    status,
    classification,
    determination,
    assignedTo: patch.assignedTo === undefined ? before.assignedTo : patch.assignedTo,
    resolvedAt: status !== 'resolved' ? null : resolvedNow ? nowIso : before.resolvedAt,
    resolvedBy: status !== 'resolved' ? null : resolvedNow ? actor : before.resolvedBy,
    updatedAt: nowIso,
    updatedBy: actor,
  };
  const changes = (['status', 'classification', 'determination', 'assignedTo'] as const)
    .filter((k) => next[k] !== before[k] || (current === undefined && patch[k] !== undefined))
    .map((k) => `${k}: ${before[k] ?? 'none'} → ${next[k] ?? 'none'}`);
  const comments: AlertComment[] = [];
  if (changes.length > 0) comments.push({ at: nowIso, author: actor, text: `changed ${changes.join('; ')}`.slice(0, 1000) });
  if (patch.comment !== undefined) comments.push({ at: nowIso, author: actor, text: patch.comment });
  return { triage: changes.length > 0 ? next : undefined, comments };
}
