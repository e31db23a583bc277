// Compliance in the SQL store: compliance policies (versioned in place, soft-deleted), their include/exclude group
// assignments, each device's evaluated state with its bounded transition log, and access-service token hashes.
import type { Kysely } from 'kysely';
import { AttacheError } from '../../../common/errors.js';
import type {
  AssignmentMode,
  ComplianceAssignment,
  CompliancePolicy,
  ComplianceReason,
  ComplianceSettings,
  ComplianceState,
  ComplianceTransition,
  RiskLevel,
} from '../../../policy-schemas/src/index.js';
import { type AccessTokenRecord, type PolicyOutcome, type StoredComplianceState, TRANSITIONS_PER_DEVICE } from './compliance-store.js';
import type { ComplianceAssignmentTable, CompliancePolicyTable, Database, DeviceComplianceTable } from './schema.js';
import { isUniqueViolation } from './sql-rows.js';
import { isolateRows, parseStoredJson, type StoreProblem } from './stored-json.js';
import { sourceFromText, sourceText } from './stored-source.js';
import { inTransaction } from './transactions.js';

type Db = Kysely<Database>;

/** The row of `p`; `source` only when `p` has one, so an update without a source keeps the stored one. */
function policyRow(p: CompliancePolicy): Omit<CompliancePolicyTable, 'deletedAt' | 'source'> & { source?: string | null } {
  return {
    ...(p.source ? { source: sourceText(p.source) } : {}),
    compliancePolicyId: p.compliancePolicyId,
    name: p.name,
    description: p.description ?? null,
    settings: JSON.stringify(p.settings),
    gracePeriodHours: p.gracePeriodHours,
    version: p.version,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

function policyFromRow(row: CompliancePolicyTable): CompliancePolicy {
  const source = sourceFromText(row.source, { table: 'compliance_policies', id: row.compliancePolicyId, column: 'source' });
  return {
    compliancePolicyId: row.compliancePolicyId,
    name: row.name,
    ...(row.description === null ? {} : { description: row.description }),
    settings: parseStoredJson<ComplianceSettings>(row.settings, { table: 'compliance_policies', id: row.compliancePolicyId, column: 'settings' }),
    gracePeriodHours: row.gracePeriodHours,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(source ? { source } : {}),
  };
}

function assignmentFromRow(row: ComplianceAssignmentTable): ComplianceAssignment {
  return { ...row, mode: row.mode as AssignmentMode };
}

/** ComplianceStore.createCompliancePolicy. */
export async function createCompliancePolicy(db: Db, policy: CompliancePolicy): Promise<void> {
  if (policy.version !== 1) throw new Error('createCompliancePolicy: first version must be 1');
  await db
    .insertInto('compliancePolicies')
    .values({ source: null, ...policyRow(policy), deletedAt: null })
    .execute();
}

/** ComplianceStore.updateCompliancePolicy. */
export async function updateCompliancePolicy(db: Db, policy: CompliancePolicy): Promise<void> {
  await inTransaction(db, async (trx) => {
    const current = await trx
      .selectFrom('compliancePolicies')
      .select('version')
      .where('compliancePolicyId', '=', policy.compliancePolicyId)
      .where('deletedAt', 'is', null)
      .executeTakeFirst();
    if (!current) throw new AttacheError('NOT_FOUND', `compliance policy ${policy.compliancePolicyId} does not exist`);
    if (policy.version !== current.version + 1)
      throw new AttacheError('CONFLICT', `compliance policy ${policy.compliancePolicyId} changed concurrently; retry`);
    const { compliancePolicyId, createdAt: _createdAt, ...changes } = policyRow(policy);
    await trx.updateTable('compliancePolicies').set(changes).where('compliancePolicyId', '=', compliancePolicyId).execute();
  });
}

/** ComplianceStore.getCompliancePolicy (deleted policies are not returned). */
export async function getCompliancePolicy(db: Db, id: string): Promise<CompliancePolicy | undefined> {
  const row = await db.selectFrom('compliancePolicies').selectAll().where('compliancePolicyId', '=', id).where('deletedAt', 'is', null).executeTakeFirst();
  return row ? policyFromRow(row) : undefined;
}

/** ComplianceStore.getCompliancePolicyHead. */
export async function getCompliancePolicyHead(db: Db, id: string): Promise<Pick<CompliancePolicy, 'compliancePolicyId' | 'version' | 'createdAt'> | undefined> {
  return db
    .selectFrom('compliancePolicies')
    .select(['compliancePolicyId', 'version', 'createdAt'])
    .where('compliancePolicyId', '=', id)
    .where('deletedAt', 'is', null)
    .executeTakeFirst();
}

/** ComplianceStore.listCompliancePolicies. */
export async function listCompliancePolicies(db: Db): Promise<{ compliancePolicies: CompliancePolicy[]; problems: StoreProblem[] }> {
  const rows = await db
    .selectFrom('compliancePolicies')
    .selectAll()
    .where('deletedAt', 'is', null)
    .orderBy('createdAt')
    .orderBy('compliancePolicyId')
    .execute();
  const { items, problems } = isolateRows(rows, policyFromRow, (r) => ({ table: 'compliance_policies', id: r.compliancePolicyId }));
  return { compliancePolicies: items, problems };
}

/** ComplianceStore.deleteCompliancePolicy. */
export async function deleteCompliancePolicy(db: Db, id: string, deletedAt: string): Promise<ComplianceAssignment[] | undefined> {
  return inTransaction(db, async (trx) => {
    const found = await trx
      .selectFrom('compliancePolicies')
      .select('compliancePolicyId')
      .where('compliancePolicyId', '=', id)
      .where('deletedAt', 'is', null)
      .executeTakeFirst();
    if (!found) return undefined;
    const removed = await trx.selectFrom('complianceAssignments').selectAll().where('compliancePolicyId', '=', id).execute();
    await trx.deleteFrom('complianceAssignments').where('compliancePolicyId', '=', id).execute();
    await trx.updateTable('compliancePolicies').set({ deletedAt }).where('compliancePolicyId', '=', id).execute();
    return removed.map(assignmentFromRow);
  });
}

/** ComplianceStore.createComplianceAssignment. */
export async function createComplianceAssignment(db: Db, assignment: ComplianceAssignment): Promise<void> {
  await inTransaction(db, async (trx) => {
    if (!(await getCompliancePolicy(trx, assignment.compliancePolicyId))) {
      throw new AttacheError('NOT_FOUND', `compliance policy ${assignment.compliancePolicyId} does not exist`);
    }
    const group = await trx.selectFrom('deviceGroups').select('groupId').where('groupId', '=', assignment.groupId).executeTakeFirst();
    if (!group) throw new AttacheError('NOT_FOUND', `group ${assignment.groupId} does not exist`);
    try {
      await trx.insertInto('complianceAssignments').values(assignment).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new AttacheError('CONFLICT', 'the compliance policy is already assigned to this group', { cause: err });
      throw err;
    }
  });
}

/** ComplianceStore.listComplianceAssignments. */
export async function listComplianceAssignments(db: Db): Promise<ComplianceAssignment[]> {
  const rows = await db.selectFrom('complianceAssignments').selectAll().orderBy('createdAt').orderBy('assignmentId').execute();
  return rows.map(assignmentFromRow);
}

/** ComplianceStore.removeComplianceAssignment. */
export async function removeComplianceAssignment(db: Db, assignmentId: string): Promise<ComplianceAssignment | undefined> {
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('complianceAssignments').selectAll().where('assignmentId', '=', assignmentId).executeTakeFirst();
    if (!row) return undefined;
    await trx.deleteFrom('complianceAssignments').where('assignmentId', '=', assignmentId).execute();
    return assignmentFromRow(row);
  });
}

