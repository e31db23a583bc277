// Table shapes of the SQL store as kysely sees them (camelCase here, snake_case in SQL via CamelCasePlugin).
// Booleans are 0/1 integers and JSON values are TEXT so the same shapes fit SQLite and PostgreSQL.
import type { Generated } from 'kysely';
import type { ActionPackageChunkTable, ActionPackageTable, DeviceActionTable } from './schema-actions.js';
import type { SecurityTaskEventTable, SecurityTaskTable } from './schema-security-tasks.js';
import type {
  AdvisoryImportTable,
  AdvisoryKeyTable,
  AdvisoryTable,
  DeviceExposureTable,
  DeviceFindingTable,
  DeviceSoftwareTable,
  PackageFindingTable,
  SoftwarePackageKeyTable,
  SoftwarePackageTable,
} from './schema-vulnerabilities.js';

/** meta: single facts about this endpoint (tenant id, admin token hash). */
export interface MetaTable {
  key: string;
  value: string;
}

/**
 * endpoint_secrets: the key material replicas share (CA key and certificate, policy-signing keys), each value a JSON
 * envelope encrypted with the operator's key-encryption key (pki/key-vault.ts); never plaintext.
 */
export interface EndpointSecretTable {
  name: string;
  envelope: string;
  updatedAt: string;
}

/** replicas: the endpoint processes on this database and when each last said it is alive (push presence). */
export interface ReplicaTable {
  replicaId: string;
  startedAt: string;
  seenAt: string;
}

/** push_presence: which replica holds each connected device's push socket (replicas only; SQLite needs none). */
export interface PushPresenceTable {
  deviceId: string;
  replicaId: string;
  since: string;
}

/** enrollment_tokens: only the SHA-256 of each token, with its limits and use count. */
export interface EnrollmentTokenTable {
  tokenHash: string;
  description: string | null;
  createdAt: string;
  expiresAt: string;
  maxUses: number;
  uses: number;
  revoked: number;
  /** JSON array of tags the enrolled devices get. */
  tags: string;
}

/** devices: the directory record of each enrolled device. */
export interface DeviceTable {
  deviceId: string;
  publicKey: string;
  hostname: string;
  platform: string;
  osVersion: string;
  /** workstation | server as the device stated it; null when it did not (older agents, macOS, Linux). */
  osType: string | null;
  arch: string;
  agentVersion: string;
  enrolledAt: string;
  lastSeenAt: string | null;
  revoked: number;
  lastReportAt: string | null;
  /** JSON {code, message} of the last report's syncError, null when the last sync used fresh policy. */
  lastSyncError: string | null;
  enrollmentTokenHash: string;
  /** JSON array of device tags, sorted. */
  tags: string;
  /** Set when an admin asked for a device-key rotation; cleared when the device rotates. */
  keyRotationRequestedAt: string | null;
  /** When an offboard action succeeded (migration 0017): its requests are refused DEVICE_OFFBOARDED from then on. */
  offboardedAt: string | null;
}

/** device_key_history: device keys retired by rotation (the old key is refused from then on). */
export interface DeviceKeyHistoryTable {
  deviceId: string;
  keyId: string;
  publicKey: string;
  retiredAt: string;
}

/** signing_key_announcements: the policy-signing key chain; activatedAt is set when the endpoint switched to the key. */
export interface SigningKeyAnnouncementTable {
  newKeyId: string;
  announcedAt: string;
  validFrom: string;
  /** JSON SignedSigningKeyAnnouncement, exactly as devices receive it. */
  announcement: string;
  activatedAt: string | null;
}

/** device_groups: named groups ("groups" is an SQL keyword). */
export interface DeviceGroupTable {
  groupId: string;
  name: string;
  createdAt: string;
  /** JSON DynamicGroupRule of a dynamic group; null for a static group. */
  rule: string | null;
}

/** group_members: device ↔ group. */
export interface GroupMemberTable {
  groupId: string;
  deviceId: string;
  addedAt: string;
}

/** policies: one row per policy, pointing at its latest version. */
export interface PolicyTable {
  policyId: string;
  name: string;
  kind: string;
  createdAt: string;
  latestVersion: number;
  /** Set when the policy was deleted: hidden and unassigned, its versions kept for history. */
  deletedAt: string | null;
  /** JSON PolicySource: the Intune policy it was imported from (migration 0014); NULL when authored here. */
  source: string | null;
}

/** Immutable: one row per issued version, payload stored as the exact canonical JSON that was signed. */
export interface PolicyVersionTable {
  policyId: string;
  version: number;
  payload: string;
  keyId: string;
  signature: string;
  createdAt: string;
}

