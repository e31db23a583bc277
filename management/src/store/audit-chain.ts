// The hash chain of the audit log: each entry's hash is SHA-256 over the canonical JSON of all its other fields,
// prevHash included, so changing, removing or reordering any entry breaks every link after it (docs/audit.md).
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../common/canonical-json.js';
import type { AuditRecord, AuditStore } from './audit-store.js';

/** prevHash of the first entry. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** SHA-256 hex over the canonical JSON of every field of `record` but `hash`. */
export function auditRecordHash(record: Omit<AuditRecord, 'hash'>): string {
  const { seq, at, actorId, actorUsername, actorRole, sourceAddress, action, targetType, targetId, outcome, errorCode, before, after, prevHash } = record;
  const hashed = { seq, at, actorId, actorUsername, actorRole, sourceAddress, action, targetType, targetId, outcome, errorCode, before, after, prevHash };
  return createHash('sha256').update(canonicalJson(hashed), 'utf8').digest('hex');
}

/** Where a chain walk found the first problem. */
export interface ChainBreak {
  readonly seq: number;
  readonly problem: string;
}

/**
 * Checks `record` as the successor of `previous` (undefined: the first entry): its position, its link and its own
 * hash. Returns the problem, or undefined when it holds.
 */
export function checkChainLink(previous: Pick<AuditRecord, 'seq' | 'hash'> | undefined, record: AuditRecord): ChainBreak | undefined {
  const expectedSeq = (previous?.seq ?? 0) + 1;
  if (record.seq !== expectedSeq) return { seq: record.seq, problem: `entry ${expectedSeq} is missing (the next one stored is ${record.seq})` };
  if (record.prevHash !== (previous?.hash ?? AUDIT_GENESIS_HASH)) return { seq: record.seq, problem: 'prevHash does not match the previous entry' };
  if (auditRecordHash(record) !== record.hash) return { seq: record.seq, problem: 'the entry does not match its hash (it was changed)' };
  return undefined;
}

/** The outcome of walking the whole chain. */
export interface ChainVerification {
  readonly entries: number;
  readonly head?: Pick<AuditRecord, 'seq' | 'hash'>;
  readonly broken?: ChainBreak;
}

/** Entries read per query while walking. */
const WALK_PAGE = 1000;

/**
 * Walks the chain from its first entry and stops at the first entry that breaks it. Removing the newest entries leaves a
 * shorter chain that still verifies: compare `head` with a head recorded elsewhere (docs/audit.md).
 */
export async function verifyAuditChain(store: Pick<AuditStore, 'auditChain'>): Promise<ChainVerification> {
  let previous: AuditRecord | undefined;
  let entries = 0;
  for (;;) {
    const page = await store.auditChain(previous?.seq ?? 0, WALK_PAGE);
    for (const record of page) {
      const broken = checkChainLink(previous, record);
      if (broken) return { entries, ...(previous ? { head: { seq: previous.seq, hash: previous.hash } } : {}), broken };
      previous = record;
      entries++;
    }
    if (page.length < WALK_PAGE) return { entries, ...(previous ? { head: { seq: previous.seq, hash: previous.hash } } : {}) };
  }
}
