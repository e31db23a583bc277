// ManagementStore on a SQL database through kysely, the same code on SQLite (sqlite-store.ts) and PostgreSQL
// (postgres-store.ts): transactions behave as if run one after another on both (transactions.ts); statements of the
// device path are prepared once (prepared-queries.ts); device writes are batched (sql-device-writes.ts).
import type { Kysely } from 'kysely';
import { AttacheError } from '../../../common/errors.js';
import type {
  Assignment,
  DynamicGroupRule,
  Group,
  PolicySource,
  SignedPolicy,
  SignedSigningKeyAnnouncement,
  StatusReport,
} from '../../../policy-schemas/src/index.js';
import type { AuditFilter, AuditRecord, NewAuditRecord } from './audit-store.js';
import type { DashboardQuery, DeviceCounts, DeviceQuery, DeviceQueryPage, PolicySettingPage, PolicySettingQuery } from './device-query.js';
import { migrateToLatest } from './migrations.js';
import { prepareQuery } from './prepared-queries.js';
import type { Database } from './schema.js';
import * as audit from './sql-audit.js';
import { deviceDashboard, policySettingDevices, queryDevices } from './sql-device-listing.js';
import * as keys from './sql-keys.js';
import { sweepNonces } from './sql-nonces.js';
import * as policies from './sql-policies.js';
import { policySetForDevice, policySetsForDevices } from './sql-policy-sets.js';
import * as presence from './sql-presence.js';
import { checkReadiness } from './sql-readiness.js';
import * as removals from './sql-removals.js';
import { getReportedStatus, listDeviceEvents, recordReport, reportedConflicts } from './sql-reports.js';
import { deviceFromRow, normaliseTime } from './sql-rows.js';
import * as targeting from './sql-targeting.js';
import { SqlVulnerabilityStore } from './sql-vulnerability-store.js';
import type {
  DeletedGroup,
  DeviceKeyRotation,
  DeviceListing,
  DevicePolicySet,
  DeviceRecord,
  DynamicGroupListing,
  EnrollDeviceInput,
  EnrollmentTokenRecord,
  GroupListing,
  ManagementStore,
  MetaKey,
  NewEnrollmentToken,
  PolicyHead,
  PolicyListing,
  PolicyRecord,
  PolicyResigner,
  PolicySet,
  PolicyWriteGuard,
  PoolStats,
  ReportedConflict,
  ReportedStatus,
  ReportOutcome,
  RetiredDeviceKey,
  StoredDeviceEvent,
  StoredSigningKeyAnnouncement,
  StoreReadiness,
  StoreStats,
} from './store.js';
import { isolateRows } from './stored-json.js';
import { inTransaction } from './transactions.js';

// Read on every device request (authentication, the push channel's per-request check): prepared once.
const deviceById = prepareQuery((db: Kysely<Database>, p: { deviceId: string }) => db.selectFrom('devices').selectAll().where('deviceId', '=', p.deviceId));

/**
 * Migrates `db` to the latest schema and returns the store on it; on failure the database is closed and the error
 * thrown. `pool` reads the connection pool's counters (PostgreSQL).
 */
export async function migratedStore(db: Kysely<Database>, pool?: () => PoolStats): Promise<ManagementStore> {
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return new SqlManagementStore(db, pool);
}

// Signals, compliance and access tokens come from SqlComplianceStore (sql-compliance-store.ts), vulnerability management
// from SqlVulnerabilityStore (sql-vulnerability-store.ts).
export class SqlManagementStore extends SqlVulnerabilityStore implements ManagementStore {
  constructor(
    db: Kysely<Database>,
    private readonly pool?: () => PoolStats,
  ) {
    super(db);
  }

  checkReadiness(): Promise<StoreReadiness> {
    return checkReadiness(this.db);
  }

  stats(): StoreStats {
    return { writeQueues: this.batches.stats(), ...(this.pool ? { pool: this.pool() } : {}) };
  }

