// Targeting in the SQL store: groups (static or dynamic), memberships, include/exclude assignments, policy deletion,
// and which devices get which policy (included through a group, excluded through none).
import type { Kysely } from 'kysely';
import { AttacheError } from '../../../common/errors.js';
import type { Assignment, AssignmentMode, DynamicGroupRule, Group, ManifestEntry } from '../../../policy-schemas/src/index.js';
import type { Database } from './schema.js';
import { isUniqueViolation } from './sql-rows.js';
import type { DynamicGroupListing, GroupListing } from './store.js';
import { isolateRows, parseStoredJson } from './stored-json.js';
import { inTransaction } from './transactions.js';

type Db = Kysely<Database>;

interface GroupRow {
  groupId: string;
  name: string;
  createdAt: string;
  rule: string | null;
  memberCount: number | string | bigint;
}

function groupFromRow(row: GroupRow): Group {
  const base = { groupId: row.groupId, name: row.name, createdAt: row.createdAt, memberCount: Number(row.memberCount) };
  return row.rule === null
    ? { ...base, membership: 'static' }
    : { ...base, membership: 'dynamic', rule: parseStoredJson<DynamicGroupRule>(row.rule, { table: 'device_groups', id: row.groupId, column: 'rule' }) };
}

function groupsQuery(db: Db) {
  return db
    .selectFrom('deviceGroups as g')
    .leftJoin('groupMembers as gm', 'gm.groupId', 'g.groupId')
    .select(['g.groupId', 'g.name', 'g.createdAt', 'g.rule', (eb) => eb.fn.count<number>('gm.deviceId').as('memberCount')])
    .groupBy(['g.groupId', 'g.name', 'g.createdAt', 'g.rule']);
}

/** ManagementStore.createGroup. */
export async function createGroup(db: Db, group: { groupId: string; name: string; createdAt: string; rule?: DynamicGroupRule }): Promise<Group> {
  const row = { groupId: group.groupId, name: group.name, createdAt: group.createdAt, rule: group.rule ? JSON.stringify(group.rule) : null };
  try {
    await db.insertInto('deviceGroups').values(row).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AttacheError('CONFLICT', `a group named "${group.name}" already exists`, { cause: err });
    throw err;
  }
  return groupFromRow({ ...row, memberCount: 0 });
}

/** ManagementStore.getGroup. */
export async function getGroup(db: Db, groupId: string): Promise<Group | undefined> {
  const row = await groupsQuery(db).where('g.groupId', '=', groupId).executeTakeFirst();
  return row ? groupFromRow(row) : undefined;
}

/** ManagementStore.listGroups. */
export async function listGroups(db: Db): Promise<GroupListing> {
  const { items, problems } = isolateRows(await groupsQuery(db).orderBy('g.name').execute(), groupFromRow, (r) => ({ table: 'device_groups', id: r.groupId }));
  return { groups: items, problems };
}

/** ManagementStore.setGroupRule. */
export async function setGroupRule(db: Db, groupId: string, rule: DynamicGroupRule): Promise<void> {
  const row = await db.selectFrom('deviceGroups').select('rule').where('groupId', '=', groupId).executeTakeFirst();
  if (!row) throw new AttacheError('NOT_FOUND', `group ${groupId} does not exist`);
  if (row.rule === null) throw new AttacheError('CONFLICT', `group ${groupId} is static; only a dynamic group has a rule`);
  await db
    .updateTable('deviceGroups')
    .set({ rule: JSON.stringify(rule) })
    .where('groupId', '=', groupId)
    .execute();
}

/** ManagementStore.listDynamicGroups. */
export async function listDynamicGroups(db: Db): Promise<DynamicGroupListing> {
  const rows = await db.selectFrom('deviceGroups').select(['groupId', 'rule']).where('rule', 'is not', null).orderBy('groupId').execute();
  const rule = (r: (typeof rows)[number]) => parseStoredJson<DynamicGroupRule>(r.rule as string, { table: 'device_groups', id: r.groupId, column: 'rule' });
  const { items, problems } = isolateRows(
    rows,
    (r) => ({ groupId: r.groupId, rule: rule(r) }),
    (r) => ({ table: 'device_groups', id: r.groupId }),
  );
  return { groups: items, problems };
}

