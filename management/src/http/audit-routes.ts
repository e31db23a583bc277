// Admin routes of the audit log (/v1/admin/audit*): a page of entries, a streamed export (JSON lines or CSV) with the
// same filters, and the hash chain's verification. Reads only; entries are written by the audit hooks (audit-hooks.ts).
// An export or verification walks the whole log: each admin may have one of them in flight (per replica).
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AttacheError } from '../../../common/errors.js';
import { isoTime } from '../../../common/iso-time.js';
import { auditExportLines } from '../service/audit/audit-export.js';
import { parseAuditQuery } from '../service/audit/audit-log.js';
import type { ServiceContext } from '../service/context.js';

/** Keys (admins) with a long audit walk in flight: a second one is refused until the first has finished. */
export class OneWalkPerAdmin {
  private readonly busy = new Set<string>();

  /** Marks `key` busy and answers the function that frees it (once), or throws RATE_LIMITED while it is busy. */
  take(key: string): () => void {
    if (this.busy.has(key)) {
      throw new AttacheError('RATE_LIMITED', 'an audit export or verification of yours is still running; retry when it has finished', {
        retryAfterMs: 1000,
      });
    }
    this.busy.add(key);
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.busy.delete(key);
    };
  }
}

/** Registers the audit routes on `app`, the /v1/admin scope. */
export function registerAuditRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const walks = new OneWalkPerAdmin();
  // RATE_LIMITED carries retryAfterMs: the error handler (server.ts) sets Retry-After.
  const takeWalk = (req: FastifyRequest): (() => void) => walks.take(req.admin?.adminId ?? req.ip);
  app.get('/audit', async (req) => ctx.audit.list(req.query));
  app.get('/audit/verify', async (req) => {
    const free = takeWalk(req);
    try {
      return await ctx.audit.verify();
    } finally {
      free();
    }
  });
  app.get('/audit/export', async (req, reply) => {
    const { filter, format = 'jsonl' } = parseAuditQuery(req.query);
    const free = takeWalk(req);
    // Freed when the answer is done or the client went away, whichever comes first.
    reply.raw.once('close', free);
    const { limit: _limit, beforeSeq: _cursor, ...filters } = filter;
    const stamp = isoTime(ctx.clock.now()).replaceAll(/[-:]/g, '').slice(0, 15);
    reply
      .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/jsonl; charset=utf-8')
      .header('content-disposition', `attachment; filename="attache-audit-${stamp}.${format}"`);
    const stream = Readable.from(auditExportLines(ctx.audit.export(filters), format));
    stream.once('close', free);
    return reply.send(stream);
  });
}