/**
 * ComplianceStore.compliancePoliciesForDevice: included through a group of the device, excluded through none. The
 * device's assignment links first (one join), then the policies only when some are included: most evaluations (a
 * device in no group with a compliance policy) end after the first, and kysely builds two flat queries far faster
 * than one with two nested subqueries.
 */
export async function compliancePoliciesForDevice(db: Db, deviceId: string): Promise<CompliancePolicy[]> {
  const links = await db
    .selectFrom('complianceAssignments as a')
    .innerJoin('groupMembers as gm', 'gm.groupId', 'a.groupId')
    .select(['a.compliancePolicyId', 'a.mode'])
    .where('gm.deviceId', '=', deviceId)
    .execute();
  const excluded = new Set(links.filter((l) => l.mode === 'exclude').map((l) => l.compliancePolicyId));
  const included = [...new Set(links.filter((l) => l.mode === 'include' && !excluded.has(l.compliancePolicyId)).map((l) => l.compliancePolicyId))];
  if (included.length === 0) return [];
  const rows = await db
    .selectFrom('compliancePolicies')
    .selectAll()
    .where('deletedAt', 'is', null)
    .where('compliancePolicyId', 'in', included)
    .orderBy('compliancePolicyId')
    .execute();
  return rows.map(policyFromRow);
}

