// Removals in the SQL store: deleting a group (refused while assignments target it unless forced), taking a device out
// of a static group, deleting a device with every row about it, and onboarding packages (enrollment tokens) listed and
// revoked. Each is one transaction, so a concurrent enrollment or report sees the state before or after, never between.
import type { Kysely } from 'kysely';
import { AttacheError, type ErrorDetail } from '../../../common/errors.js';
import type { Database } from './schema.js';
import { assignmentFromRow, requireStaticGroupAndDevice } from './sql-targeting.js';
import type { DeletedGroup, EnrollmentTokenRecord } from './store.js';
import { parseStoredJson } from './stored-json.js';
import { inTransaction } from './transactions.js';

type Db = Kysely<Database>;

/**
 * Every table holding rows about one device, children before the devices row (foreign keys). A table added later
 * with a device_id column must be added here: the device-deletion contract test checks no row is left.
 */
export const DEVICE_TABLES = [
  'groupMembers',
  'devicePolicySets',
  'settingStatus',
  'policyStatus',
  'reports',
  'deviceEvents',
  'deviceAlerts',
  'alertTriage',
  'alertComments',
  'suppressionRules',
  'alertReports',
  'deviceSignals',
  'deviceCompliance',
  'complianceTransitions',
  'requestNonces',
  'deviceKeyHistory',
  'pushPresence',
  'actionPackageChunks',
  'actionPackages',
  'deviceActions',
  'deviceSoftware',
  'deviceFindings',
  'deviceExposure',
] as const satisfies readonly (keyof Database)[];

/** ManagementStore.deleteGroup. */
export function deleteGroup(db: Db, groupId: string, force: boolean): Promise<DeletedGroup | undefined> {
  return inTransaction(db, async (trx) => {
    const group = await trx.selectFrom('deviceGroups').select(['groupId', 'name']).where('groupId', '=', groupId).executeTakeFirst();
    if (!group) return undefined;
    const assignments = (await trx.selectFrom('assignments').selectAll().where('groupId', '=', groupId).orderBy('createdAt').execute()).map(assignmentFromRow);
    const compliance = await trx.selectFrom('complianceAssignments').selectAll().where('groupId', '=', groupId).orderBy('createdAt').execute();
    if (!force && assignments.length + compliance.length > 0) {
      const details: ErrorDetail[] = [
        ...assignments.map((a) => ({ path: `assignment ${a.assignmentId}`, message: `${a.mode}s policy ${a.policyId}` })),
        ...compliance.map((a) => ({ path: `compliance assignment ${a.assignmentId}`, message: `${a.mode}s compliance policy ${a.compliancePolicyId}` })),
      ];
      const ids = details.map((d) => d.path).join(', ');
      throw new AttacheError('CONFLICT', `group "${group.name}" is still targeted by ${ids}: remove them first, or delete with force to remove them too`, {
        details,
      });
    }
    const members = (await trx.selectFrom('groupMembers').select('deviceId').where('groupId', '=', groupId).execute()).map((r) => r.deviceId);
    await trx.deleteFrom('assignments').where('groupId', '=', groupId).execute();
    await trx.deleteFrom('complianceAssignments').where('groupId', '=', groupId).execute();
    await trx.deleteFrom('groupMembers').where('groupId', '=', groupId).execute();
    await trx.deleteFrom('deviceGroups').where('groupId', '=', groupId).execute();
    return { groupId, members, removedAssignments: assignments, removedComplianceAssignments: compliance.map((a) => a.assignmentId) };
  });
}

/** ManagementStore.removeGroupMember. */
export function removeGroupMember(db: Db, groupId: string, deviceId: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    await requireStaticGroupAndDevice(trx, groupId, deviceId);
    const removed = await trx.deleteFrom('groupMembers').where('groupId', '=', groupId).where('deviceId', '=', deviceId).executeTakeFirst();
    return Number(removed.numDeletedRows) === 1;
  });
}

/** ManagementStore.deleteDevice. */
export function deleteDevice(db: Db, deviceId: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    for (const table of DEVICE_TABLES) await trx.deleteFrom(table).where('deviceId', '=', deviceId).execute();
    const deleted = await trx.deleteFrom('devices').where('deviceId', '=', deviceId).executeTakeFirst();
    return Number(deleted.numDeletedRows) === 1;
  });
}

/** ManagementStore.listEnrollmentTokens. */
export async function listEnrollmentTokens(db: Db): Promise<EnrollmentTokenRecord[]> {
  const rows = await db.selectFrom('enrollmentTokens').selectAll().orderBy('createdAt', 'desc').orderBy('tokenHash').execute();
  return rows.map((r) => ({
    tokenHash: r.tokenHash,
    description: r.description,
    tags: parseStoredJson<string[]>(r.tags, { table: 'enrollment_tokens', id: r.tokenHash.slice(0, 12), column: 'tags' }),
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    uses: Number(r.uses),
    maxUses: Number(r.maxUses),
    revoked: Number(r.revoked) === 1,
  }));
}

/** ManagementStore.revokeEnrollmentToken. */
export async function revokeEnrollmentToken(db: Db, tokenHash: string): Promise<boolean> {
  const result = await db.updateTable('enrollmentTokens').set({ revoked: 1 }).where('tokenHash', '=', tokenHash).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
