// The storage boundary of the admin audit log: append one entry (the store links it to the chain), read entries newest
// first with filters, and walk the chain oldest first. There is deliberately no way to change or delete an entry.

/** An entry as the caller gives it; before/after are canonical JSON text (or null). */
export interface NewAuditRecord {
  readonly at: string;
  readonly actorId: string | null;
  readonly actorUsername: string | null;
  readonly actorRole: string | null;
  readonly sourceAddress: string | null;
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly outcome: 'success' | 'failure';
  readonly errorCode: string | null;
  readonly before: string | null;
  readonly after: string | null;
}

/** A stored entry: its position and the hashes that link it to the one before (audit-chain.ts). */
export interface AuditRecord extends NewAuditRecord {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** Filters of a listing, all combined with AND; entries come newest first. */
export interface AuditFilter {
  /** Inclusive bounds on `at` (RFC 3339 in toISOString form, compared as text). */
  readonly from?: string;
  readonly to?: string;
  /** Matches the actor's id or username. */
  readonly actor?: string;
  /** Exact action, or every action starting with it when it ends in "." (`policy.`). */
  readonly action?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  /** Only entries older than this seq (the paging cursor). */
  readonly beforeSeq?: number;
  readonly limit: number;
}

export interface AuditStore {
  /**
   * Appends one entry as the chain's next (seq = head + 1, prevHash = head's hash) and returns it. Appends are
   * serialised across every process on the database, so the chain stays one line.
   */
  appendAudit(entry: NewAuditRecord): Promise<AuditRecord>;
  /** Entries matching `filter`, newest first, at most `filter.limit`. */
  listAudit(filter: AuditFilter): Promise<AuditRecord[]>;
  /** Up to `limit` entries with seq > `afterSeq`, oldest first (verification and export walk the chain with it). */
  auditChain(afterSeq: number, limit: number): Promise<AuditRecord[]>;
}
