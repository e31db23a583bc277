// The storage boundary of the management endpoint: every read and write of durable state goes through ManagementStore.
// Callers never see SQL; a PostgreSQL implementation can join by implementing this interface and passing the same contract tests.
import type {
  Assignment,
  DeviceEvents,
  DeviceFacts,
  DeviceStatus,
  DynamicGroupRule,
  Group,
  ManifestEntry,
  PolicyKind,
  PolicySource,
  PolicyStatus,
  ReportAck,
  SignedPolicy,
  SignedSigningKeyAnnouncement,
  StatusReport,
} from '../../../policy-schemas/src/index.js';
import type { ActionStore } from './action-store.js';
import type { AdminStore } from './admin-store.js';
import type { AuditStore } from './audit-store.js';
import type { ComplianceStore } from './compliance-store.js';
import type { DashboardQuery, DeviceCounts, DeviceQuery, DeviceQueryPage, PolicySettingPage, PolicySettingQuery } from './device-query.js';
import type { SecurityTaskStore } from './security-task-store.js';
import type { StoreProblem } from './stored-json.js';
import type { TriageStore } from './triage-store.js';
import type { VulnerabilityStore } from './vulnerability-store.js';

/** Keys of the meta table (single-row facts about this endpoint). */
export type MetaKey = 'tenantId' | 'adminTokenHash' | 'bootstrapAdminId';

/** A new enrollment token. Only the SHA-256 of the token is ever stored. */
export interface NewEnrollmentToken {
  readonly tokenHash: string;
  readonly description?: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly maxUses: number;
  /** Tags the devices enrolled with it get. */
  readonly tags?: readonly string[];
}

/** A stored enrollment token as listed (the hash is the endpoint's own key; the API shows only its short id). */
export interface EnrollmentTokenRecord {
  readonly tokenHash: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly uses: number;
  readonly maxUses: number;
  readonly revoked: boolean;
}

/** What deleting a group removed: its members (to nudge) and the assignments that targeted it. */
export interface DeletedGroup {
  readonly groupId: string;
  readonly members: readonly string[];
  readonly removedAssignments: readonly Assignment[];
  readonly removedComplianceAssignments: readonly string[];
}

/** A device as the directory stores it: the facts it stated at enrollment plus endpoint-side state. */
export interface DeviceRecord extends DeviceFacts {
  readonly deviceId: string;
  /** Raw Ed25519 public key, base64. */
  readonly publicKey: string;
  readonly enrolledAt: string;
  readonly lastSeenAt: string | null;
  readonly revoked: boolean;
  /** generatedAt of the newest report applied to the per-setting status. */
  readonly lastReportAt: string | null;
  /** Device tags, sorted. */
  readonly tags: readonly string[];
  /** Set while an admin's request to rotate the device key is pending. */
  readonly keyRotationRequestedAt?: string;
  /** When an offboard action succeeded: the device is gone from management (DEVICE_OFFBOARDED). */
  readonly offboardedAt?: string;
}

/** One device-key rotation: the key the request was signed with is replaced by the new one. */
export interface DeviceKeyRotation {
  readonly deviceId: string;
  readonly currentPublicKey: string;
  readonly newPublicKey: string;
  readonly keyId: string;
  readonly currentKeyId: string;
  readonly rotatedAt: string;
}

/** A device key retired by rotation (audit: fingerprint and when). */
export interface RetiredDeviceKey {
  readonly keyId: string;
  readonly publicKey: string;
  readonly retiredAt: string;
}

/** A stored policy-signing key announcement and when the endpoint switched to its key (undefined: not yet). */
export interface StoredSigningKeyAnnouncement {
  readonly announcement: SignedSigningKeyAnnouncement;
  readonly activatedAt?: string;
}

/** Re-signs one stored policy version (exact payload bytes); undefined leaves the row as it is (it did not verify). */
export type PolicyResigner = (row: {
  readonly payload: string;
  readonly keyId: string;
  readonly signature: string;
}) => { readonly keyId: string; readonly signature: string } | undefined;

/** A device with the names of the groups it belongs to (for listings). */
export interface DeviceWithGroups extends DeviceRecord {
  readonly groups: string[];
}

