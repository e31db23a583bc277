// The admin audit log service (ctx.audit): records one entry per audited action (secrets removed, before/after as
// canonical JSON), lists and exports entries with filters, and verifies the hash chain. Recording fails loudly: a
// failed write is logged with the entry and refuses further admin writes for a while (docs/audit.md, "Fail closed").

import { canonicalJson } from '../../../../common/canonical-json.js';
import type { Clock } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import { isoTime } from '../../../../common/iso-time.js';
import { validate } from '../../../../common/validation.js';
import {
  type AuditActor,
  type AuditEntry,
  type AuditOutcome,
  type AuditPage,
  AuditQuery,
  type AuditTarget,
  type AuditVerification,
} from '../../../../policy-schemas/src/index.js';
import { errorFields, type Logger } from '../../logging.js';
import { auditVerificationOf, verifyAuditChain } from '../../store/audit-chain.js';
import type { AuditFilter, AuditRecord, AuditStore } from '../../store/audit-store.js';
import { parseStoredJson } from '../../store/stored-json.js';
import { redactSecrets } from './audit-redaction.js';

/** What a caller records (contract 5 of issue 15). `at` defaults to the clock's now. */
export interface AuditEvent {
  /** null: an anonymous request (a failed login). */
  readonly actor: AuditActor | null;
  readonly sourceAddress: string | null;
  readonly at?: string;
  readonly action: string;
  readonly target: AuditTarget | null;
  readonly outcome: AuditOutcome;
  readonly errorCode?: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Default and largest page of a listing. */
export const AUDIT_PAGE_DEFAULT = 100;
export const AUDIT_PAGE_MAX = 500;
/** A before/after value larger than this (canonical JSON characters) is replaced by a note of its size. */
export const AUDIT_SNAPSHOT_MAX_CHARS = 256 * 1024;
/** After a failed write, admin writes are refused this long before they may try again. */
export const AUDIT_RETRY_AFTER_MS = 5_000;
/** Entries read per query while exporting. */
const EXPORT_PAGE = 500;

export interface AuditLogDeps {
  readonly store: AuditStore;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
}

/** The audit log of one endpoint process (the chain itself is shared by every replica through the store). */
export class AuditLog {
  private failedAt: number | undefined;

  constructor(private readonly deps: AuditLogDeps) {}

  /**
   * Appends one entry. On failure the entry (without before/after) is logged at error level and AUDIT_WRITE_FAILED is
   * thrown, and assertWritable refuses admin writes for AUDIT_RETRY_AFTER_MS after it (then they may try again).
   */
  async record(event: AuditEvent): Promise<AuditEntry> {
    const at = event.at ?? isoTime(this.deps.clock.now());
    try {
      const record = await this.deps.store.appendAudit({
        at,
        actorId: event.actor?.adminId ?? null,
        actorUsername: event.actor?.username ?? null,
        actorRole: event.actor?.role ?? null,
        sourceAddress: event.sourceAddress,
        action: event.action,
        targetType: event.target?.type ?? null,
        targetId: event.target?.id ?? null,
        outcome: event.outcome,
        errorCode: event.errorCode ?? null,
        before: snapshotText(event.before),
        after: snapshotText(event.after),
      });
      this.failedAt = undefined;
      return entryOf(record);
    } catch (err) {
      this.failedAt = this.deps.clock.now();
      const { before: _b, after: _a, ...unrecorded } = event;
      this.deps.logger.error('audit entry not written', { component: 'audit', ...unrecorded, at, ...errorFields(err) });
      throw new AttacheError('AUDIT_WRITE_FAILED', `the audit log could not be written (${errorFields(err).error}); this ${event.action} is not recorded`, {
        cause: err,
      });
    }
  }

  /** Throws AUDIT_UNAVAILABLE while the last write failed less than AUDIT_RETRY_AFTER_MS ago (checked before a write runs). */
  assertWritable(): void {
    if (this.failedAt === undefined) return;
    const waitMs = this.failedAt + AUDIT_RETRY_AFTER_MS - this.deps.clock.now();
    if (waitMs <= 0) return;
    throw new AttacheError('AUDIT_UNAVAILABLE', 'the audit log cannot be written; admin changes are refused until it can', { retryAfterMs: waitMs });
  }

