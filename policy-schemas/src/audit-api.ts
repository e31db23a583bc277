// Bodies of the admin audit API (issue 15): one audit log entry, a page of them, the chain verification and the query
// a listing or an export accepts. The endpoint validates the query against AuditQuery; the CLI validates every answer.
import { type Static, Type } from '@sinclair/typebox';
import { Timestamp } from './primitives.js';

const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, lowercase hex' });

/** Who made the change: the admin account and its role at that time; null for an anonymous request (a failed login). */
export const AuditActor = Type.Object(
  {
    adminId: Type.String({ minLength: 1, maxLength: 200 }),
    username: Type.String({ minLength: 1, maxLength: 200 }),
    role: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type AuditActor = Static<typeof AuditActor>;

/** What the change was made to; `id` is null when the request named none and created none. */
export const AuditTarget = Type.Object(
  { type: Type.String({ minLength: 1, maxLength: 64 }), id: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]) },
  { additionalProperties: false },
);
export type AuditTarget = Static<typeof AuditTarget>;

export const AuditOutcome = Type.Union([Type.Literal('success'), Type.Literal('failure')]);
export type AuditOutcome = Static<typeof AuditOutcome>;

/** One entry of the append-only, hash-chained audit log (docs/audit.md). */
export const AuditEntry = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'Position in the chain, 1, 2, 3 … without gaps' }),
    at: Timestamp,
    actor: Type.Union([AuditActor, Type.Null()]),
    sourceAddress: Type.Union([Type.String({ maxLength: 100 }), Type.Null()]),
    action: Type.String({ minLength: 1, maxLength: 200, description: 'e.g. policy.update; an unmapped route is "<METHOD> <route>"' }),
    target: Type.Union([AuditTarget, Type.Null()]),
    outcome: AuditOutcome,
    errorCode: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    before: Type.Unknown({ description: 'The target before the request (secrets removed), or null' }),
    after: Type.Unknown({ description: 'The target after the request (secrets removed), or null' }),
    prevHash: Sha256Hex,
    hash: Sha256Hex,
  },
  { additionalProperties: false, $id: 'urn:attache:audit-entry', title: 'Audit log entry' },
);
export type AuditEntry = Static<typeof AuditEntry>;

/** GET /v1/admin/audit: entries newest first; `nextCursor` when older entries match too. */
export const AuditPage = Type.Object(
  { entries: Type.Array(AuditEntry), nextCursor: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$' })) },
  { additionalProperties: false, $id: 'urn:attache:audit-page', title: 'Audit log page' },
);
export type AuditPage = Static<typeof AuditPage>;

/** GET /v1/admin/audit/verify: the chain walked from its first entry. */
export const AuditVerification = Type.Object(
  {
    ok: Type.Boolean(),
    entries: Type.Integer({ minimum: 0, description: 'Entries walked' }),
    firstBrokenSeq: Type.Optional(Type.Integer({ minimum: 1, description: 'The first entry whose hash, link or position is wrong' })),
    problem: Type.Optional(Type.String({ description: 'What is wrong at firstBrokenSeq' })),
    headSeq: Type.Optional(Type.Integer({ minimum: 1 })),
    headHash: Type.Optional(Sha256Hex),
  },
  { additionalProperties: false, $id: 'urn:attache:audit-verification', title: 'Audit chain verification' },
);
export type AuditVerification = Static<typeof AuditVerification>;

/** Query of GET /v1/admin/audit and /v1/admin/audit/export (every filter optional, all combined with AND). */
export const AuditQuery = Type.Object(
  {
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Admin id or username' })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Exact action, or a prefix ending in "." (policy.)' })),
    targetType: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    cursor: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$' })),
    format: Type.Optional(Type.Union([Type.Literal('jsonl'), Type.Literal('csv')])),
  },
  { additionalProperties: false, $id: 'urn:attache:audit-query', title: 'Audit log query' },
);
export type AuditQuery = Static<typeof AuditQuery>;