/** Devices that could be read, and the device rows that are corrupt. */
export interface DeviceListing {
  readonly devices: DeviceWithGroups[];
  readonly problems: StoreProblem[];
}

/** Input of the enrollment transaction: the hashed token and the device to create. */
export interface EnrollDeviceInput {
  readonly tokenHash: string;
  /** The endpoint's clock, RFC 3339; decides token expiry and becomes enrolledAt. */
  readonly now: string;
  readonly deviceId: string;
  readonly publicKey: string;
  readonly facts: DeviceFacts;
  /**
   * The dynamic groups the new device joins, decided from its record (its tags come from the token): the members are
   * written in the enrollment's transaction, so the device never exists without them.
   */
  readonly dynamicGroups?: (device: DeviceRecord) => readonly string[];
}

/** A policy with its latest signed version. */
export interface PolicyRecord {
  readonly policyId: string;
  readonly createdAt: string;
  readonly latest: SignedPolicy;
  /** The Intune policy it was imported from (not signed, not sent to devices); absent when authored here. */
  readonly source?: PolicySource;
}

/** One setting's latest reported status (the shape DeviceStatus carries). */
export type StoredSettingStatus = DeviceStatus['settings'][number];

/** What a device last reported, as stored: per policy and per setting. */
/** A setting a device reports in conflict: who wins it, as the device said. */
export interface ReportedConflict {
  readonly settingId: string;
  readonly code: string | null;
  readonly message: string | null;
}

export interface ReportedStatus {
  readonly lastReportAt: string | null;
  readonly lastSyncError: { readonly code: string; readonly message: string } | null;
  readonly policies: PolicyStatus[];
  readonly settings: StoredSettingStatus[];
}

/** A dynamic group and its rule. */
export interface DynamicGroup {
  readonly groupId: string;
  readonly rule: DynamicGroupRule;
}

/** Dynamic groups whose rule could be read, and the ones whose stored rule is corrupt. */
export interface DynamicGroupListing {
  readonly groups: DynamicGroup[];
  readonly problems: StoreProblem[];
}

/** Groups that could be read, and the rows that are corrupt (left out, reported). */
export interface GroupListing {
  readonly groups: Group[];
  readonly problems: StoreProblem[];
}

/** A policy as its `policies` row states it, without reading any version: enough to issue the next version or delete it. */
export interface PolicyHead {
  readonly policyId: string;
  readonly name: string;
  readonly kind: PolicyKind;
  readonly createdAt: string;
  readonly latestVersion: number;
}

/** Policies whose latest version could be read, and the ones whose stored version is corrupt (left out, reported). */
/**
 * A check of a policy write against the stored policies of one kind, run inside the write's transaction: what it reads
 * cannot change before the write commits (SQLite: BEGIN IMMEDIATE; PostgreSQL: SERIALIZABLE, re-run on a conflict).
 */
export interface PolicyWriteGuard {
  readonly kind: PolicyKind;
  /** Throws to refuse the write. `stored`: the latest version of every policy of `kind` (corrupt ones in `problems`). */
  check(stored: PolicyListing): void;
}

export interface PolicyListing {
  readonly policies: PolicyRecord[];
  readonly problems: StoreProblem[];
}

/** A device's assigned policies: the readable latest versions, and the assigned policies whose latest version is corrupt. */
export interface PolicySet {
  readonly policies: SignedPolicy[];
  readonly corrupt: (PolicyHead & { readonly problem: StoreProblem })[];
}

/** Events kept per device; older ones are dropped as new ones arrive. */
export const EVENTS_PER_DEVICE = 1000;

/** One stored device event (DeviceEvents item). */
export type StoredDeviceEvent = DeviceEvents['events'][number];

/** Outcome of storing a report (ReportAck without the id). */
export type ReportOutcome = Omit<ReportAck, 'reportId'>;

/**
 * Durable state of the endpoint. Methods that can fail for a reason a client must see throw AttacheError with a stable
 * code (CONFLICT, NOT_FOUND, ENROLLMENT_TOKEN_*); everything else is an internal error.
 */
/** The device's current set: version, when that version was created, its list, and the payloads found for it. */
export interface DevicePolicySet {
  readonly setVersion: number;
  readonly issuedAt: string;
  readonly digest: string;
  readonly entries: readonly ManifestEntry[];
  readonly policies: readonly SignedPolicy[];
}

