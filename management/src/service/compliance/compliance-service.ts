// The one owner of device compliance state: evaluates a device from what the store holds (assigned compliance policies,
// stored alerts as admins triaged and suppressed them, latest health, last contact, settings reported in conflict), stores the result and its transition, and keeps every device's access
// decision precomputed in memory so the access API answers with a map lookup. Evaluations of one device never overlap.

import type { Clock } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import { type AccessDecision, SETTINGS } from '../../../../policy-schemas/src/index.js';
import type { Logger } from '../../logging.js';
import type { ClusterBus } from '../../push/cluster-bus.js';
import type { DeviceSignals, StoredComplianceState } from '../../store/compliance-store.js';
import type { DeviceRecord, ManagementStore } from '../../store/store.js';
import type { VulnerabilityStore } from '../../store/vulnerability-store.js';
import type { ExposureSummary } from '../vulnerabilities/contracts.js';
import { exposureSummary } from '../vulnerabilities/exposure-summary.js';
import { isBehindCheck, needsSettingStatus } from './checks.js';
import { accessDecision, evaluateDevice, type UnassignedState } from './evaluate.js';
import { activeBySeverity, riskLevelOf } from './risk.js';
import { countingAlerts, nextSuppressionExpiry, triageAlerts } from './triage.js';

/** Server settings of compliance. */
export interface ComplianceOptions {
  /** "Mark devices with no compliance policy assigned as" (default compliant, as Intune). */
  readonly unassignedState?: UnassignedState;
}

/** Dependencies of the compliance service. */
export interface ComplianceDeps {
  readonly store: ManagementStore;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  /** Replicas: each saved state is announced, so the others reload their decision for that device (reload). */
  readonly bus?: ClusterBus;
  /**
   * A device's vulnerability exposure (VulnerabilityService.exposureOf); read only when an assigned policy sets
   * maxVulnerabilityExposureLevel. Absent: that check is `unknown` on every device.
   */
  readonly exposureOf?: (deviceId: string) => Promise<ExposureSummary | null>;
}

/** ComplianceDeps.exposureOf read from the stored rows (what VulnerabilityService.exposureOf answers too). */
export function storedExposure(
  store: Pick<VulnerabilityStore, 'getExposure' | 'getDeviceSoftware' | 'lastImportAt'>,
): (deviceId: string) => Promise<ExposureSummary | null> {
  return async (deviceId) => exposureSummary(store, deviceId);
}

/** What re-evaluated a device (logged with transitions). */
export type EvaluationTrigger =
  | 'startup'
  | 'enrollment'
  | 'alerts'
  | 'health'
  | 'inventory'
  | 'status'
  | 'checkin'
  | 'membership'
  | 'assignment'
  | 'policy'
  | 'revocation'
  | 'timer'
  | 'admin'
  | 'triage'
  | 'suppression'
  | 'vulnerabilities';

/** What the store holds about a device no signed request has come from yet. */
const NO_SIGNALS: DeviceSignals = { health: null, inventory: null, lastAlertReportAt: null, lastAlertReceivedAt: null, agentRiskLevel: null };

interface CachedDecision {
  readonly decision: AccessDecision;
  /** The decision as the JSON body the access API sends. */
  readonly json: string;
  /** The device failed a maxHoursSinceCheckin requirement: its next signed request re-evaluates it. */
  readonly staleCheckin: boolean;
  /** A check is in conflict with a setting the device reported: its next report re-evaluates it (the conflict may end). */
  readonly settingConflict: boolean;
  /**
   * What this process's last evaluation knew of reported status (absent for a decision reloaded from the store): whether
   * an assigned compliance policy rests on it, and the key of the conflicts it read. A report re-evaluates only when
   * that key changes.
   */
  readonly status?: { readonly read: boolean; readonly conflicts: string };
  /** Whether this process's last evaluation rested on the device's vulnerability exposure (absent: not known). */
  readonly readsExposure?: boolean;
}

/** The catalog settings a compliance check rests on (checks.ts): the only status rows an evaluation reads. */
const BEHIND_CHECK_IDS = SETTINGS.filter((s) => isBehindCheck(s.id)).map((s) => s.id);

type ConflictLike = { readonly settingId: string; readonly code?: string | null; readonly message?: string | null };