function stateRow(s: StoredComplianceState): DeviceComplianceTable {
  return {
    deviceId: s.deviceId,
    state: s.state,
    riskLevel: s.riskLevel,
    reasons: JSON.stringify(s.reasons),
    policies: JSON.stringify(s.policies),
    evaluatedAt: s.evaluatedAt,
    evidenceAt: s.evidenceAt,
    nextEvaluationAt: s.nextEvaluationAt,
  };
}

function stateFromRow(row: DeviceComplianceTable): StoredComplianceState {
  return {
    deviceId: row.deviceId,
    state: row.state as ComplianceState,
    riskLevel: row.riskLevel as RiskLevel,
    reasons: parseStoredJson<ComplianceReason[]>(row.reasons, { table: 'device_compliance', id: row.deviceId, column: 'reasons' }),
    policies: parseStoredJson<PolicyOutcome[]>(row.policies, { table: 'device_compliance', id: row.deviceId, column: 'policies' }),
    evaluatedAt: row.evaluatedAt,
    evidenceAt: row.evidenceAt,
    nextEvaluationAt: row.nextEvaluationAt,
  };
}

/** ComplianceStore.getComplianceState. */
export async function getComplianceState(db: Db, deviceId: string): Promise<StoredComplianceState | undefined> {
  const row = await db.selectFrom('deviceCompliance').selectAll().where('deviceId', '=', deviceId).executeTakeFirst();
  return row ? stateFromRow(row) : undefined;
}

/** ComplianceStore.listComplianceStates. */
export async function listComplianceStates(db: Db): Promise<StoredComplianceState[]> {
  const rows = await db.selectFrom('deviceCompliance').selectAll().orderBy('deviceId').execute();
  return isolateRows(rows, stateFromRow, (r) => ({ table: 'device_compliance', id: r.deviceId })).items;
}