/** What GET /readyz needs of the database: it answered, and these migrations of this build have not run on it. */
export interface StoreReadiness {
  readonly pendingMigrations: readonly string[];
}

/** One batching queue of the device path (sql-device-writes.ts): items waiting now, batches and items since start. */
export interface WriteQueueStats {
  readonly queue: 'groupCommit' | 'serializableCommit' | 'nonceClaims' | 'deviceTouches';
  readonly depth: number;
  readonly batches: number;
  readonly items: number;
}

/** The connection pool (PostgreSQL): connections open, idle, and callers waiting for one. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

/** Counters for metrics, read without touching the database. */
export interface StoreStats {
  readonly writeQueues: readonly WriteQueueStats[];
  /** Absent on SQLite (one connection, no pool). */
  readonly pool?: PoolStats;
}

export interface ManagementStore extends ComplianceStore, TriageStore, ActionStore, AdminStore, AuditStore, VulnerabilityStore, SecurityTaskStore {
  getMeta(key: MetaKey): Promise<string | undefined>;
  /** Stores `value` unless the key already has one; returns the value now stored. */
  initMeta(key: MetaKey, value: string): Promise<string>;
  setMeta(key: MetaKey, value: string): Promise<void>;
  /** An encrypted secret's envelope (pki/key-vault.ts), or undefined. */
  getSecret(name: string): Promise<string | undefined>;
  /** Stores the envelope unless the name exists; returns the stored one (another replica's when it was first). */
  initSecret(name: string, envelope: string, at: string): Promise<string>;
  /**
   * Replaces every secret by `transform(name, envelope)` in one transaction that also reads them (a key-encryption key
   * rotation: a secret added meanwhile by another replica is either transformed or waits). Returns how many.
   */
  transformSecrets(transform: (name: string, envelope: string) => string, at: string): Promise<number>;
  /** Every secret's name and envelope. */
  listSecrets(): Promise<Map<string, string>>;

  /**
   * Push presence of one replica, in one transaction: its heartbeat, the devices whose socket it now holds (taking
   * them over from any other replica) and those it no longer holds (only its own rows go). Times are the database's.
   * False when the replica was not known (first write, or swept as gone): the caller then writes all it holds.
   */
  syncPresence(replicaId: string, connected: readonly string[], disconnected: readonly string[]): Promise<boolean>;
  /** Of `deviceIds`, those connected to a replica other than `except` seen within the last `aliveMs` (database time). */
  connectedElsewhere(deviceIds: readonly string[], except: string, aliveMs: number): Promise<Set<string>>;
  /** Removes replicas and their presence (a clean shutdown, or the leader sweeping replicas not seen for a while). */
  dropReplicas(replicaIds: readonly string[] | { readonly notSeenForMs: number }): Promise<number>;

  createEnrollmentToken(token: NewEnrollmentToken): Promise<void>;
  /** One transaction: checks the token, counts one use, creates the device. A single-use token never enrolls two devices. */
  enrollDevice(input: EnrollDeviceInput): Promise<DeviceRecord>;

  getDevice(deviceId: string): Promise<DeviceRecord | undefined>;
  /** The devices of `deviceIds` that exist and load (a corrupt row is left out), in no particular order. */
  getDevices(deviceIds: readonly string[]): Promise<DeviceRecord[]>;
  getDeviceGroups(deviceId: string): Promise<string[]>;
  /** A device whose row is corrupt is left out and reported (getDevice gives STORE_CORRUPT for it). */
  listDevices(): Promise<DeviceListing>;
  /** One page of the filtered, sorted device list (keyset after `query.after`) and the number of matches (console). */
  queryDevices(query: DeviceQuery): Promise<DeviceQueryPage>;
  /** Device counts by compliance, risk, platform, check-in and policy state, aggregated in the database (dashboard). */
  deviceDashboard(query: DashboardQuery): Promise<DeviceCounts>;
  /** The per-policy report's drill-down: devices assigned the policy whose state for one setting is the one asked. */
  policySettingDevices(query: PolicySettingQuery): Promise<PolicySettingPage>;
  /** Sets lastSeenAt (concurrent calls may share one statement); an unknown device is no error. */
  touchDevice(deviceId: string, lastSeenAt: string): Promise<void>;
  /** Marks the device revoked; false when it does not exist. */
  revokeDevice(deviceId: string): Promise<boolean>;