/** device_policy_sets: the device's current policy-set version and the digest of its (policy id, version) list. */
export interface DevicePolicySetTable {
  deviceId: string;
  setVersion: number;
  digest: string;
  issuedAt: string;
}

/** assignments: policy → group, unique per pair. */
export interface AssignmentTable {
  assignmentId: string;
  policyId: string;
  groupId: string;
  /** include | exclude. */
  mode: string;
  createdAt: string;
}

/** reports: every accepted report (history and idempotency by report_id). */
export interface ReportTable {
  reportId: string;
  deviceId: string;
  generatedAt: string;
  receivedAt: string;
  trigger: string;
  durationMs: number;
  stale: number;
}

/** setting_status: the latest reported status of each setting of each device. */
export interface SettingStatusTable {
  deviceId: string;
  settingId: string;
  kind: string;
  state: string;
  /** JSON array of policy ids. */
  policyIds: string;
  /** JSON value or null when absent. */
  desired: string | null;
  observed: string | null;
  code: string | null;
  message: string | null;
  reportedAt: string;
}

/** policy_status: the latest reported version and state of each policy on each device. */
export interface PolicyStatusTable {
  deviceId: string;
  policyId: string;
  version: number;
  name: string;
  kind: string;
  state: string;
  reportedAt: string;
}

/** device_events: events devices reported (restored, remediated, rejected), the last 1000 per device. */
export interface DeviceEventTable {
  eventId: Generated<number>;
  deviceId: string;
  reportId: string;
  receivedAt: string;
  /** JSON SettingEvent. */
  event: string;
}

/** alert_reports: every accepted alert report (idempotency by report_id, history); stale ones changed no alert. */
export interface AlertReportTable {
  reportId: string;
  deviceId: string;
  generatedAt: string;
  receivedAt: string;
  /** The risk level the agent claimed. */
  agentRiskLevel: string;
  alertCount: number;
  stale: number;
}

/** device_alerts: one row per device and alert id, upserted by the newest applied report. */
export interface DeviceAlertTable {
  deviceId: string;
  alertId: string;
  category: string;
  severity: string;
  title: string;
  /** JSON evidence object. */
  evidence: string;
  firstSeen: string;
  lastSeen: string;
  /** active | resolved. */
  status: string;
  resolvedAt: string | null;
  /** JSON AlertAction or null. */
  action: string | null;
  reportId: string;
  receivedAt: string;
}

/** device_signals: the latest health and inventory of a device and where its alert reports stand. */
export interface DeviceSignalsTable {
  deviceId: string;
  /** JSON DeviceHealth. */
  health: string | null;
  healthCollectedAt: string | null;
  healthReceivedAt: string | null;
  /** JSON DeviceInventory. */
  inventory: string | null;
  inventoryCollectedAt: string | null;
  inventoryReceivedAt: string | null;
  /** generatedAt of the newest applied alert report. */
  lastAlertReportAt: string | null;
  lastAlertReceivedAt: string | null;
  agentRiskLevel: string | null;
}

/** compliance_policies: one row per policy (its current version); deleted ones are hidden. */
export interface CompliancePolicyTable {
  compliancePolicyId: string;
  name: string;
  description: string | null;
  /** JSON ComplianceSettings. */
  settings: string;
  gracePeriodHours: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  /** JSON PolicySource: the Intune compliance policy it was imported from (migration 0015); NULL when authored here. */
  source: string | null;
}

/** compliance_assignments: compliance policy → group, include or exclude, unique per pair. */
export interface ComplianceAssignmentTable {
  assignmentId: string;
  compliancePolicyId: string;
  groupId: string;
  mode: string;
  createdAt: string;
}

/** device_compliance: the last evaluation of each device (the access decision is derived from it). */
export interface DeviceComplianceTable {
  deviceId: string;
  state: string;
  riskLevel: string;
  /** JSON ComplianceReason[]. */
  reasons: string;
  /** JSON per-policy outcomes (with noncompliantSince, which the grace period counts from). */
  policies: string;
  evaluatedAt: string;
  evidenceAt: string | null;
  /** When time alone may change the state; the compliance timer re-evaluates the device then. */
  nextEvaluationAt: string | null;
}

/** compliance_transitions: state changes per device, the last 200 kept. */
export interface ComplianceTransitionTable {
  transitionId: Generated<number>;
  deviceId: string;
  at: string;
  fromState: string | null;
  toState: string;
  /** JSON string[]. */
  reasons: string;
}

