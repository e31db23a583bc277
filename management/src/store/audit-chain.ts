// The hash chain of the audit log: each entry's hash is SHA-256 over the canonical JSON of all its other fields,
// prevHash included, so changing, removing or reordering any entry breaks every link after it (docs/audit.md).
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../common/canonical-json.js';
import type { AuditEntry, AuditVerification } from '../../../policy-schemas/src/index.js';
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

/** A chain walk in progress: feed it the entries in seq order; it stops at the first break. */
class ChainWalk {
  private previous: AuditRecord | undefined;
  private entries = 0;
  private broken: ChainBreak | undefined;

  /** Checks the next entries; false once the chain is broken (later entries are not looked at). */
  add(records: Iterable<AuditRecord>): boolean {
    for (const record of records) {
      this.broken = checkChainLink(this.previous, record);
      if (this.broken) return false;
      this.previous = record;
      this.entries++;
    }
    return true;
  }

  get seq(): number {
    return this.previous?.seq ?? 0;
  }

  result(): ChainVerification {
    const head = this.previous ? { head: { seq: this.previous.seq, hash: this.previous.hash } } : {};
    return { entries: this.entries, ...head, ...(this.broken ? { broken: this.broken } : {}) };
  }
}

/**
 * Walks the chain from its first entry and stops at the first entry that breaks it. Removing the newest entries leaves a
 * shorter chain that still verifies: compare `head` with a head recorded elsewhere (docs/audit.md).
 */
export async function verifyAuditChain(store: Pick<AuditStore, 'auditChain'>): Promise<ChainVerification> {
  const walk = new ChainWalk();
  for (;;) {
    const page = await store.auditChain(walk.seq, WALK_PAGE);
    if (!walk.add(page) || page.length < WALK_PAGE) return walk.result();
  }
}

/**
 * Verifies exported entries (JSON lines of an unfiltered export, any order) offline: the same walk from entry 1, so a
 * filtered or partial export reports its first missing entry.
 */
export function verifyAuditEntries(entries: readonly AuditEntry[]): ChainVerification {
  const walk = new ChainWalk();
  walk.add([...entries].sort((x, y) => x.seq - y.seq).map(auditRecordOfEntry));
  return walk.result();
}

/** The stored row an entry was answered from (the inverse of the API's view): what its hash covers. */
export function auditRecordOfEntry(entry: AuditEntry): AuditRecord {
  const text = (value: unknown) => (value === null || value === undefined ? null : canonicalJson(value));
  return {
    seq: entry.seq,
    at: entry.at,
    actorId: entry.actor?.adminId ?? null,
    actorUsername: entry.actor?.username ?? null,
    actorRole: entry.actor?.role ?? null,
    sourceAddress: entry.sourceAddress,
    action: entry.action,
    targetType: entry.target?.type ?? null,
    targetId: entry.target?.id ?? null,
    outcome: entry.outcome,
    errorCode: entry.errorCode,
    before: text(entry.before),
    after: text(entry.after),
    prevHash: entry.prevHash,
    hash: entry.hash,
  };
}

/** A walk's outcome as the API answers it (`GET /v1/admin/audit/verify`). */
export function auditVerificationOf(walked: ChainVerification): AuditVerification {
  return {
    ok: walked.broken === undefined,
    entries: walked.entries,
    ...(walked.broken ? { firstBrokenSeq: walked.broken.seq, problem: walked.broken.problem } : {}),
    ...(walked.head ? { headSeq: walked.head.seq, headHash: walked.head.hash } : {}),
  };
}
