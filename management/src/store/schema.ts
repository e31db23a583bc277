// Table shapes of the SQL store as kysely sees them (camelCase here, snake_case in SQL via CamelCasePlugin).
// Booleans are 0/1 integers and JSON values are TEXT so the same shapes fit SQLite and PostgreSQL.
import type { Generated } from 'kysely';

/** meta: single facts about this endpoint (tenant id, admin token hash). */
export interface MetaTable {
  key: string;
  value: string;
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

/** The whole database, for Kysely<Database>. */
export interface Database {
  meta: MetaTable;
  enrollmentTokens: EnrollmentTokenTable;
  devices: DeviceTable;
  deviceGroups: DeviceGroupTable;
  groupMembers: GroupMemberTable;
  policies: PolicyTable;
  policyVersions: PolicyVersionTable;
  assignments: AssignmentTable;
  reports: ReportTable;
  settingStatus: SettingStatusTable;
  policyStatus: PolicyStatusTable;
  deviceEvents: DeviceEventTable;
}
