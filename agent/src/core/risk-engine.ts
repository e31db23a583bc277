// The risk signals engine: observations in, alerts out. One call per check (`evaluate`) turns findings into alert
// transitions (opened, severity changed, resolved), the device's risk level and the block actions to take; the shell
// records what those actions did (`recordActions`) and what the sync engine saw (`observeSync`). Pure: time comes in
// as `now`, ids are digests computed by an injected function. Scope rule: an observation that could not be made this
// time (health unreadable, process list failed) leaves the alerts it produces as they were — never resolved by silence.
import { canonicalJson } from '../../../common/canonical-json.js';
import type {
  Alert,
  AlertAction,
  AlertScope,
  AntivirusHealth,
  DeviceSuppression,
  FirewallHealth,
  RiskLevel,
  SettingEvent,
  SettingState,
  TamperRecord,
  TrackedAlert,
} from '../../../policy-schemas/src/index.js';
import { suppressionApplies } from '../../../policy-schemas/src/triage-rules.js';
import { type MatchOptions, matchConnections, matchProcesses, type ObservedConnection, type ObservedProcess, type RiskIndicator } from './indicator-match.js';
import { inForce, resolveConflicts } from './indicator-policy.js';
import {
  type BlockRequest,
  type Digest,
  type Finding,
  healthFindings,
  indicatorFindings,
  syncFindings,
  type ThreatDetection,
  threatFindings,
} from './risk-findings.js';

/** What the engine remembers between checks (persisted as part of signals.json). */
export interface RiskState {
  readonly alerts: readonly TrackedAlert[];
  readonly tamper: Readonly<Record<string, TamperRecord>>;
  readonly applyErrors: Readonly<Record<string, number>>;
}

export const EMPTY_RISK_STATE: RiskState = { alerts: [], tamper: {}, applyErrors: {} };

/** What one check observed. `undefined` for an observation not made (or failed) this time. */
export interface RiskObservation {
  readonly health?: { readonly antivirus: AntivirusHealth; readonly firewall: FirewallHealth };
  readonly processes?: readonly ObservedProcess[];
  readonly connections?: readonly ObservedConnection[];
  readonly detections?: readonly ThreatDetection[];
  readonly indicators: readonly RiskIndicator[];
  /** The admin's suppressions (the verified signed list; expired ones are ignored here). */
  readonly suppressions?: readonly DeviceSuppression[];
}

export interface RiskConfig extends MatchOptions {
  readonly signatureMaxAgeHours: number;
  readonly applyErrorSyncs: number;
  readonly tamperAlertMs: number;
}

/** The current time as both epoch ms and ISO text (the core has no Date). */
export interface Now {
  readonly ms: number;
  readonly iso: string;
}

export interface RiskResult {
  readonly state: RiskState;
  /** Alerts that opened, reopened, changed severity or resolved in this check. */
  readonly changed: readonly Alert[];
  readonly riskLevel: RiskLevel;
  /** Block actions to take now, by alert id. */
  readonly blocks: readonly { readonly alertId: string; readonly request: BlockRequest }[];
}

/** Resolved alerts are kept this long (for `agent status` and to keep ids stable), then forgotten. */
export const RESOLVED_RETENTION_MS = 24 * 3_600_000;

const LEVELS: readonly RiskLevel[] = ['none', 'informational', 'low', 'medium', 'high'];

/** The device risk level: the highest severity among active alerts, `none` without any (MDE riskScore). */
export function riskLevel(alerts: readonly Pick<Alert, 'severity' | 'status'>[]): RiskLevel {
  let best = 0;
  for (const a of alerts) if (a.status === 'active') best = Math.max(best, LEVELS.indexOf(a.severity));
  return LEVELS[best] as RiskLevel;
}

