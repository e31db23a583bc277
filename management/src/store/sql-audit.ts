// The audit log on the SQL store: appends take the chain head under a lock (PostgreSQL: a transaction-level advisory
// lock, so replicas queue; SQLite: the one connection's transaction), listings filter newest first.
import { type Kysely, sql } from 'kysely';
import { AUDIT_GENESIS_HASH, auditRecordHash } from './audit-chain.js';
import type { AuditFilter, AuditRecord, NewAuditRecord } from './audit-store.js';
import type { Database } from './schema.js';
import { inTransaction, isPostgres } from './transactions.js';

/** pg_advisory_xact_lock(int4, int4) keys of the chain head: "Atta" and 2 (leadership holds "Atta" and 1). */
const AUDIT_LOCK_KEYS = [0x41747461, 2] as const;

/**
 * Appends `entry` after the chain head. On PostgreSQL the transaction first takes the advisory lock and runs READ
 * COMMITTED, so its read of the head (a new snapshot per statement) sees the entry the previous lock holder committed:
 * two replicas appending at once queue on the lock instead of forking the chain or aborting each other.
 */
export function appendAudit(db: Kysely<Database>, entry: NewAuditRecord): Promise<AuditRecord> {
  return inTransaction(
    db,
    async (trx) => {
      if (isPostgres(trx)) await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEYS[0]}, ${AUDIT_LOCK_KEYS[1]})`.execute(trx);
      const head = await trx.selectFrom('auditLog').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      const linked = { ...entry, seq: (head?.seq ?? 0) + 1, prevHash: head?.hash ?? AUDIT_GENESIS_HASH };
      const record: AuditRecord = { ...linked, hash: auditRecordHash(linked) };
      await trx.insertInto('auditLog').values(record).execute();
      return record;
    },
    { isolation: 'read committed' },
  );
}

/** Entries matching `filter`, newest first. */
export async function listAudit(db: Kysely<Database>, filter: AuditFilter): Promise<AuditRecord[]> {
  let query = db.selectFrom('auditLog').selectAll();
  if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('at', '<=', filter.to);
  if (filter.actor !== undefined) {
    const actor = filter.actor;
    query = query.where((eb) => eb.or([eb('actorId', '=', actor), eb('actorUsername', '=', actor)]));
  }
  if (filter.action !== undefined) {
    // A prefix is compared with substr, not LIKE (SQLite's LIKE ignores case; `_` and `%` would need escaping) nor a
    // range (a PostgreSQL database collation may order punctuation unlike byte order).
    const action = filter.action;
    query = action.endsWith('.') ? query.where(sql<string>`substr(action, 1, ${action.length})`, '=', action) : query.where('action', '=', action);
  }
  if (filter.targetType !== undefined) query = query.where('targetType', '=', filter.targetType);
  if (filter.targetId !== undefined) query = query.where('targetId', '=', filter.targetId);
  if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
  const rows = await query.orderBy('seq', 'desc').limit(filter.limit).execute();
  return rows.map(recordOf);
}

/** Up to `limit` entries after `afterSeq`, oldest first. */
export async function auditChain(db: Kysely<Database>, afterSeq: number, limit: number): Promise<AuditRecord[]> {
  const rows = await db.selectFrom('auditLog').selectAll().where('seq', '>', afterSeq).orderBy('seq', 'asc').limit(limit).execute();
  return rows.map(recordOf);
}

// PostgreSQL's text and integer come back as they went in; only the outcome needs its literal type back.
function recordOf(row: Database['auditLog']): AuditRecord {
  return { ...row, seq: Number(row.seq), outcome: row.outcome === 'success' ? 'success' : 'failure' };
}
