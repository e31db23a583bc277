// Admin routes of the audit log (/v1/admin/audit*): a page of entries, a streamed export (JSON lines or CSV) with the
// same filters, and the hash chain's verification. Reads only; entries are written by the audit hooks (audit-hooks.ts).
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { isoTime } from '../../../common/iso-time.js';
import { auditExportLines } from '../service/audit/audit-export.js';
import { parseAuditQuery } from '../service/audit/audit-log.js';
import type { ServiceContext } from '../service/context.js';

/** Registers the audit routes on `app`, the /v1/admin scope. */
export function registerAuditRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/audit', async (req) => ctx.audit.list(req.query));
  app.get('/audit/verify', async () => ctx.audit.verify());
  app.get('/audit/export', async (req, reply) => {
    const { filter, format = 'jsonl' } = parseAuditQuery(req.query);
    const { limit: _limit, beforeSeq: _cursor, ...filters } = filter;
    const stamp = isoTime(ctx.clock.now()).replaceAll(/[-:]/g, '').slice(0, 15);
    reply
      .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/jsonl; charset=utf-8')
      .header('content-disposition', `attachment; filename="attache-audit-${stamp}.${format}"`);
    return reply.send(Readable.from(auditExportLines(ctx.audit.export(filters), format)));
  });
}