/** Every finding this observation supports, and the scopes it actually observed. */
export function findingsOf(
  state: RiskState,
  observation: RiskObservation,
  config: RiskConfig,
  now: Now,
  digest: Digest,
): { findings: Finding[]; observed: Set<AlertScope> } {
  const observed = new Set<AlertScope>(['sync']);
  const findings = syncFindings(state.tamper, state.applyErrors, {
    nowMs: now.ms,
    tamperAlertMs: config.tamperAlertMs,
    applyErrorSyncs: config.applyErrorSyncs,
    digest,
  });
  if (observation.health) {
    observed.add('health');
    findings.push(...healthFindings(observation.health, config.signatureMaxAgeHours));
  }
  if (observation.detections) {
    observed.add('detections');
    findings.push(...threatFindings(observation.detections, digest));
  }
  // Expired items are not enforced: their alerts resolve like any condition no longer seen.
  const { active } = inForce(observation.indicators, now.ms);
  if (observation.processes) {
    observed.add('processes');
    findings.push(...indicatorFindings(resolveConflicts(matchProcesses(active, observation.processes, config)), digest));
  }
  if (observation.connections) {
    observed.add('connections');
    findings.push(...indicatorFindings(resolveConflicts(matchConnections(active, observation.connections)), digest));
  }
  return { findings, observed };
}

function opened(f: Finding, now: Now): Alert {
  return {
    alertId: f.alertId,
    category: f.category,
    severity: f.severity,
    title: f.title,
    evidence: { ...f.evidence },
    firstSeen: now.iso,
    lastSeen: now.iso,
    status: 'active',
  };
}

/**
 * Marks each active alert an unexpired suppression covers (`suppressedBy`): it stays tracked and reported (the
 * endpoint shows it as suppressed) but adds no risk (its block, if any, stays). An alert whose mark changed is reported.
 */
function markSuppressed(
  alerts: readonly TrackedAlert[],
  previous: ReadonlyMap<string, TrackedAlert>,
  suppressions: readonly DeviceSuppression[],
  now: Now,
  changed: Alert[],
): TrackedAlert[] {
  const rules = new Map(suppressions.filter((s) => suppressionApplies(s, now.iso)).map((s) => [s.alertId, s.ruleId]));
  return alerts.map((t) => {
    const { suppressedBy: _was, ...rest } = t;
    const by = t.alert.status === 'active' ? rules.get(t.alert.alertId) : undefined;
    const before = previous.get(t.alert.alertId);
    if (before && before.alert.status === 'active' && t.alert.status === 'active' && before.suppressedBy !== by && !changed.includes(t.alert)) {
      changed.push(t.alert);
    }
    return by === undefined ? rest : { ...rest, suppressedBy: by };
  });
}

/** The risk level of tracked alerts: active ones no suppression covers. */
export function trackedRiskLevel(alerts: readonly TrackedAlert[]): RiskLevel {
  return riskLevel(alerts.filter((t) => t.suppressedBy === undefined).map((t) => t.alert));
}

