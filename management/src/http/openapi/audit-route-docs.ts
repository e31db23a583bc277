// OpenAPI entries of the audit log routes (audit-routes.ts): a page of entries, the streamed export and the hash chain's
// verification. One entry per route, keyed `METHOD /full/path`; the query is the AuditQuery the service validates.
import { AuditPage, AuditQuery, AuditVerification } from '../../../../policy-schemas/src/index.js';
import type { RouteDocs } from './route-doc.js';

const admin = 'admin' as const;

/** The audit API. A query that does not match AuditQuery is QUERY_INVALID (service/audit/audit-log.ts parseAuditQuery). */
const ONE_WALK = 'Each admin may have one export or verification in flight (per replica); another answers RATE_LIMITED with Retry-After.';

export const AUDIT_ROUTE_DOCS: RouteDocs = {
  'GET /v1/admin/audit': {
    summary: 'A page of audit log entries, newest first (filters combined with AND; nextCursor for older ones)',
    tag: 'Audit',
    security: admin,
    querySchema: AuditQuery,
    responses: { 200: AuditPage },
    errors: ['QUERY_INVALID'],
  },
  'GET /v1/admin/audit/export': {
    summary: 'Every matching entry, streamed as JSON lines (default) or CSV; limit and cursor are ignored',
    tag: 'Audit',
    security: admin,
    querySchema: AuditQuery,
    responses: {
      200: {
        description: 'One AuditEntry per line (jsonl) or one CSV row per entry, newest first, as an attachment.',
        contentType: ['application/jsonl', 'text/csv'],
        schema: { type: 'string' },
        headers: { 'Content-Disposition': 'attachment; filename="attache-audit-<UTC time>.<jsonl|csv>"' },
      },
    },
    description: ONE_WALK,
    errors: ['QUERY_INVALID', 'RATE_LIMITED'],
  },
  'GET /v1/admin/audit/verify': {
    summary: "Walk the audit log's hash chain from its first entry and say where it breaks, if it does",
    tag: 'Audit',
    security: admin,
    responses: { 200: AuditVerification },
    description: ONE_WALK,
    errors: ['RATE_LIMITED'],
  },
};