  async getMeta(key: MetaKey): Promise<string | undefined> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async initMeta(key: MetaKey, value: string): Promise<string> {
    await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const stored = await this.getMeta(key);
    if (stored === undefined) throw new Error(`meta ${key} missing after insert`);
    return stored;
  }

  async setMeta(key: MetaKey, value: string): Promise<void> {
    await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  async getSecret(name: string): Promise<string | undefined> {
    return (await this.db.selectFrom('endpointSecrets').select('envelope').where('name', '=', name).executeTakeFirst())?.envelope;
  }

  async initSecret(name: string, envelope: string, at: string): Promise<string> {
    await this.db
      .insertInto('endpointSecrets')
      .values({ name, envelope, updatedAt: at })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const stored = await this.getSecret(name);
    if (stored === undefined) throw new Error(`secret ${name} missing after insert`);
    return stored;
  }

  transformSecrets(transform: (name: string, envelope: string) => string, at: string): Promise<number> {
    return inTransaction(this.db, async (trx) => {
      const rows = await trx.selectFrom('endpointSecrets').select(['name', 'envelope']).orderBy('name').execute();
      for (const { name, envelope } of rows) {
        await trx
          .updateTable('endpointSecrets')
          .set({ envelope: transform(name, envelope), updatedAt: at })
          .where('name', '=', name)
          .execute();
      }
      return rows.length;
    });
  }

  async listSecrets(): Promise<Map<string, string>> {
    const rows = await this.db.selectFrom('endpointSecrets').select(['name', 'envelope']).orderBy('name').execute();
    return new Map(rows.map((r) => [r.name, r.envelope]));
  }

  syncPresence(replicaId: string, connected: readonly string[], disconnected: readonly string[]): Promise<boolean> {
    return presence.syncPresence(this.db, replicaId, connected, disconnected);
  }

  connectedElsewhere(deviceIds: readonly string[], except: string, aliveMs: number): Promise<Set<string>> {
    return presence.connectedElsewhere(this.db, deviceIds, except, aliveMs);
  }

  dropReplicas(which: readonly string[] | { readonly notSeenForMs: number }): Promise<number> {
    return presence.dropReplicas(this.db, which);
  }

  async createEnrollmentToken(token: NewEnrollmentToken): Promise<void> {
    await this.db
      .insertInto('enrollmentTokens')
      .values({ ...token, description: token.description ?? null, uses: 0, revoked: 0, tags: JSON.stringify([...(token.tags ?? [])].sort()) })
      .execute();
  }

  async enrollDevice(input: EnrollDeviceInput): Promise<DeviceRecord> {
    // READ COMMITTED on PostgreSQL: every enrollment of a fleet updates its token's row; serialized, enrollments at once
    // (64 in the simulator, across replicas) abort each other faster than retries clear (seen as INTERNAL errors in
    // simulator/scenarios/replicas-2k.json). The conditional increment below is what keeps `uses` correct.
    return inTransaction(
      this.db,
      async (trx) => {
        const token = await trx.selectFrom('enrollmentTokens').selectAll().where('tokenHash', '=', input.tokenHash).executeTakeFirst();
        if (!token || token.revoked === 1) throw new AttacheError('ENROLLMENT_TOKEN_INVALID', 'enrollment token is unknown or revoked');
        if (Date.parse(token.expiresAt) <= Date.parse(input.now)) throw new AttacheError('ENROLLMENT_TOKEN_EXPIRED', 'enrollment token has expired');
        if (token.uses >= token.maxUses) throw new AttacheError('ENROLLMENT_TOKEN_EXHAUSTED', 'enrollment token has been used up');
        // Conditional increment: stays correct without serialization (PostgreSQL re-checks the WHERE on the newest row
        // after waiting for a concurrent enrollment's lock), and refuses a token revoked since it was read.
        const counted = await trx
          .updateTable('enrollmentTokens')
          .set((eb) => ({ uses: eb('uses', '+', 1) }))
          .where('tokenHash', '=', input.tokenHash)
          .where('revoked', '=', 0)
          .where((eb) => eb('uses', '<', eb.ref('maxUses')))
          .executeTakeFirst();
        if (Number(counted.numUpdatedRows) !== 1) throw new AttacheError('ENROLLMENT_TOKEN_EXHAUSTED', 'enrollment token has been used up');
        const row = {
          deviceId: input.deviceId,
          publicKey: input.publicKey,
          ...input.facts,
          osType: input.facts.osType ?? null,
          enrolledAt: normaliseTime(input.now),
          lastSeenAt: null,
          revoked: 0,
          lastReportAt: null,
          lastSyncError: null,
          enrollmentTokenHash: input.tokenHash,
          tags: token.tags,
          keyRotationRequestedAt: null,
          offboardedAt: null,
        };
        await trx.insertInto('devices').values(row).execute();
        const device = deviceFromRow(row);
        const groupIds = input.dynamicGroups?.(device) ?? [];
        // Insert-select: a group deleted since the caller listed the groups is skipped, not a foreign-key failure.
        if (groupIds.length > 0)
          await trx
            .insertInto('groupMembers')
            .columns(['groupId', 'deviceId', 'addedAt'])
            .expression((eb) =>
              eb
                .selectFrom('deviceGroups')
                .select((s) => ['groupId', s.val(device.deviceId).as('deviceId'), s.val(device.enrolledAt).as('addedAt')])
                .where('groupId', 'in', [...groupIds]),
            )
            .execute();
        return device;
      },
      { isolation: 'read committed' },
    );
  }

  async getDevice(deviceId: string): Promise<DeviceRecord | undefined> {
    const row = await deviceById.first(this.db, { deviceId });
    return row ? deviceFromRow(row) : undefined;
  }

  async getDevices(deviceIds: readonly string[]): Promise<DeviceRecord[]> {
    const out: DeviceRecord[] = [];
    // SQLite's bound-parameter limit is 32,766: 500 ids per statement stays far below it.
    for (let i = 0; i < deviceIds.length; i += 500) {
      const rows = await this.db
        .selectFrom('devices')
        .selectAll()
        .where('deviceId', 'in', deviceIds.slice(i, i + 500))
        .execute();
      out.push(...isolateRows(rows, deviceFromRow, (row) => ({ table: 'devices', id: row.deviceId })).items);
    }
    return out;
  }

  async getDeviceGroups(deviceId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('groupMembers as gm')
      .innerJoin('deviceGroups as g', 'g.groupId', 'gm.groupId')
      .select('g.name')
      .where('gm.deviceId', '=', deviceId)
      .orderBy('g.name')
      .execute();
    return rows.map((r) => r.name);
  }

  async listDevices(): Promise<DeviceListing> {
    const devices = await this.db.selectFrom('devices').selectAll().orderBy('enrolledAt').orderBy('deviceId').execute();
    const memberships = await this.db
      .selectFrom('groupMembers as gm')
      .innerJoin('deviceGroups as g', 'g.groupId', 'gm.groupId')
      .select(['gm.deviceId', 'g.name'])
      .orderBy('g.name')
      .execute();
    const byDevice = new Map<string, string[]>();
    for (const m of memberships) byDevice.set(m.deviceId, [...(byDevice.get(m.deviceId) ?? []), m.name]);
    const { items, problems } = isolateRows(
      devices,
      (row) => ({ ...deviceFromRow(row), groups: byDevice.get(row.deviceId) ?? [] }),
      (row) => ({ table: 'devices', id: row.deviceId }),
    );
    return { devices: items, problems };
  }

  queryDevices(query: DeviceQuery): Promise<DeviceQueryPage> {
    return queryDevices(this.db, query);
  }

  deviceDashboard(query: DashboardQuery): Promise<DeviceCounts> {
    return deviceDashboard(this.db, query);
  }

  policySettingDevices(query: PolicySettingQuery): Promise<PolicySettingPage> {
    return policySettingDevices(this.db, query);
  }

  touchDevice(deviceId: string, lastSeenAt: string): Promise<void> {
    return this.batches.touchDevice(deviceId, lastSeenAt);
  }

  async setDeviceTags(deviceId: string, tags: readonly string[]): Promise<boolean> {
    const result = await this.db
      .updateTable('devices')
      .set({ tags: JSON.stringify([...tags].sort()) })
      .where('deviceId', '=', deviceId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async revokeDevice(deviceId: string): Promise<boolean> {
    const result = await this.db.updateTable('devices').set({ revoked: 1 }).where('deviceId', '=', deviceId).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  rotateDeviceKey(input: DeviceKeyRotation): Promise<boolean> {
    return keys.rotateDeviceKey(this.db, input);
  }
  requestDeviceKeyRotation(deviceId: string, requestedAt: string): Promise<boolean> {
    return keys.requestDeviceKeyRotation(this.db, deviceId, requestedAt);
  }
  listRetiredDeviceKeys(deviceId: string): Promise<RetiredDeviceKey[]> {
    return keys.listRetiredDeviceKeys(this.db, deviceId);
  }
  addSigningKeyAnnouncement(announcement: SignedSigningKeyAnnouncement): Promise<void> {
    return keys.addSigningKeyAnnouncement(this.db, announcement);
  }
  listSigningKeyAnnouncements(): Promise<StoredSigningKeyAnnouncement[]> {
    return keys.listSigningKeyAnnouncements(this.db);
  }
  activateSigningKey(keyId: string, activatedAt: string, resign: PolicyResigner): Promise<number> {
    return keys.activateSigningKey(this.db, keyId, activatedAt, resign);
  }

  createGroup(group: { groupId: string; name: string; createdAt: string; rule?: DynamicGroupRule }): Promise<Group> {
    return targeting.createGroup(this.db, group);
  }
  getGroup(groupId: string): Promise<Group | undefined> {
    return targeting.getGroup(this.db, groupId);
  }
  listGroups(): Promise<GroupListing> {
    return targeting.listGroups(this.db);
  }
  setGroupRule(groupId: string, rule: DynamicGroupRule): Promise<void> {
    return targeting.setGroupRule(this.db, groupId, rule);
  }
  listDynamicGroups(): Promise<DynamicGroupListing> {
    return targeting.listDynamicGroups(this.db);
  }
  groupIdsOfDevice(deviceId: string): Promise<string[]> {
    return targeting.groupIdsOfDevice(this.db, deviceId);
  }
  replaceDynamicMemberships(deviceId: string, groupIds: readonly string[], at: string): Promise<void> {
    return targeting.replaceDynamicMemberships(this.db, deviceId, groupIds, at);
  }
  replaceGroupMembers(groupId: string, deviceIds: readonly string[], at: string): Promise<void> {
    return targeting.replaceGroupMembers(this.db, groupId, deviceIds, at);
  }
  addGroupMember(groupId: string, deviceId: string, addedAt: string): Promise<void> {
    return targeting.addGroupMember(this.db, groupId, deviceId, addedAt);
  }

  async deviceIdsInGroup(groupId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('groupMembers').select('deviceId').where('groupId', '=', groupId).execute();
    return rows.map((r) => r.deviceId);
  }

  createPolicy(first: SignedPolicy, source?: PolicySource, guard?: PolicyWriteGuard): Promise<void> {
    return policies.createPolicy(this.db, first, source, guard);
  }
  addPolicyVersion(next: SignedPolicy, source?: PolicySource, guard?: PolicyWriteGuard): Promise<void> {
    return policies.addPolicyVersion(this.db, next, source, guard);
  }
  getPolicy(policyId: string): Promise<PolicyRecord | undefined> {
    return policies.getPolicy(this.db, policyId);
  }
  getPolicyHead(policyId: string): Promise<PolicyHead | undefined> {
    return policies.getPolicyHead(this.db, policyId);
  }
  listPolicies(): Promise<PolicyListing> {
    return policies.listPolicies(this.db);
  }

  createAssignment(assignment: Assignment): Promise<void> {
    return targeting.createAssignment(this.db, assignment);
  }
  listAssignments(): Promise<Assignment[]> {
    return targeting.listAssignments(this.db);
  }
  removeAssignment(assignmentId: string): Promise<Assignment | undefined> {
    return targeting.removeAssignment(this.db, assignmentId);
  }
  deletePolicy(policyId: string, deletedAt: string): Promise<Assignment[] | undefined> {
    return targeting.deletePolicy(this.db, policyId, deletedAt);
  }
  deviceIdsAssignedPolicy(policyId: string): Promise<string[]> {
    return targeting.deviceIdsAssignedPolicy(this.db, policyId);
  }

  policiesForDevice(deviceId: string): Promise<SignedPolicy[]> {
    return policies.policiesForDevice(this.db, deviceId);
  }
  assignedPoliciesWithProblems(deviceId: string): Promise<PolicySet> {
    return policies.assignedPoliciesWithProblems(this.db, deviceId);
  }

  policySetForDevice(deviceId: string, now: string): Promise<DevicePolicySet> {
    return policySetForDevice(this.db, deviceId, now);
  }

  policySetsForDevices(deviceIds: readonly string[], now: string): Promise<Map<string, DevicePolicySet>> {
    return policySetsForDevices(this.db, deviceIds, now);
  }

  recordReport(report: StatusReport, receivedAt: string): Promise<ReportOutcome> {
    return this.batches.commit((trx) => recordReport(trx, report, receivedAt));
  }

  getReportedStatus(deviceId: string): Promise<ReportedStatus> {
    return getReportedStatus(this.db, deviceId);
  }

  reportedConflicts(deviceId: string, settingIds: readonly string[]): Promise<ReportedConflict[]> {
    return reportedConflicts(this.db, deviceId, settingIds);
  }

  listDeviceEvents(deviceId: string, limit: number): Promise<StoredDeviceEvent[]> {
    return listDeviceEvents(this.db, deviceId, limit);
  }

  claimNonce(deviceId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
    return this.batches.claimNonce(deviceId, nonce, expiresAtMs);
  }

  sweepNonces(nowMs: number, limit: number): Promise<number> {
    return sweepNonces(this.db, nowMs, limit);
  }

  // The audit log (sql-audit.ts): append and read only.
  appendAudit(entry: NewAuditRecord): Promise<AuditRecord> {
    return audit.appendAudit(this.db, entry);
  }
  listAudit(filter: AuditFilter): Promise<AuditRecord[]> {
    return audit.listAudit(this.db, filter);
  }
  auditChain(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    return audit.auditChain(this.db, afterSeq, limit);
  }

  async close(): Promise<void> {
    await this.batches.close();
    await this.db.destroy();
  }

  deleteGroup(groupId: string, force: boolean): Promise<DeletedGroup | undefined> {
    return removals.deleteGroup(this.db, groupId, force);
  }
  removeGroupMember(groupId: string, deviceId: string): Promise<boolean> {
    return removals.removeGroupMember(this.db, groupId, deviceId);
  }
  deleteDevice(deviceId: string): Promise<boolean> {
    return removals.deleteDevice(this.db, deviceId);
  }
  listEnrollmentTokens(): Promise<EnrollmentTokenRecord[]> {
    return removals.listEnrollmentTokens(this.db);
  }
  revokeEnrollmentToken(tokenHash: string): Promise<boolean> {
    return removals.revokeEnrollmentToken(this.db, tokenHash);
  }
}
