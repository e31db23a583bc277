// Device compliance, pure: every assigned compliance policy's checks combined into one state with reasons, the grace
// period counted from when the endpoint first saw a policy fail, the transition (if the state changed), when time alone
// will change the result, and the access decision derived from the state (allow iff compliant or in grace; conflict
// and error never allow).
import type { AccessDecision, CompliancePolicy, ComplianceReason, ComplianceState, ComplianceTransition } from '../../../../policy-schemas/src/index.js';
import type { PolicyOutcome, StoredComplianceState } from '../../store/compliance-store.js';
import { type ComplianceFacts, checkSettings, type SettingCheck } from './checks.js';

const HOUR_MS = 3_600_000;

/** "Mark devices with no compliance policy assigned as" (Intune; default compliant). A server setting. */
export type UnassignedState = 'compliant' | 'noncompliant';

/** Everything one evaluation needs. */
export interface DeviceEvaluationInput {
  readonly deviceId: string;
  readonly revoked: boolean;
  readonly facts: ComplianceFacts;
  /** The compliance policies assigned to the device. */
  readonly policies: readonly CompliancePolicy[];
  /** The last stored evaluation (its per-policy noncompliantSince carries the grace period over). */
  readonly previous: StoredComplianceState | undefined;
  readonly unassignedState: UnassignedState;
  /** Newest evidence the evaluation rests on (endpoint-clock receive times, last contact). */
  readonly evidenceAt: string | null;
}

/** The new state, and the transition to store when the state changed. */
export interface DeviceEvaluation {
  readonly state: StoredComplianceState;
  readonly transition?: ComplianceTransition;
}

// When several policies disagree the worst wins (Intune: "the highest severity level of all the policies", with Error
// highest and NonCompliant next). Intune's table has no Conflict row and ranks Unknown lowest; both differences are our
// choice: unknown blocks access here, so it ranks above a grace period; conflict (an administrator must resolve it)
// ranks below noncompliant (the device must act) and error.
// Source: https://learn.microsoft.com/mem/intune/protect/device-compliance-get-started (Assign a resulting compliance policy status)
export const STATE_RANK: Readonly<Record<ComplianceState, number>> = { compliant: 0, inGracePeriod: 1, unknown: 2, conflict: 3, noncompliant: 4, error: 5 };

const iso = (ms: number) => new Date(ms).toISOString();
const minDefined = (values: readonly (number | undefined)[]) => {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length === 0 ? undefined : Math.min(...defined);
};

/** One policy on one device: its outcome, its reasons (named after the policy), and when time alone changes it. */
export function evaluatePolicy(
  policy: CompliancePolicy,
  facts: ComplianceFacts,
  previous: PolicyOutcome | undefined,
): { outcome: PolicyOutcome; reasons: ComplianceReason[]; changesAt: number | undefined } {
  const checks = checkSettings(policy.settings, facts);
  const has = (result: SettingCheck['result']) => checks.some((c) => c.result === result);
  const failing = has('noncompliant');
  // Only a policy that passes clears the grace clock: a conflict, an error or missing evidence (all device-reported)
  // keeps it, so alternating them with a failure can never buy a fresh grace period.
  const passes = checks.every((c) => c.result === 'compliant');
  const since = passes ? null : (previous?.noncompliantSince ?? (failing ? iso(facts.now) : null));
  const graceEnd = since === null ? undefined : Date.parse(since) + policy.gracePeriodHours * HOUR_MS;
  const inGrace = graceEnd !== undefined && facts.now < graceEnd;
  let state: ComplianceState = 'compliant';
  // Intune: "Grace periods don't apply to compliance policies with a setting in an Error state"; nor to a conflict
  // here: only an administrator can end it, so waiting gains nothing.
  if (has('error')) state = 'error';
  else if (failing && !inGrace) state = 'noncompliant';
  else if (has('conflict')) state = 'conflict';
  else if (failing) state = 'inGracePeriod';
  else if (has('unknown')) state = 'unknown';
  // A grace period never covers an error or a conflict: then no failing check is reported as in its grace period.
  const graced = state === 'inGracePeriod' && graceEnd !== undefined;
  const prefix = `compliance policy "${policy.name}": `;
  const graceNote = graced ? ` (in grace period until ${iso(graceEnd)})` : '';
  const reasons = checks.flatMap((c): ComplianceReason[] =>
    c.result === 'compliant'
      ? []
      : [
          {
            compliancePolicyId: policy.compliancePolicyId,
            policyName: policy.name,
            setting: c.setting,
            result: c.result !== 'noncompliant' ? c.result : graced ? 'inGracePeriod' : 'noncompliant',
            expected: c.expected,
            observed: c.observed,
            message: `${prefix}${c.setting}: ${c.message}${c.result === 'noncompliant' ? graceNote : ''}`.slice(0, 1024),
          },
        ],
  );
  const outcome: PolicyOutcome = {
    compliancePolicyId: policy.compliancePolicyId,
    name: policy.name,
    version: policy.version,
    state,
    noncompliantSince: since,
    graceEndsAt: graced ? iso(graceEnd) : null,
  };
  return { outcome, reasons, changesAt: minDefined([...checks.map((c) => c.changesAt), inGrace ? graceEnd : undefined]) };
}