/** ComplianceStore.saveComplianceState; runs inside the caller's transaction (a group commit's savepoint). */
export async function saveComplianceState(trx: Db, state: StoredComplianceState, transition?: ComplianceTransition, basedOn?: string | null): Promise<void> {
  const row = stateRow(state);
  const { deviceId, ...changes } = row;
  // The comparison with `basedOn` is the write's own condition, so it holds at READ COMMITTED across replicas (the
  // group commit's isolation, sql-device-writes.ts): an insert that finds a row (ON CONFLICT DO NOTHING waits for a
  // concurrent uncommitted one) or an UPDATE whose WHERE PostgreSQL re-checks on the newest row version writes nothing.
  // Either write leaves the device's row locked until the commit, so its transitions below are written one save at a time.
  let written = true;
  if (basedOn === null) {
    const result = await trx
      .insertInto('deviceCompliance')
      .values(row)
      .onConflict((oc) => oc.column('deviceId').doNothing())
      .executeTakeFirst();
    written = Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  } else if (basedOn !== undefined) {
    const result = await trx
      .updateTable('deviceCompliance')
      .set(changes)
      .where('deviceId', '=', deviceId)
      .where('evaluatedAt', '=', basedOn)
      .executeTakeFirst();
    written = Number(result.numUpdatedRows) === 1;
  } else {
    await trx
      .insertInto('deviceCompliance')
      .values(row)
      .onConflict((oc) => oc.column('deviceId').doUpdateSet(changes))
      .execute();
  }
  if (!written) {
    const stored = await trx.selectFrom('deviceCompliance').select('evaluatedAt').where('deviceId', '=', deviceId).executeTakeFirst();
    throw new AttacheError(
      'CONFLICT',
      `compliance of device ${deviceId} was evaluated concurrently (stored ${stored?.evaluatedAt ?? 'none'}, expected ${basedOn ?? 'none'})`,
    );
  }
  if (!transition) return;
  await trx
    .insertInto('complianceTransitions')
    .values({ deviceId, at: transition.at, fromState: transition.from, toState: transition.to, reasons: JSON.stringify(transition.reasons) })
    .execute();
  // The newest TRANSITIONS_PER_DEVICE stay: the first one beyond them (usually none) bounds what is deleted.
  const beyond = await trx
    .selectFrom('complianceTransitions')
    .select('transitionId')
    .where('deviceId', '=', deviceId)
    .orderBy('transitionId', 'desc')
    .limit(1)
    .offset(TRANSITIONS_PER_DEVICE)
    .executeTakeFirst();
  if (beyond) await trx.deleteFrom('complianceTransitions').where('deviceId', '=', deviceId).where('transitionId', '<=', beyond.transitionId).execute();
}

/** ComplianceStore.listComplianceTransitions. */
export async function listComplianceTransitions(db: Db, deviceId: string, limit: number): Promise<ComplianceTransition[]> {
  const rows = await db.selectFrom('complianceTransitions').selectAll().where('deviceId', '=', deviceId).orderBy('transitionId', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    at: r.at,
    from: r.fromState as ComplianceState | null,
    to: r.toState as ComplianceState,
    reasons: parseStoredJson<string[]>(r.reasons, { table: 'compliance_transitions', id: String(r.transitionId), column: 'reasons' }),
  }));
}

/** ComplianceStore.deviceIdsDueForEvaluation (times are stored in toISOString form, so they compare as strings). */
export async function deviceIdsDueForEvaluation(db: Db, now: string): Promise<string[]> {
  const rows = await db.selectFrom('deviceCompliance').select('deviceId').where('nextEvaluationAt', '<=', now).orderBy('deviceId').execute();
  return rows.map((r) => r.deviceId);
}

/** ComplianceStore.createAccessToken. */
export async function createAccessToken(db: Db, token: AccessTokenRecord): Promise<void> {
  await db
    .insertInto('accessTokens')
    .values({
      tokenId: token.tokenId,
      tokenHash: token.tokenHash,
      description: token.description ?? null,
      createdAt: token.createdAt,
      revokedAt: token.revokedAt,
    })
    .execute();
}

/** ComplianceStore.listAccessTokens. */
export async function listAccessTokens(db: Db): Promise<AccessTokenRecord[]> {
  const rows = await db.selectFrom('accessTokens').selectAll().orderBy('createdAt').orderBy('tokenId').execute();
  return rows.map((r) => ({
    tokenId: r.tokenId,
    tokenHash: r.tokenHash,
    ...(r.description === null ? {} : { description: r.description }),
    createdAt: r.createdAt,
    revokedAt: r.revokedAt,
  }));
}

/** ComplianceStore.revokeAccessToken. */
export async function revokeAccessToken(db: Db, tokenId: string, revokedAt: string): Promise<boolean> {
  const result = await db.updateTable('accessTokens').set({ revokedAt }).where('tokenId', '=', tokenId).where('revokedAt', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