/** In a membership change: NOT_FOUND for an unknown group or device, CONFLICT for a dynamic group (its rule decides). */
export async function requireStaticGroupAndDevice(trx: Db, groupId: string, deviceId: string): Promise<void> {
  const group = await trx.selectFrom('deviceGroups').select(['groupId', 'rule']).where('groupId', '=', groupId).executeTakeFirst();
  if (!group) throw new AttacheError('NOT_FOUND', `group ${groupId} does not exist`);
  if (group.rule !== null) throw new AttacheError('CONFLICT', `group ${groupId} is dynamic: its rule decides its members`);
  const device = await trx.selectFrom('devices').select('deviceId').where('deviceId', '=', deviceId).executeTakeFirst();
  if (!device) throw new AttacheError('NOT_FOUND', `device ${deviceId} does not exist`);
}

/** ManagementStore.addGroupMember. */
export async function addGroupMember(db: Db, groupId: string, deviceId: string, addedAt: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    await requireStaticGroupAndDevice(trx, groupId, deviceId);
    await trx
      .insertInto('groupMembers')
      .values({ groupId, deviceId, addedAt })
      .onConflict((oc) => oc.columns(['groupId', 'deviceId']).doNothing())
      .execute();
  });
}

/** ManagementStore.groupIdsOfDevice. */
export async function groupIdsOfDevice(db: Db, deviceId: string): Promise<string[]> {
  const rows = await db.selectFrom('groupMembers').select('groupId').where('deviceId', '=', deviceId).orderBy('groupId').execute();
  return rows.map((r) => r.groupId);
}

/** ManagementStore.replaceDynamicMemberships. */
export async function replaceDynamicMemberships(db: Db, deviceId: string, groupIds: readonly string[], at: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const dynamic = trx.selectFrom('deviceGroups').select('groupId').where('rule', 'is not', null);
    await trx.deleteFrom('groupMembers').where('deviceId', '=', deviceId).where('groupId', 'in', dynamic).execute();
    if (groupIds.length === 0) return;
    await trx
      .insertInto('groupMembers')
      .values(groupIds.map((groupId) => ({ groupId, deviceId, addedAt: at })))
      .onConflict((oc) => oc.columns(['groupId', 'deviceId']).doNothing())
      .execute();
  });
}

/** ManagementStore.replaceGroupMembers. */
export async function replaceGroupMembers(db: Db, groupId: string, deviceIds: readonly string[], at: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const keep = new Set(deviceIds);
    const current = await trx.selectFrom('groupMembers').select('deviceId').where('groupId', '=', groupId).execute();
    const gone = current.map((r) => r.deviceId).filter((id) => !keep.has(id));
    if (gone.length > 0) await trx.deleteFrom('groupMembers').where('groupId', '=', groupId).where('deviceId', 'in', gone).execute();
    for (const deviceId of keep) {
      await trx
        .insertInto('groupMembers')
        .values({ groupId, deviceId, addedAt: at })
        .onConflict((oc) => oc.columns(['groupId', 'deviceId']).doNothing())
        .execute();
    }
  });
}

/** ManagementStore.createAssignment. */
export async function createAssignment(db: Db, assignment: Assignment): Promise<void> {
  await inTransaction(db, async (trx) => {
    const policy = await trx
      .selectFrom('policies')
      .select('policyId')
      .where('policyId', '=', assignment.policyId)
      .where('deletedAt', 'is', null)
      .executeTakeFirst();
    if (!policy) throw new AttacheError('NOT_FOUND', `policy ${assignment.policyId} does not exist`);
    const group = await trx.selectFrom('deviceGroups').select('groupId').where('groupId', '=', assignment.groupId).executeTakeFirst();
    if (!group) throw new AttacheError('NOT_FOUND', `group ${assignment.groupId} does not exist`);
    try {
      await trx.insertInto('assignments').values(assignment).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new AttacheError('CONFLICT', 'the policy is already assigned to this group', { cause: err });
      throw err;
    }
  });
}

/** An assignments row as the API shape. */
export function assignmentFromRow(row: Database['assignments']): Assignment {
  return { ...row, mode: row.mode as AssignmentMode };
}