function deviceReason(setting: string, result: ComplianceReason['result'], message: string): ComplianceReason {
  return { compliancePolicyId: null, policyName: null, setting, result, expected: null, observed: null, message };
}

/** Evaluates a device against all its compliance policies. */
export function evaluateDevice(input: DeviceEvaluationInput): DeviceEvaluation {
  const { facts } = input;
  let state: ComplianceState;
  let reasons: ComplianceReason[];
  let policies: PolicyOutcome[] = [];
  let nextAt: number | undefined;
  if (input.revoked) {
    state = 'noncompliant';
    reasons = [deviceReason('device', 'noncompliant', 'the device was revoked')];
  } else if (input.policies.length === 0) {
    state = input.unassignedState;
    const result = state === 'compliant' ? 'info' : 'noncompliant';
    reasons = [deviceReason('assignment', result, `no compliance policy is assigned; such devices are marked ${state} (endpoint setting)`)];
  } else {
    const previousById = new Map((input.previous?.policies ?? []).map((p) => [p.compliancePolicyId, p]));
    const results = input.policies.map((p) => evaluatePolicy(p, facts, previousById.get(p.compliancePolicyId)));
    policies = results.map((r) => r.outcome);
    reasons = results.flatMap((r) => r.reasons);
    state = policies.reduce<ComplianceState>((worst, p) => (STATE_RANK[p.state] > STATE_RANK[worst] ? p.state : worst), 'compliant');
    nextAt = minDefined(results.map((r) => r.changesAt));
  }
  const stored: StoredComplianceState = {
    deviceId: input.deviceId,
    state,
    riskLevel: facts.riskLevel,
    reasons,
    policies,
    evaluatedAt: iso(facts.now),
    evidenceAt: input.evidenceAt,
    nextEvaluationAt: nextAt === undefined ? null : iso(nextAt),
  };
  const from = input.previous?.state ?? null;
  if (from === state) return { state: stored };
  return { state: stored, transition: { at: stored.evaluatedAt, from, to: state, reasons: reasons.map((r) => r.message) } };
}

/** Access is allowed iff the device is compliant or in its grace period; unknown, conflict, noncompliant and error are blocked. */
export function accessDecision(state: StoredComplianceState): AccessDecision {
  return {
    deviceId: state.deviceId,
    decision: state.state === 'compliant' || state.state === 'inGracePeriod' ? 'allow' : 'block',
    complianceState: state.state,
    riskLevel: state.riskLevel,
    reasons: state.reasons.slice(0, 50).map((r) => r.message),
    evidenceAt: state.evidenceAt,
    evaluatedAt: state.evaluatedAt,
  };
}