/** Turns findings into alert transitions. Findings with the same id are merged (the first one wins). */
export function reconcile(
  state: RiskState,
  findings: readonly Finding[],
  observed: ReadonlySet<AlertScope>,
  now: Now,
  suppressions: readonly DeviceSuppression[] = [],
): RiskResult {
  const previous = new Map(state.alerts.map((t) => [t.alert.alertId, t]));
  const next: TrackedAlert[] = [];
  const changed: Alert[] = [];
  const blocks: { alertId: string; request: BlockRequest }[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    if (f.silent) {
      // A block without an alert (generateAlert false): carried out, never tracked as an alert.
      if (f.block) blocks.push({ alertId: f.alertId, request: f.block });
      continue;
    }
    if (seen.has(f.alertId)) continue;
    seen.add(f.alertId);
    const before = previous.get(f.alertId);
    if (!before || before.alert.status === 'resolved') {
      const alert = opened(f, now);
      next.push({ scope: f.scope, alert });
      changed.push(alert);
    } else {
      const { action, ...rest } = before.alert;
      const alert: Alert = { ...rest, severity: f.severity, title: f.title, evidence: { ...f.evidence }, lastSeen: now.iso, ...(action ? { action } : {}) };
      next.push({ scope: f.scope, alert });
      if (alert.severity !== before.alert.severity) changed.push(alert);
    }
    if (f.block) blocks.push({ alertId: f.alertId, request: f.block });
  }
  for (const t of state.alerts) {
    if (seen.has(t.alert.alertId)) continue;
    if (t.alert.status === 'active') {
      if (!observed.has(t.scope)) {
        next.push(t);
        continue;
      }
      const alert: Alert = { ...t.alert, status: 'resolved', resolvedAt: now.iso };
      next.push({ scope: t.scope, alert, resolvedMs: now.ms });
      changed.push(alert);
    } else if (now.ms - (t.resolvedMs ?? 0) < RESOLVED_RETENTION_MS) {
      next.push(t);
    }
  }
  const sorted = next.sort((a, b) => (a.alert.alertId < b.alert.alertId ? -1 : a.alert.alertId > b.alert.alertId ? 1 : 0));
  const alerts = markSuppressed(sorted, previous, suppressions, now, changed);
  // A suppression quiets the alert and its risk, never the enforcement: an indicator's block stays (as in Defender;
  // turning enforcement off is an `allowed` indicator, a policy change, not an alert triage).
  return { state: { ...state, alerts }, changed, riskLevel: trackedRiskLevel(alerts), blocks };
}

/** One check: findings from the observation, then their alert transitions. Tamper records past the window are dropped. */
export function evaluate(state: RiskState, observation: RiskObservation, config: RiskConfig, now: Now, digest: Digest): RiskResult {
  const tamper = Object.fromEntries(Object.entries(state.tamper).filter(([, r]) => now.ms - r.ms < config.tamperAlertMs));
  const current = { ...state, tamper };
  const { findings, observed } = findingsOf(current, observation, config, now, digest);
  return reconcile(current, findings, observed, now, observation.suppressions);
}

/** Records what the shell did about block requests; an alert whose action changed is reported again. */
export function recordActions(
  state: RiskState,
  actions: readonly { readonly alertId: string; readonly action: AlertAction }[],
): { state: RiskState; changed: Alert[] } {
  const byId = new Map(actions.map((a) => [a.alertId, a.action]));
  const changed: Alert[] = [];
  const alerts = state.alerts.map((t) => {
    const action = byId.get(t.alert.alertId);
    if (!action || t.alert.status !== 'active' || canonicalJson(action) === canonicalJson(t.alert.action ?? null)) return t;
    const alert: Alert = { ...t.alert, action };
    changed.push(alert);
    return { ...t, alert };
  });
  return { state: { ...state, alerts }, changed };
}

function text(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const s = canonicalJson(value);
  return s.length > 2048 ? `${s.slice(0, 2047)}…` : s;
}

/**
 * Folds one finished sync into the state: each `remediated` event becomes (or refreshes) the setting's tamper record;
 * each setting in `error` extends its streak, any other state ends it.
 */
export function observeSync(
  state: RiskState,
  sync: { readonly settings: readonly { readonly settingId: string; readonly state: SettingState }[]; readonly events: readonly SettingEvent[] },
  now: Now,
): RiskState {
  const tamper: Record<string, TamperRecord> = { ...state.tamper };
  for (const e of sync.events) {
    if (e.type !== 'remediated' || !e.settingId) continue;
    const before = text(e.before);
    const after = text(e.after);
    tamper[e.settingId] = { at: now.iso, ms: now.ms, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
  }
  const applyErrors: Record<string, number> = {};
  for (const s of sync.settings) if (s.state === 'error') applyErrors[s.settingId] = (state.applyErrors[s.settingId] ?? 0) + 1;
  return { ...state, tamper, applyErrors };
}

/** Active alerts of a state. */
export function activeAlerts(state: RiskState): Alert[] {
  return state.alerts.filter((t) => t.alert.status === 'active').map((t) => t.alert);
}
