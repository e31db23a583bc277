// The storage boundary for device signals and compliance (issue 5): alerts, health, inventory, compliance policies and
// assignments, evaluated compliance state with its transitions, and access-service tokens. Part of ManagementStore.
import type {
  Alert,
  AlertReport,
  ComplianceAssignment,
  CompliancePolicy,
  ComplianceReason,
  ComplianceState,
  ComplianceTransition,
  DeviceHealth,
  DeviceInventory,
  RiskLevel,
} from '../../../policy-schemas/src/index.js';
import type { StoreProblem } from './stored-json.js';

/** An alert as stored: the last applied observation of it and when the endpoint received that. */
export interface StoredAlert extends Alert {
  readonly receivedAt: string;
}

/** Outcome of storing an alert report (AlertReportAck without the id and risk level). */
export interface AlertReportOutcome {
  readonly duplicate: boolean;
  readonly stale: boolean;
}

/** A value a device uploaded and when the endpoint received it. */
export interface Received<T> {
  readonly value: T;
  readonly receivedAt: string;
}

/** What the endpoint holds about a device's signals besides its alerts. */
export interface DeviceSignals {
  readonly health: Received<DeviceHealth> | null;
  readonly inventory: Received<DeviceInventory> | null;
  /** generatedAt of the newest applied alert report. */
  readonly lastAlertReportAt: string | null;
  readonly lastAlertReceivedAt: string | null;
  /** The risk level the agent claimed in that report. */
  readonly agentRiskLevel: RiskLevel | null;
}

/** The outcome of one compliance policy on one device. */
export interface PolicyOutcome {
  readonly compliancePolicyId: string;
  readonly name: string;
  readonly version: number;
  readonly state: ComplianceState;
  /** When the endpoint first saw the device fail this policy (the grace period counts from here); null when it passes. */
  readonly noncompliantSince: string | null;
  readonly graceEndsAt: string | null;
}

/** A device's last compliance evaluation. */
export interface StoredComplianceState {
  readonly deviceId: string;
  readonly state: ComplianceState;
  readonly riskLevel: RiskLevel;
  readonly reasons: readonly ComplianceReason[];
  readonly policies: readonly PolicyOutcome[];
  readonly evaluatedAt: string;
  readonly evidenceAt: string | null;
  readonly nextEvaluationAt: string | null;
}

/** Transitions kept per device; older ones are dropped. */
export const TRANSITIONS_PER_DEVICE = 200;
/** Resolved alerts kept per device (active ones are always kept). */
export const RESOLVED_ALERTS_PER_DEVICE = 500;

/** A stored access token (never the token, only its hash). */
export interface AccessTokenRecord {
  readonly tokenId: string;
  readonly tokenHash: string;
  readonly description?: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/**
 * Signals, compliance and access tokens. Errors as ManagementStore (NOT_FOUND, CONFLICT as AttacheError). The record*
 * writes and saveComplianceState are atomic and resolve only once committed; the SQLite store group-commits those of
 * concurrent devices (a savepoint each, so one's failure fails only its caller).
 */
export interface ComplianceStore {
  /**
   * Atomic. A known reportId changes nothing (`duplicate`). A report generated before the device's newest
   * applied alert report is kept as history only (`stale`): it changes no alert. Otherwise its alerts are upserted by
   * alertId and the device's claimed risk level is updated. DEVICE_UNKNOWN when the device does not exist.
   */
  recordAlertReport(report: AlertReport, receivedAt: string): Promise<AlertReportOutcome>;
  /** Every stored alert of the device, active ones first. */
  listAlerts(deviceId: string): Promise<StoredAlert[]>;
  /** Stores the device's health unless a health collected later is already stored; false when it was older. */
  recordHealth(deviceId: string, health: DeviceHealth, receivedAt: string): Promise<boolean>;
  /** Stores the device's inventory unless one collected later is already stored; false when it was older. */
  recordInventory(deviceId: string, inventory: DeviceInventory, receivedAt: string): Promise<boolean>;
  getSignals(deviceId: string): Promise<DeviceSignals>;

  createCompliancePolicy(policy: CompliancePolicy): Promise<void>;
  /**
   * Replaces the policy with its next version; CONFLICT unless it is exactly current + 1, NOT_FOUND when deleted/unknown.
   * A policy without `source` keeps the stored source (migration 0015); one with a source replaces it.
   */
  updateCompliancePolicy(policy: CompliancePolicy): Promise<void>;
  /** STORE_CORRUPT when its stored settings or source cannot be read. */
  getCompliancePolicy(compliancePolicyId: string): Promise<CompliancePolicy | undefined>;
  /** Id, version and creation time only (no JSON read): enough to write the next version of a corrupt policy. */
  getCompliancePolicyHead(compliancePolicyId: string): Promise<Pick<CompliancePolicy, 'compliancePolicyId' | 'version' | 'createdAt'> | undefined>;
  /** Corrupt rows are left out and reported as problems. */
  listCompliancePolicies(): Promise<{ compliancePolicies: CompliancePolicy[]; problems: StoreProblem[] }>;
  /** Hides the policy and removes its assignments (returned); undefined when it does not exist. */
  deleteCompliancePolicy(compliancePolicyId: string, deletedAt: string): Promise<ComplianceAssignment[] | undefined>;
  /** CONFLICT when the pair exists, NOT_FOUND when the policy or group does not. */
  createComplianceAssignment(assignment: ComplianceAssignment): Promise<void>;
  listComplianceAssignments(): Promise<ComplianceAssignment[]>;
  removeComplianceAssignment(assignmentId: string): Promise<ComplianceAssignment | undefined>;
  /**
   * Compliance policies included for the device through any of its groups and excluded through none. STORE_CORRUPT
   * when one of them cannot be read: evaluating without it could turn the device compliant by omission.
   */
  compliancePoliciesForDevice(deviceId: string): Promise<CompliancePolicy[]>;

  getComplianceState(deviceId: string): Promise<StoredComplianceState | undefined>;
  listComplianceStates(): Promise<StoredComplianceState[]>;
  /**
   * Upserts the state and, in the same transaction, appends `transition` (when the state changed). With `basedOn` (the
   * evaluatedAt of the stored state the evaluation started from, null for none) it is CONFLICT when another evaluation
   * (another replica's) saved since: the caller evaluates again on fresh facts instead of overwriting newer ones.
   */
  saveComplianceState(state: StoredComplianceState, transition?: ComplianceTransition, basedOn?: string | null): Promise<void>;
  /** The device's transitions, newest first. */
  listComplianceTransitions(deviceId: string, limit: number): Promise<ComplianceTransition[]>;
  /** Devices whose nextEvaluationAt is at or before `now`. */
  deviceIdsDueForEvaluation(now: string): Promise<string[]>;

  createAccessToken(token: AccessTokenRecord): Promise<void>;
  listAccessTokens(): Promise<AccessTokenRecord[]>;
  /** Marks the token revoked; false when it does not exist or is already revoked. */
  revokeAccessToken(tokenId: string, revokedAt: string): Promise<boolean>;
}