/** access_tokens: tokens of conditional-access gateways, SHA-256 only. */
export interface AccessTokenTable {
  tokenId: string;
  tokenHash: string;
  description: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/** admins: named admin accounts (store/admin-store.ts). usernameKey = lower-case username, unique. */
export interface AdminTable {
  adminId: string;
  username: string;
  usernameKey: string;
  displayName: string;
  role: string;
  /** JSON string[] or null (every device). */
  scopeGroupIds: string | null;
  passwordHash: string;
  createdAt: string;
  updatedAt: string;
  disabled: number;
  failedLogins: number;
  lockedUntil: string | null;
}

/** admin_api_tokens: personal API tokens of admins, SHA-256 only. */
export interface AdminApiTokenTable {
  tokenId: string;
  adminId: string;
  name: string;
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** admin_sessions: console sessions, keyed by the SHA-256 of the cookie value. */
export interface AdminSessionTable {
  sessionHash: string;
  adminId: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  absoluteExpiresAt: string;
  sourceAddress: string;
}

/** The whole database, for Kysely<Database>. */
/** request_nonces: used nonces of signed device requests, until the request's time leaves the freshness window. */
export interface RequestNonceTable {
  deviceId: string;
  nonce: string;
  /** Epoch ms: request time + window; after it the time check refuses the request anyway. */
  expiresAt: number;
}

/**
 * audit_log: the append-only, hash-chained admin audit log (sql-audit.ts). `seq` is assigned by the appender (head + 1)
 * under a lock, never by the database, so the chain has no gaps; before/after are canonical JSON text or null.
 */
export interface AuditLogTable {
  seq: number;
  at: string;
  actorId: string | null;
  actorUsername: string | null;
  actorRole: string | null;
  sourceAddress: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  errorCode: string | null;
  before: string | null;
  after: string | null;
  prevHash: string;
  hash: string;
}

/** alert_triage (migration 0016): an admin's triage of one device's alert. */
export interface AlertTriageTable {
  deviceId: string;
  alertId: string;
  /** new | inProgress | resolved. */
  status: string;
  classification: string | null;
  determination: string | null;
  assignedTo: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  updatedAt: string;
  updatedBy: string;
}

/** alert_comments (migration 0016): the comments and history of one device's alert, append-only. */
export interface AlertCommentTable {
  commentId: Generated<number>;
  deviceId: string;
  alertId: string;
  at: string;
  author: string;
  text: string;
}

/** suppression_rules (migration 0016): deviceId is NULL for an organization-wide rule. */
export interface SuppressionRuleTable {
  ruleId: string;
  /** device | organization. */
  scope: string;
  deviceId: string | null;
  alertId: string;
  comment: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
}

export interface Database {
  meta: MetaTable;
  endpointSecrets: EndpointSecretTable;
  replicas: ReplicaTable;
  pushPresence: PushPresenceTable;
  enrollmentTokens: EnrollmentTokenTable;
  devices: DeviceTable;
  deviceKeyHistory: DeviceKeyHistoryTable;
  signingKeyAnnouncements: SigningKeyAnnouncementTable;
  deviceGroups: DeviceGroupTable;
  groupMembers: GroupMemberTable;
  policies: PolicyTable;
  policyVersions: PolicyVersionTable;
  devicePolicySets: DevicePolicySetTable;
  assignments: AssignmentTable;
  reports: ReportTable;
  settingStatus: SettingStatusTable;
  policyStatus: PolicyStatusTable;
  deviceEvents: DeviceEventTable;
  alertReports: AlertReportTable;
  deviceAlerts: DeviceAlertTable;
  deviceSignals: DeviceSignalsTable;
  compliancePolicies: CompliancePolicyTable;
  complianceAssignments: ComplianceAssignmentTable;
  deviceCompliance: DeviceComplianceTable;
  complianceTransitions: ComplianceTransitionTable;
  accessTokens: AccessTokenTable;
  requestNonces: RequestNonceTable;
  admins: AdminTable;
  adminApiTokens: AdminApiTokenTable;
  adminSessions: AdminSessionTable;
  auditLog: AuditLogTable;
  alertTriage: AlertTriageTable;
  alertComments: AlertCommentTable;
  suppressionRules: SuppressionRuleTable;
  deviceActions: DeviceActionTable;
  actionPackages: ActionPackageTable;
  actionPackageChunks: ActionPackageChunkTable;
  advisories: AdvisoryTable;
  advisoryKeys: AdvisoryKeyTable;
  advisoryImports: AdvisoryImportTable;
  softwarePackages: SoftwarePackageTable;
  softwarePackageKeys: SoftwarePackageKeyTable;
  packageFindings: PackageFindingTable;
  deviceSoftware: DeviceSoftwareTable;
  deviceFindings: DeviceFindingTable;
  deviceExposure: DeviceExposureTable;
  securityTasks: SecurityTaskTable;
  securityTaskEvents: SecurityTaskEventTable;
}