  /**
   * One transaction: replaces the device key when the device still has `currentPublicKey` and is not revoked, records
   * the old key as retired and clears a pending rotation request. False when the key was already replaced (a race).
   */
  rotateDeviceKey(input: DeviceKeyRotation): Promise<boolean>;
  /** Marks an admin's rotation request; false when the device does not exist. */
  requestDeviceKeyRotation(deviceId: string, requestedAt: string): Promise<boolean>;
  /** Keys the device rotated away from, oldest first. */
  listRetiredDeviceKeys(deviceId: string): Promise<RetiredDeviceKey[]>;
  /** Appends an announcement to the signing-key chain (CONFLICT when its key was announced before). */
  addSigningKeyAnnouncement(announcement: SignedSigningKeyAnnouncement): Promise<void>;
  /** The chain, oldest first. */
  listSigningKeyAnnouncements(): Promise<StoredSigningKeyAnnouncement[]>;
  /** One transaction: re-signs every stored policy version with `resign` and marks the key active; returns rows re-signed. */
  activateSigningKey(keyId: string, activatedAt: string, resign: PolicyResigner): Promise<number>;

  /** Replaces the device's tags; false when it does not exist. */
  setDeviceTags(deviceId: string, tags: readonly string[]): Promise<boolean>;

  /** CONFLICT when the name exists. A group with a rule is dynamic (members set only by replace*Memberships). */
  createGroup(group: { groupId: string; name: string; createdAt: string; rule?: DynamicGroupRule }): Promise<Group>;
  /** NOT_FOUND when the group does not exist, CONFLICT when it is static. */
  setGroupRule(groupId: string, rule: DynamicGroupRule): Promise<void>;
  /** Corrupt rules are reported, not thrown. */
  listDynamicGroups(): Promise<DynamicGroupListing>;
  /** Ids of every group the device is a member of. */
  groupIdsOfDevice(deviceId: string): Promise<string[]>;
  /** Makes the device a member of exactly `groupIds` among the dynamic groups (static memberships untouched). */
  replaceDynamicMemberships(deviceId: string, groupIds: readonly string[], at: string): Promise<void>;
  /** Makes `deviceIds` exactly the members of the group. */
  replaceGroupMembers(groupId: string, deviceIds: readonly string[], at: string): Promise<void>;
  getGroup(groupId: string): Promise<Group | undefined>;
  /** Corrupt rows are left out and reported. STORE_CORRUPT from getGroup for such a row. */
  listGroups(): Promise<GroupListing>;
  /** Idempotent. NOT_FOUND when the group or the device does not exist, CONFLICT when the group is dynamic. */
  addGroupMember(groupId: string, deviceId: string, addedAt: string): Promise<void>;
  deviceIdsInGroup(groupId: string): Promise<string[]>;

  /**
   * Stores version 1 of a new policy, with where it came from when it was imported. `guard` runs inside the write's
   * transaction (its throw stores nothing), so a limit it checks holds against concurrent writes and replicas.
   */
  createPolicy(first: SignedPolicy, source?: PolicySource, guard?: PolicyWriteGuard): Promise<void>;
  /**
   * Stores the next version; CONFLICT unless it is exactly latest + 1 (a concurrent update won). Versions are immutable.
   * A given source replaces the stored one; without one the stored source stays. `guard`: as in createPolicy.
   */
  addPolicyVersion(next: SignedPolicy, source?: PolicySource, guard?: PolicyWriteGuard): Promise<void>;
  /** Deleted policies are not returned. STORE_CORRUPT when its latest version does not parse. */
  getPolicy(policyId: string): Promise<PolicyRecord | undefined>;
  /** The policy row alone (no version read): works for a policy whose latest version is corrupt. */
  getPolicyHead(policyId: string): Promise<PolicyHead | undefined>;
  /** Corrupt latest versions are left out and reported as problems. */
  listPolicies(): Promise<PolicyListing>;
  /** Hides the policy and removes its assignments (returned); its versions stay. undefined when it does not exist. */
  deletePolicy(policyId: string, deletedAt: string): Promise<Assignment[] | undefined>;

