// The ComplianceStore half of the SQL store (signals, compliance, alert triage, access tokens); SqlManagementStore
// extends it. Queries live in sql-signals.ts, sql-compliance.ts and sql-triage.ts; this class only binds them to the database.
import type { Kysely } from 'kysely';
import type {
  AlertComment,
  AlertReport,
  AlertTriage,
  ComplianceAssignment,
  CompliancePolicy,
  ComplianceTransition,
  DeviceHealth,
  DeviceInventory,
  SuppressionRule,
} from '../../../policy-schemas/src/index.js';
import type { AccessTokenRecord, AlertReportOutcome, ComplianceStore, DeviceSignals, StoredAlert, StoredComplianceState } from './compliance-store.js';
import type { Database } from './schema.js';
import { SqlActionStore } from './sql-action-store.js';
import * as compliance from './sql-compliance.js';
import { DeviceWriteBatches } from './sql-device-writes.js';
import * as signals from './sql-signals.js';
import * as triage from './sql-triage.js';
import type { StoreProblem } from './stored-json.js';
import type { SuppressionRuleLimit, TriageStore } from './triage-store.js';

/** ComplianceStore on the SQL database. What devices send is written through the group commit of `batches`. */
export class SqlComplianceStore extends SqlActionStore implements ComplianceStore, TriageStore {
  protected readonly batches: DeviceWriteBatches;

  constructor(db: Kysely<Database>) {
    super(db);
    this.batches = new DeviceWriteBatches(db);
  }

  recordAlertReport(report: AlertReport, receivedAt: string): Promise<AlertReportOutcome> {
    return this.batches.commitSerializable((trx) => signals.recordAlertReport(trx, report, receivedAt));
  }
  listAlerts(deviceId: string): Promise<StoredAlert[]> {
    return signals.listAlerts(this.db, deviceId);
  }
  recordHealth(deviceId: string, health: DeviceHealth, receivedAt: string): Promise<boolean> {
    return this.batches.commit((trx) => signals.recordHealth(trx, deviceId, health, receivedAt));
  }
  recordInventory(deviceId: string, inventory: DeviceInventory, receivedAt: string): Promise<boolean> {
    return this.batches.commit((trx) => signals.recordInventory(trx, deviceId, inventory, receivedAt));
  }
  getSignals(deviceId: string): Promise<DeviceSignals> {
    return signals.getSignals(this.db, deviceId);
  }

  createCompliancePolicy(policy: CompliancePolicy): Promise<void> {
    return compliance.createCompliancePolicy(this.db, policy);
  }
  updateCompliancePolicy(policy: CompliancePolicy): Promise<void> {
    return compliance.updateCompliancePolicy(this.db, policy);
  }
  getCompliancePolicy(compliancePolicyId: string): Promise<CompliancePolicy | undefined> {
    return compliance.getCompliancePolicy(this.db, compliancePolicyId);
  }
  getCompliancePolicyHead(compliancePolicyId: string): Promise<Pick<CompliancePolicy, 'compliancePolicyId' | 'version' | 'createdAt'> | undefined> {
    return compliance.getCompliancePolicyHead(this.db, compliancePolicyId);
  }
  listCompliancePolicies(): Promise<{ compliancePolicies: CompliancePolicy[]; problems: StoreProblem[] }> {
    return compliance.listCompliancePolicies(this.db);
  }
  deleteCompliancePolicy(compliancePolicyId: string, deletedAt: string): Promise<ComplianceAssignment[] | undefined> {
    return compliance.deleteCompliancePolicy(this.db, compliancePolicyId, deletedAt);
  }
  createComplianceAssignment(assignment: ComplianceAssignment): Promise<void> {
    return compliance.createComplianceAssignment(this.db, assignment);
  }
  listComplianceAssignments(): Promise<ComplianceAssignment[]> {
    return compliance.listComplianceAssignments(this.db);
  }
  removeComplianceAssignment(assignmentId: string): Promise<ComplianceAssignment | undefined> {
    return compliance.removeComplianceAssignment(this.db, assignmentId);
  }
  compliancePoliciesForDevice(deviceId: string): Promise<CompliancePolicy[]> {
    return compliance.compliancePoliciesForDevice(this.db, deviceId);
  }

  getComplianceState(deviceId: string): Promise<StoredComplianceState | undefined> {
    return compliance.getComplianceState(this.db, deviceId);
  }
  listComplianceStates(): Promise<StoredComplianceState[]> {
    return compliance.listComplianceStates(this.db);
  }
  saveComplianceState(state: StoredComplianceState, transition?: ComplianceTransition, basedOn?: string | null): Promise<void> {
    return this.batches.commit((trx) => compliance.saveComplianceState(trx, state, transition, basedOn));
  }
  listComplianceTransitions(deviceId: string, limit: number): Promise<ComplianceTransition[]> {
    return compliance.listComplianceTransitions(this.db, deviceId, limit);
  }
  deviceIdsDueForEvaluation(now: string): Promise<string[]> {
    return compliance.deviceIdsDueForEvaluation(this.db, now);
  }

  createAccessToken(token: AccessTokenRecord): Promise<void> {
    return compliance.createAccessToken(this.db, token);
  }
  listAccessTokens(): Promise<AccessTokenRecord[]> {
    return compliance.listAccessTokens(this.db);
  }
  revokeAccessToken(tokenId: string, revokedAt: string): Promise<boolean> {
    return compliance.revokeAccessToken(this.db, tokenId, revokedAt);
  }

  getAlertTriage(deviceId: string, alertId: string): Promise<AlertTriage | undefined> {
    return triage.getAlertTriage(this.db, deviceId, alertId);
  }
  listAlertTriage(deviceId: string): Promise<Map<string, AlertTriage>> {
    return triage.listAlertTriage(this.db, deviceId);
  }
  saveAlertTriage(deviceId: string, alertId: string, value: AlertTriage | null, comments: readonly AlertComment[]): Promise<void> {
    return triage.saveAlertTriage(this.db, deviceId, alertId, value, comments);
  }
  listAlertComments(deviceId: string, alertId: string, limit: number): Promise<AlertComment[]> {
    return triage.listAlertComments(this.db, deviceId, alertId, limit);
  }
  createSuppressionRule(rule: SuppressionRule, limit?: SuppressionRuleLimit): Promise<void> {
    return triage.createSuppressionRule(this.db, rule, limit);
  }
  listSuppressionRules(): Promise<SuppressionRule[]> {
    return triage.listSuppressionRules(this.db);
  }
  getSuppressionRule(ruleId: string): Promise<SuppressionRule | undefined> {
    return triage.getSuppressionRule(this.db, ruleId);
  }
  updateSuppressionRule(rule: SuppressionRule, limit?: SuppressionRuleLimit): Promise<boolean> {
    return triage.updateSuppressionRule(this.db, rule, limit);
  }
  deleteSuppressionRule(ruleId: string): Promise<SuppressionRule | undefined> {
    return triage.deleteSuppressionRule(this.db, ruleId);
  }
  suppressionRulesForDevice(deviceId: string): Promise<SuppressionRule[]> {
    return triage.suppressionRulesForDevice(this.db, deviceId);
  }
  suppressionRulesForDevices(deviceIds: readonly string[]): Promise<Map<string, SuppressionRule[]>> {
    return triage.suppressionRulesForDevices(this.db, deviceIds);
  }
  deviceIdsWithAlert(alertId: string, after: string | null, limit: number): Promise<string[]> {
    return triage.deviceIdsWithAlert(this.db, alertId, after, limit);
  }
}