/** ManagementStore.listAssignments. */
export async function listAssignments(db: Db): Promise<Assignment[]> {
  return (await db.selectFrom('assignments').selectAll().orderBy('createdAt').orderBy('assignmentId').execute()).map(assignmentFromRow);
}

/** ManagementStore.removeAssignment. */
export async function removeAssignment(db: Db, assignmentId: string): Promise<Assignment | undefined> {
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('assignments').selectAll().where('assignmentId', '=', assignmentId).executeTakeFirst();
    if (!row) return undefined;
    await trx.deleteFrom('assignments').where('assignmentId', '=', assignmentId).execute();
    return assignmentFromRow(row);
  });
}

/** ManagementStore.deletePolicy. */
export async function deletePolicy(db: Db, policyId: string, deletedAt: string): Promise<Assignment[] | undefined> {
  return inTransaction(db, async (trx) => {
    const policy = await trx.selectFrom('policies').select('policyId').where('policyId', '=', policyId).where('deletedAt', 'is', null).executeTakeFirst();
    if (!policy) return undefined;
    const removed = await trx.selectFrom('assignments').selectAll().where('policyId', '=', policyId).execute();
    await trx.deleteFrom('assignments').where('policyId', '=', policyId).execute();
    await trx.updateTable('policies').set({ deletedAt }).where('policyId', '=', policyId).execute();
    return removed.map(assignmentFromRow);
  });
}

/** Policy ids that reach the device through an assignment of `mode` (a subquery). */
function policyIdsByMode(db: Db, mode: AssignmentMode) {
  return db
    .selectFrom('assignments as a')
    .innerJoin('groupMembers as gm', 'gm.groupId', 'a.groupId')
    .select(['a.policyId', 'gm.deviceId'])
    .where('a.mode', '=', mode);
}

/** ManagementStore.deviceIdsAssignedPolicy. */
export async function deviceIdsAssignedPolicy(db: Db, policyId: string): Promise<string[]> {
  const excluded = policyIdsByMode(db, 'exclude').where('a.policyId', '=', policyId).clearSelect().select('gm.deviceId');
  const rows = await policyIdsByMode(db, 'include').where('a.policyId', '=', policyId).where('gm.deviceId', 'not in', excluded).execute();
  return [...new Set(rows.map((r) => r.deviceId))].sort();
}

/** For each of `deviceIds`: its assigned policies (id and latest version, sorted by id), as assignedPolicyIdsQuery decides. */
export async function assignedPolicyPairs(db: Db, deviceIds: readonly string[]): Promise<Map<string, ManifestEntry[]>> {
  const pairs = (mode: AssignmentMode) =>
    policyIdsByMode(db, mode)
      .innerJoin('policies as p', 'p.policyId', 'a.policyId')
      .where('p.deletedAt', 'is', null)
      .where('gm.deviceId', 'in', deviceIds)
      .select('p.latestVersion as version')
      .execute();
  const [included, excluded] = await Promise.all([pairs('include'), pairs('exclude')]);
  const out = new Map<string, ManifestEntry[]>();
  const excludedKeys = new Set(excluded.map((r) => `${r.deviceId}:${r.policyId}`));
  const seen = new Set<string>();
  for (const r of included) {
    const key = `${r.deviceId}:${r.policyId}`;
    if (excludedKeys.has(key) || seen.has(key)) continue;
    seen.add(key);
    const list = out.get(r.deviceId) ?? [];
    list.push({ policyId: r.policyId, version: r.version });
    out.set(r.deviceId, list);
  }
  for (const list of out.values()) list.sort((a, b) => (a.policyId < b.policyId ? -1 : a.policyId > b.policyId ? 1 : 0));
  return out;
}

/** Ids of the policies assigned to the device: included through a group, excluded through none. */
export function assignedPolicyIdsQuery(db: Db, deviceId: string) {
  const excluded = policyIdsByMode(db, 'exclude').where('gm.deviceId', '=', deviceId).clearSelect().select('a.policyId');
  return policyIdsByMode(db, 'include').where('gm.deviceId', '=', deviceId).where('a.policyId', 'not in', excluded).clearSelect().select('a.policyId');
}