  /** GET /v1/admin/audit: one page, newest first. */
  async list(query: unknown): Promise<AuditPage> {
    const { filter } = parseAuditQuery(query);
    const records = await this.deps.store.listAudit({ ...filter, limit: filter.limit + 1 });
    const entries = records.slice(0, filter.limit).map(entryOf);
    const last = entries.at(-1);
    return { entries, ...(records.length > filter.limit && last ? { nextCursor: String(last.seq) } : {}) };
  }

  /** The entries an export writes: every match of the filters (limit and cursor ignored), newest first, read page by page. */
  async *export(filter: Omit<AuditFilter, 'limit' | 'beforeSeq'>): AsyncGenerator<AuditEntry> {
    let beforeSeq: number | undefined;
    for (;;) {
      const page = await this.deps.store.listAudit({ ...filter, limit: EXPORT_PAGE, ...(beforeSeq === undefined ? {} : { beforeSeq }) });
      for (const record of page) yield entryOf(record);
      if (page.length < EXPORT_PAGE) return;
      beforeSeq = page.at(-1)?.seq;
    }
  }

  /** GET /v1/admin/audit/verify: walks the chain from its first entry. */
  async verify(): Promise<AuditVerification> {
    return auditVerificationOf(await verifyAuditChain(this.deps.store));
  }
}

/** Checks a listing's or export's query string and turns it into the store's filter (times normalised to UTC). */
export function parseAuditQuery(query: unknown): { filter: AuditFilter; format?: 'jsonl' | 'csv' } {
  const raw = { ...((query ?? {}) as Record<string, unknown>) };
  // Query values arrive as text; the schema's integer is checked on the number.
  if (typeof raw.limit === 'string' && /^[0-9]{1,6}$/.test(raw.limit)) raw.limit = Number(raw.limit);
  const q = validate(AuditQuery, raw, 'audit query', 'QUERY_INVALID');
  const time = (value: string | undefined) => (value === undefined ? undefined : isoTime(Date.parse(value)));
  const from = time(q.from);
  const to = time(q.to);
  const filter: AuditFilter = {
    limit: q.limit ?? AUDIT_PAGE_DEFAULT,
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(q.actor === undefined ? {} : { actor: q.actor }),
    ...(q.action === undefined ? {} : { action: q.action }),
    ...(q.targetType === undefined ? {} : { targetType: q.targetType }),
    ...(q.targetId === undefined ? {} : { targetId: q.targetId }),
    ...(q.cursor === undefined ? {} : { beforeSeq: Number(q.cursor) }),
  };
  return { filter, ...(q.format === undefined ? {} : { format: q.format }) };
}

// Secrets removed, then canonical JSON (so the stored text, and with it the hash, depends on nothing but the value).
function snapshotText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = canonicalJson(redactSecrets(JSON.parse(JSON.stringify(value))));
  return text.length <= AUDIT_SNAPSHOT_MAX_CHARS ? text : canonicalJson({ omitted: `larger than ${AUDIT_SNAPSHOT_MAX_CHARS} characters`, chars: text.length });
}

/** A stored record as the API answers it. */
export function entryOf(record: AuditRecord): AuditEntry {
  const json = (text: string | null, column: string) => (text === null ? null : parseStoredJson(text, { table: 'audit_log', id: String(record.seq), column }));
  return {
    seq: record.seq,
    at: record.at,
    actor: record.actorId === null ? null : { adminId: record.actorId, username: record.actorUsername ?? '', role: record.actorRole ?? '' },
    sourceAddress: record.sourceAddress,
    action: record.action,
    target: record.targetType === null ? null : { type: record.targetType, id: record.targetId },
    outcome: record.outcome,
    errorCode: record.errorCode,
    before: json(record.before, 'before'),
    after: json(record.after, 'after'),
    prevHash: record.prevHash,
    hash: record.hash,
  };
}
