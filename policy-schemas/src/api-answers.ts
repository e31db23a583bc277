// Answers of the admin and operations API that had no schema of their own (lists, the sync request, /healthz, /readyz),
// so the OpenAPI document (management/src/http/openapi/) describes every answer from a schema, as it does every request.
import { type Static, Type } from '@sinclair/typebox';
import { Assignment, Device, StoreProblem } from './admin-api.js';
import { AccessToken, ComplianceAssignment, CompliancePolicy } from './compliance-api.js';

/** GET /v1/admin/devices: every readable device, and the devices whose stored row is corrupt. */
export const DeviceList = Type.Object(
  { devices: Type.Array(Device), problems: Type.Array(StoreProblem) },
  { additionalProperties: false, $id: 'urn:attache:device-list', title: 'Device list' },
);
export type DeviceList = Static<typeof DeviceList>;

/** GET /v1/admin/assignments. */
export const AssignmentList = Type.Object(
  { assignments: Type.Array(Assignment) },
  { additionalProperties: false, $id: 'urn:attache:assignment-list', title: 'Assignment list' },
);
export type AssignmentList = Static<typeof AssignmentList>;

/** GET /v1/admin/compliance-policies: every readable compliance policy, and those whose stored row is corrupt. */
export const CompliancePolicyList = Type.Object(
  { compliancePolicies: Type.Array(CompliancePolicy), problems: Type.Array(StoreProblem) },
  { additionalProperties: false, $id: 'urn:attache:compliance-policy-list', title: 'Compliance policy list' },
);
export type CompliancePolicyList = Static<typeof CompliancePolicyList>;

/** GET /v1/admin/compliance-assignments. */
export const ComplianceAssignmentList = Type.Object(
  { assignments: Type.Array(ComplianceAssignment) },
  { additionalProperties: false, $id: 'urn:attache:compliance-assignment-list', title: 'Compliance assignment list' },
);
export type ComplianceAssignmentList = Static<typeof ComplianceAssignmentList>;

/** GET /v1/admin/access-tokens: never the tokens themselves. */
export const AccessTokenList = Type.Object(
  { accessTokens: Type.Array(AccessToken) },
  { additionalProperties: false, $id: 'urn:attache:access-token-list', title: 'Access token list' },
);
export type AccessTokenList = Static<typeof AccessTokenList>;

/** POST /v1/admin/devices/:id/sync: whether a connected push socket got the nudge (else the device syncs on its timer). */
export const SyncRequested = Type.Object(
  { delivered: Type.Boolean() },
  { additionalProperties: false, $id: 'urn:attache:sync-requested', title: 'Sync requested' },
);
export type SyncRequested = Static<typeof SyncRequested>;

/** GET /healthz: the process serves (no database access). */
export const HealthzAnswer = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false, $id: 'urn:attache:healthz-answer', title: 'Liveness' });
export type HealthzAnswer = Static<typeof HealthzAnswer>;

/** GET /readyz: 200 `ready`, else 503 with why (the database does not answer, or migrations of this build are pending). */
export const ReadyzAnswer = Type.Union(
  [
    Type.Object({ status: Type.Literal('ready') }, { additionalProperties: false }),
    Type.Object({ status: Type.Literal('not-ready'), reason: Type.Literal('DATABASE_UNAVAILABLE') }, { additionalProperties: false }),
    Type.Object(
      { status: Type.Literal('not-ready'), reason: Type.Literal('MIGRATIONS_PENDING'), pendingMigrations: Type.Array(Type.String()) },
      { additionalProperties: false },
    ),
  ],
  { $id: 'urn:attache:readyz-answer', title: 'Readiness' },
);
export type ReadyzAnswer = Static<typeof ReadyzAnswer>;
