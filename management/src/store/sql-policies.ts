// Policies in the SQL store: immutable signed versions, the policy row pointing at the latest, and the reads that must
// survive a corrupt stored version (lists and a device's set report it instead of failing; the head never reads JSON).
import type { Kysely } from 'kysely';
import { canonicalJson } from '../../../common/canonical-json.js';
import { AttacheError } from '../../../common/errors.js';
import type { PolicyKind, PolicySource, SignedPolicy } from '../../../policy-schemas/src/index.js';
import type { Database } from './schema.js';
import { isUniqueViolation, signedPolicyFromRow } from './sql-rows.js';
import { assignedPolicyIdsQuery } from './sql-targeting.js';
import type { PolicyHead, PolicyListing, PolicyRecord, PolicySet, PolicyWriteGuard } from './store.js';
import { isolateRows, type StoredRef } from './stored-json.js';
import { sourceFromText, sourceText } from './stored-source.js';
import { inTransaction } from './transactions.js';

type Db = Kysely<Database>;

/** ManagementStore.createPolicy. */
export async function createPolicy(db: Db, first: SignedPolicy, source?: PolicySource, guard?: PolicyWriteGuard): Promise<void> {
  const p = first.payload;
  if (p.version !== 1) throw new Error('createPolicy: first version must be 1');
  await inTransaction(db, async (trx) => {
    await runGuard(trx, guard);
    await trx
      .insertInto('policies')
      .values({ policyId: p.policyId, name: p.name, kind: p.kind, createdAt: p.createdAt, latestVersion: 1, deletedAt: null, source: sourceText(source) })
      .execute()
      .catch((err: unknown) => {
        throw isUniqueViolation(err) ? new AttacheError('CONFLICT', `policy ${p.policyId} already exists`) : err;
      });
    await trx.insertInto('policyVersions').values(versionRow(first)).execute();
  });
}

/** ManagementStore.addPolicyVersion. */
export async function addPolicyVersion(db: Db, next: SignedPolicy, source?: PolicySource, guard?: PolicyWriteGuard): Promise<void> {
  const p = next.payload;
  await inTransaction(db, async (trx) => {
    await runGuard(trx, guard);
    const current = await trx
      .selectFrom('policies')
      .select('latestVersion')
      .where('policyId', '=', p.policyId)
      .where('deletedAt', 'is', null)
      .executeTakeFirst();
    if (!current) throw new AttacheError('NOT_FOUND', `policy ${p.policyId} does not exist`);
    if (p.version !== current.latestVersion + 1) throw new AttacheError('CONFLICT', `policy ${p.policyId} changed concurrently; retry`);
    // Another process may have added this version since the read (the row is the proof): CONFLICT, as above.
    await trx
      .insertInto('policyVersions')
      .values(versionRow(next))
      .execute()
      .catch((err: unknown) => {
        throw isUniqueViolation(err) ? new AttacheError('CONFLICT', `policy ${p.policyId} changed concurrently; retry`) : err;
      });
    await trx
      .updateTable('policies')
      .set({ name: p.name, latestVersion: p.version, ...(source ? { source: sourceText(source) } : {}) })
      .where('policyId', '=', p.policyId)
      .execute();
  });
}

// The guard's read is the transaction's first: on PostgreSQL (SERIALIZABLE) a concurrent write of a policy it read
// aborts one of the two and the retry reads again; SQLite's BEGIN IMMEDIATE already holds the write lock.
async function runGuard(trx: Db, guard: PolicyWriteGuard | undefined): Promise<void> {
  if (!guard) return;
  const rows = await policiesQuery(trx).where('p.kind', '=', guard.kind).orderBy('p.policyId').execute();
  const { items, problems } = isolateRows(rows, policyRecord, versionRef);
  guard.check({ policies: items, problems });
}

function policiesQuery(db: Db) {
  return db
    .selectFrom('policies as p')
    .innerJoin('policyVersions as v', (join) => join.onRef('v.policyId', '=', 'p.policyId').onRef('v.version', '=', 'p.latestVersion'))
    .select(['p.policyId', 'p.name', 'p.kind', 'p.createdAt', 'p.latestVersion', 'p.source', 'v.version', 'v.payload', 'v.keyId', 'v.signature'])
    .where('p.deletedAt', 'is', null);
}

/** ManagementStore.getPolicy. */
export async function getPolicy(db: Db, policyId: string): Promise<PolicyRecord | undefined> {
  const row = await policiesQuery(db).where('p.policyId', '=', policyId).executeTakeFirst();
  return row ? policyRecord(row) : undefined;
}

/** ManagementStore.getPolicyHead. */
export async function getPolicyHead(db: Db, policyId: string): Promise<PolicyHead | undefined> {
  const row = await db
    .selectFrom('policies')
    .select(['policyId', 'name', 'kind', 'createdAt', 'latestVersion'])
    .where('policyId', '=', policyId)
    .where('deletedAt', 'is', null)
    .executeTakeFirst();
  return row ? policyHead(row) : undefined;
}

/** ManagementStore.listPolicies. */
export async function listPolicies(db: Db): Promise<PolicyListing> {
  const rows = await policiesQuery(db).orderBy('p.createdAt').orderBy('p.policyId').execute();
  const { items, problems } = isolateRows(rows, policyRecord, versionRef);
  return { policies: items, problems };
}

/** ManagementStore.policiesForDevice. */
export async function policiesForDevice(db: Db, deviceId: string): Promise<SignedPolicy[]> {
  return (await assignedPoliciesWithProblems(db, deviceId)).policies;
}

/** ManagementStore.assignedPoliciesWithProblems. */
export async function assignedPoliciesWithProblems(db: Db, deviceId: string): Promise<PolicySet> {
  const rows = await policiesQuery(db).where('p.policyId', 'in', assignedPolicyIdsQuery(db, deviceId)).orderBy('p.policyId').execute();
  const { items, problems } = isolateRows(rows, signedPolicyFromRow, versionRef);
  const rowById = new Map(rows.map((row) => [versionRef(row).id, row]));
  const corrupt = problems.flatMap((problem) => {
    const row = rowById.get(problem.id);
    return row ? [{ ...policyHead(row), problem }] : [];
  });
  return { policies: items, corrupt };
}

type PolicyRow = Parameters<typeof signedPolicyFromRow>[0] & { policyId: string; createdAt: string; source: string | null };

function policyRecord(row: PolicyRow): PolicyRecord {
  const source = sourceFromText(row.source, { table: 'policies', id: row.policyId, column: 'source' });
  return { policyId: row.policyId, createdAt: row.createdAt, latest: signedPolicyFromRow(row), ...(source ? { source } : {}) };
}

// Where a policy version lives, as STORE_CORRUPT names it.
function versionRef(row: { policyId: string; version: number }): StoredRef {
  return { table: 'policy_versions', id: `${row.policyId}@${row.version}` };
}

function policyHead(row: { policyId: string; name: string; kind: string; createdAt: string; latestVersion: number }): PolicyHead {
  return { policyId: row.policyId, name: row.name, kind: row.kind as PolicyKind, createdAt: row.createdAt, latestVersion: row.latestVersion };
}

// The payload is stored as canonical JSON: exactly the bytes that were signed.
function versionRow(policy: SignedPolicy) {
  const p = policy.payload;
  return { policyId: p.policyId, version: p.version, payload: canonicalJson(p), keyId: policy.keyId, signature: policy.signature, createdAt: p.createdAt };
}