  /** CONFLICT when the pair exists, NOT_FOUND when the policy or group does not. */
  createAssignment(assignment: Assignment): Promise<void>;
  listAssignments(): Promise<Assignment[]>;
  /** Removes one assignment and returns it; undefined when it does not exist. */
  removeAssignment(assignmentId: string): Promise<Assignment | undefined>;
  /** Devices that get the policy: included through a group and not excluded through any. */
  deviceIdsAssignedPolicy(policyId: string): Promise<string[]>;
  /** Latest version of every policy included for the device through its groups and excluded through none, by policyId (corrupt ones left out). */
  policiesForDevice(deviceId: string): Promise<SignedPolicy[]>;
  /**
   * The device's set for a fetch, in one transaction: the assigned policies' ids and latest versions, its set version
   * (advanced by one when that list differs from the last one stored; `now` becomes the new version's issue time) and
   * the signed payloads found for it (a payload that cannot be loaded is missing here but still listed).
   */
  policySetForDevice(deviceId: string, now: string): Promise<DevicePolicySet>;
  /** policySetForDevice for many devices at once (the push fan-out); devices with the same list share its arrays. */
  policySetsForDevices(deviceIds: readonly string[], now: string): Promise<Map<string, DevicePolicySet>>;
  /** The assigned policies that load, and those whose latest version is corrupt (the admin's device status). */
  assignedPoliciesWithProblems(deviceId: string): Promise<PolicySet>;

  /**
   * Atomic, and resolves only once committed (the SQLite store group-commits the reports of concurrent devices in one
   * transaction, a savepoint each: one report's failure fails only its caller). A known reportId changes nothing (`duplicate`). A report generated before the device's last applied
   * report is kept in history without touching per-setting status (`stale`). Otherwise it replaces the device's status.
   */
  recordReport(report: StatusReport, receivedAt: string): Promise<ReportOutcome>;
  getReportedStatus(deviceId: string): Promise<ReportedStatus>;
  /** The settings among `settingIds` the device last reported in state conflict, sorted by id (one index range read). */
  reportedConflicts(deviceId: string, settingIds: readonly string[]): Promise<ReportedConflict[]>;
  /** The device's stored events, newest first (at most `limit`). A report's events are stored unless it is a duplicate. */
  listDeviceEvents(deviceId: string, limit: number): Promise<StoredDeviceEvent[]>;

  /**
   * Records a used request nonce of a device until `expiresAtMs`: an insert refused by the unique key when the pair
   * exists (false = replay), so replicas sharing the database refuse a replay too. Concurrent claims may share one
   * multi-row insert; the same pair claimed twice is fresh for the first claim only.
   */
  claimNonce(deviceId: string, nonce: string, expiresAtMs: number): Promise<boolean>;
  /** Deletes nonces that expired before `nowMs` (at most `limit` rows); returns how many went. */
  sweepNonces(nowMs: number, limit: number): Promise<number>;

  /** Runs a trivial query and lists the pending migrations; throws DATABASE_UNAVAILABLE when the database does not answer. */
  checkReadiness(): Promise<StoreReadiness>;
  /** Queue and pool counters, from memory (no query). */
  stats(): StoreStats;

  close(): Promise<void>;

  // Removals (sql-removals.ts).
  /**
   * Deletes a group with its memberships. CONFLICT naming them while (compliance) assignments target it, unless
   * `force`: then those go in the same transaction. undefined when the group does not exist.
   */
  deleteGroup(groupId: string, force: boolean): Promise<DeletedGroup | undefined>;
  /** Takes a device out of a static group; false when it was not a member. NOT_FOUND for an unknown group or device, CONFLICT for a dynamic group. */
  removeGroupMember(groupId: string, deviceId: string): Promise<boolean>;
  /** Deletes the device and every row about it (status, events, alerts, compliance, nonces, keys…); false when unknown. */
  deleteDevice(deviceId: string): Promise<boolean>;
  /** Every enrollment token, newest first. */
  listEnrollmentTokens(): Promise<EnrollmentTokenRecord[]>;
  /** Marks the token revoked (enrollment refuses it from then on); false when it does not exist. */
  revokeEnrollmentToken(tokenHash: string): Promise<boolean>;
}