/** One key for a set of behind-check conflicts (order, and absent vs null, aside). */
function conflictKey(conflicts: readonly ConflictLike[]): string {
  const rows = conflicts.map((c) => [c.settingId, c.code ?? null, c.message ?? null] as const);
  return JSON.stringify(rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Evaluations of one device retried when another replica saved its state in between (CONFLICT from the store). */
const EVALUATION_ATTEMPTS = 4;

const latest = (times: readonly (string | null | undefined)[]): string | null => {
  const defined = times.filter((t): t is string => typeof t === 'string');
  return defined.length === 0 ? null : defined.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
};

/** Evaluates compliance and serves precomputed access decisions. */
export class ComplianceService {
  private readonly decisions = new Map<string, CachedDecision>();
  private readonly running = new Map<string, Promise<StoredComplianceState | undefined>>();
  private readonly log: Logger;
  readonly unassignedState: UnassignedState;

  constructor(
    options: ComplianceOptions,
    private readonly deps: ComplianceDeps,
  ) {
    this.unassignedState = options.unassignedState ?? 'compliant';
    this.log = deps.logger.child({ component: 'compliance' });
  }

  /** Evaluates every device once (at start-up: settings may have changed and time has passed). Returns how many. */
  async evaluateAll(trigger: EvaluationTrigger = 'startup'): Promise<number> {
    const { devices } = await this.deps.store.listDevices();
    for (const d of devices) await this.evaluate(d.deviceId, trigger);
    return devices.length;
  }

  /** Re-evaluates the devices whose stored nextEvaluationAt has passed (the staleness timer). Returns how many. */
  async evaluateDue(): Promise<number> {
    const due = await this.deps.store.deviceIdsDueForEvaluation(new Date(this.deps.clock.now()).toISOString());
    for (const id of due) await this.evaluate(id, 'timer');
    return due.length;
  }

  /** Re-evaluates each device once. */
  async evaluateMany(deviceIds: Iterable<string>, trigger: EvaluationTrigger): Promise<void> {
    for (const id of new Set(deviceIds)) await this.evaluate(id, trigger);
  }

  /**
   * Re-evaluates one device and updates its precomputed decision. Calls for the same device run one after another in
   * this process, so two reports arriving together cannot interleave their read-evaluate-write; across replicas the
   * save is conditional on the state the evaluation read (CONFLICT: evaluated again on fresh facts).
   */
  evaluate(deviceId: string, trigger: EvaluationTrigger): Promise<StoredComplianceState | undefined> {
    return this.serialised(deviceId, trigger);
  }

  /**
   * The first evaluation of a device enrolled just now (its record in hand): nothing else can be stored about a device
   * id created by this enrollment (no state, alerts or signals: those need requests signed as the device), so only its
   * compliance policies are read.
   */
  evaluateEnrolled(device: DeviceRecord): Promise<StoredComplianceState | undefined> {
    return this.serialised(device.deviceId, 'enrollment', device);
  }

  private serialised(deviceId: string, trigger: EvaluationTrigger, enrolled?: DeviceRecord): Promise<StoredComplianceState | undefined> {
    return this.inTurn(deviceId, () =>
      this.evaluateAgainOnConflict(deviceId, trigger, enrolled).catch((err: unknown) => this.corruptRow(deviceId, trigger, err)),
    );
  }

  /** Runs `work` after everything this process already started for the device (evaluations, reloads). */
  private inTurn(deviceId: string, work: () => Promise<StoredComplianceState | undefined>): Promise<StoredComplianceState | undefined> {
    const before = this.running.get(deviceId) ?? Promise.resolve(undefined);
    const next = before.catch(() => undefined).then(work);
    this.running.set(deviceId, next);
    const cleanup = () => {
      if (this.running.get(deviceId) === next) this.running.delete(deviceId);
    };
    next.then(cleanup, cleanup);
    return next;
  }

  /** A signed request arrived: re-evaluates only a device that was noncompliant for not checking in. */
  async onCheckin(deviceId: string): Promise<void> {
    if (this.decisions.get(deviceId)?.staleCheckin) await this.evaluate(deviceId, 'checkin');
  }

  /**
   * A status report was stored (it replaces the device's status): re-evaluates the device only when the settings a
   * check rests on that it reports in conflict differ from those the last evaluation read, and never when no assigned
   * compliance policy rests on reported status. A decision reloaded from the store (no such memory) is re-evaluated
   * when the report has such a conflict or the decision rests on one. Other reports change no input.
   */
  async onReport(deviceId: string, settings: readonly (ConflictLike & { readonly state: string })[]): Promise<void> {
    const cached = this.decisions.get(deviceId);
    const conflicts = settings.filter((s) => s.state === 'conflict' && isBehindCheck(s.settingId));
    const changed = cached?.status
      ? cached.status.read && cached.status.conflicts !== conflictKey(conflicts)
      : conflicts.length > 0 || cached?.settingConflict === true;
    if (changed) await this.evaluate(deviceId, 'status');
  }

  /**
   * Devices whose vulnerability exposure was just recomputed (the vulnerability service's listener): re-evaluates those
   * whose last evaluation here rested on it, or is not known (a decision reloaded from the store, or none yet). A policy
   * setting maxVulnerabilityExposureLevel assigned later re-evaluates its devices itself.
   */
  async onExposure(deviceIds: readonly string[]): Promise<void> {
    await this.evaluateMany(
      deviceIds.filter((id) => this.decisions.get(id)?.readsExposure !== false),
      'vulnerabilities',
    );
  }

  /**
   * Takes these devices' decisions from their stored states, without evaluating: another replica evaluated them (a
   * cluster event), or events may have been missed (all devices, `undefined`).
   */
  async reload(deviceIds?: readonly string[]): Promise<void> {
    const ids = deviceIds ?? (await this.deps.store.listDevices()).devices.map((d) => d.deviceId);
    // In line with this process's evaluations of the device: a reload that read an older row cannot land after them.
    for (const id of ids) await this.inTurn(id, () => this.reloadOne(id));
  }

  private async reloadOne(deviceId: string): Promise<StoredComplianceState | undefined> {
    const state = await this.deps.store.getComplianceState(deviceId).catch((err: unknown) => this.corruptRow(deviceId, 'timer', err));
    if (state) this.remember(state);
    else this.decisions.delete(deviceId);
    return state;
  }

  /**
   * A deleted device: its decision goes, in line with this process's evaluations of it, and (replicas) every other
   * replica reloads it and finds no stored state.
   */
  async forget(deviceId: string): Promise<void> {
    await this.inTurn(deviceId, async () => {
      this.decisions.delete(deviceId);
      return undefined;
    });
    this.deps.bus?.publish({ type: 'compliance', deviceIds: [deviceId] });
  }

  /** The precomputed decision (undefined for a device never evaluated: unknown to the endpoint). */
  decision(deviceId: string): AccessDecision | undefined {
    return this.decisions.get(deviceId)?.decision;
  }

  /** The precomputed decision as a JSON body. */
  decisionJson(deviceId: string): string | undefined {
    return this.decisions.get(deviceId)?.json;
  }

  /** evaluateNow, again on fresh facts when another replica saved the device's state meanwhile. */
  private async evaluateAgainOnConflict(deviceId: string, trigger: EvaluationTrigger, enrolled?: DeviceRecord): Promise<StoredComplianceState | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.evaluateNow(deviceId, trigger, attempt === 1 ? enrolled : undefined);
      } catch (err) {
        if (!(err instanceof AttacheError) || err.code !== 'CONFLICT' || attempt >= EVALUATION_ATTEMPTS) throw err;
      }
    }
  }

  private async evaluateNow(deviceId: string, trigger: EvaluationTrigger, enrolled?: DeviceRecord): Promise<StoredComplianceState | undefined> {
    const { store, clock } = this.deps;
    const device = enrolled ?? (await store.getDevice(deviceId));
    if (!device) {
      this.decisions.delete(deviceId);
      return undefined;
    }
    const previous = enrolled ? undefined : await store.getComplianceState(deviceId);
    let policies: Awaited<ReturnType<typeof store.compliancePoliciesForDevice>> = [];
    try {
      policies = await store.compliancePoliciesForDevice(deviceId);
    } catch (err) {
      // A corrupt assigned compliance policy: evaluating without it could turn the device compliant by omission, so its
      // last decision stands (none for a new device) until the policy is repaired or deleted, which re-evaluates it.
      // A revoked device is blocked whatever its policies say, so it is evaluated anyway.
      if (!(err instanceof AttacheError) || err.code !== 'STORE_CORRUPT') throw err;
      this.log.error('compliance evaluation skipped', { deviceId, trigger, code: err.code, error: err.message });
      if (!device.revoked && device.offboardedAt === undefined) {
        if (previous && !this.decisions.has(deviceId)) this.remember(previous);
        return previous;
      }
    }
    const [stored, signals, triage, rules] = enrolled
      ? [[], NO_SIGNALS, new Map(), []]
      : await Promise.all([store.listAlerts(deviceId), store.getSignals(deviceId), store.listAlertTriage(deviceId), store.suppressionRulesForDevice(deviceId)]);
    // Only alerts no admin resolved or suppressed count (triage.ts); an expiring suppression brings the next evaluation.
    const triaged = triageAlerts(deviceId, stored, triage, rules, clock.now());
    const alerts = countingAlerts(triaged);
    const readsStatus = policies.some((p) => needsSettingStatus(p.settings));
    const settingConflicts = enrolled || !readsStatus ? [] : await this.deps.store.reportedConflicts(deviceId, BEHIND_CHECK_IDS);
    const readsExposure = policies.some((p) => p.settings.maxVulnerabilityExposureLevel !== undefined);
    const exposureOf = enrolled ? undefined : this.deps.exposureOf;
    const vulnerabilityExposure = exposureOf && readsExposure ? await exposureOf(deviceId) : null;
    const active = activeBySeverity(alerts);
    const lastContactAt = device.lastSeenAt ?? device.enrolledAt;
    let { state, transition } = evaluateDevice({
      deviceId,
      // An offboarded device (issue 17) is out of management: blocked as a revoked one is.
      revoked: device.revoked || device.offboardedAt !== undefined,
      facts: {
        now: clock.now(),
        agentVersion: device.agentVersion,
        lastContactAt,
        riskLevel: riskLevelOf(active),
        activeAlerts: active,
        health: signals.health,
        settingConflicts: settingConflicts.map((c) => ({ settingId: c.settingId, code: c.code ?? undefined, message: c.message ?? undefined })),
        vulnerabilityExposure,
      },
      policies,
      previous,
      unassignedState: this.unassignedState,
      evidenceAt: latest([device.lastSeenAt, signals.lastAlertReceivedAt, signals.health?.receivedAt, signals.inventory?.receivedAt]),
    });
    const expiry = nextSuppressionExpiry(triaged, rules);
    if (expiry !== null && (state.nextEvaluationAt === null || Date.parse(expiry) < Date.parse(state.nextEvaluationAt))) {
      state = { ...state, nextEvaluationAt: expiry };
    }
    await store.saveComplianceState(state, transition, previous?.evaluatedAt ?? null);
    this.remember(state, { read: readsStatus, conflicts: conflictKey(settingConflicts) }, readsExposure);
    this.deps.bus?.publish({ type: 'compliance', deviceIds: [deviceId] });
    if (transition) {
      this.log.info('compliance changed', {
        deviceId,
        trigger,
        from: transition.from,
        to: transition.to,
        riskLevel: state.riskLevel,
        reasons: transition.reasons,
      });
    }
    return state;
  }

  // One device's corrupt stored row (signals, state) fails only that device's evaluation: its decision in memory stands
  // (none after a restart: the access API then does not allow it), and start-up and the timer go on with the others.
  private corruptRow(deviceId: string, trigger: EvaluationTrigger, err: unknown): undefined {
    if (!(err instanceof AttacheError) || err.code !== 'STORE_CORRUPT') throw err;
    this.log.error('compliance evaluation skipped', { deviceId, trigger, code: err.code, error: err.message });
    return undefined;
  }

  private remember(state: StoredComplianceState, status?: CachedDecision['status'], readsExposure?: boolean): void {
    const decision = accessDecision(state);
    this.decisions.set(state.deviceId, {
      decision,
      json: JSON.stringify(decision),
      staleCheckin: state.reasons.some((r) => r.setting === 'maxHoursSinceCheckin' && r.result !== 'unknown'),
      settingConflict: state.reasons.some((r) => r.result === 'conflict'),
      ...(status ? { status } : {}),
      ...(readsExposure !== undefined ? { readsExposure } : {}),
    });
  }
}
