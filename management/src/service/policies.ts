// Policy authoring: validate a document against the schema and the settings catalog, sign each immutable version,
// and nudge the devices that receive it.
import { randomUUID } from 'node:crypto';
import type { TSchema } from '@sinclair/typebox';
import { canonicalJson } from '../../../common/canonical-json.js';
import { isoNow } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import { signBytes } from '../../../common/signing.js';
import { validate, validatePolicySettings, validateSettingLimits } from '../../../common/validation.js';
import {
  PolicyDocument,
  type PolicyList,
  type PolicyPayload,
  PolicyRequest,
  type PolicySource,
  type PolicySummary,
  type SignedPolicy,
} from '../../../policy-schemas/src/index.js';
import type { PolicySigningKeys } from '../pki/endpoint-identity.js';
import type { PolicyRecord, PolicyWriteGuard } from '../store/store.js';
import type { ServiceContext } from './context.js';
import { checkIndicatorLimit } from './indicator-limit.js';
import { nudgeAffected } from './membership.js';

/** Validates `data` against `schema`; a shape error that lies entirely inside `settings` is POLICY_INVALID. */
function checkShape<T>(schema: TSchema, data: unknown, what: string): T {
  try {
    return validate(schema, data, what) as T;
  } catch (err) {
    if (err instanceof AttacheError && err.details.length > 0 && err.details.every((d) => d.path.startsWith('/settings/'))) {
      throw new AttacheError('POLICY_INVALID', err.message, { details: err.details });
    }
    throw err;
  }
}

/**
 * Checks a policy document: its shape (SCHEMA_INVALID), then its settings against the catalog (POLICY_INVALID, the
 * path names the setting). A shape error that lies entirely inside `settings` is a settings problem too.
 */
export function parsePolicyDocument(data: unknown, what = 'policy'): PolicyDocument {
  const doc = checkShape<PolicyDocument>(PolicyDocument, data, what);
  validatePolicySettings(doc, what);
  validateSettingLimits(doc, what);
  return doc;
}

/** A create/update request (PolicyRequest): the document, and `source` when an import says where it came from. */
export function parsePolicyRequest(data: unknown): { doc: PolicyDocument; source?: PolicySource } {
  const { source, ...doc } = checkShape<PolicyRequest>(PolicyRequest, data, 'policy');
  validatePolicySettings(doc, 'policy');
  return source ? { doc, source } : { doc };
}

/** Signs a payload: Ed25519 over its canonical JSON with the policy-signing key. */
export function signPolicy(payload: PolicyPayload, keys: PolicySigningKeys): SignedPolicy {
  return { payload, keyId: keys.keyId, signature: signBytes(keys.privateKey, canonicalJson(payload)) };
}

/** The key to sign with now (after switching to an announced key whose time has come). */
async function activeSigningKey(ctx: ServiceContext): Promise<PolicySigningKeys> {
  await ctx.signingKeys.advance(ctx.clock.now());
  return ctx.signingKeys.active();
}

/** The admin view of a policy: its latest version. */
export function policySummary(record: PolicyRecord): PolicySummary {
  const p = record.latest.payload;
  return {
    policyId: p.policyId,
    name: p.name,
    kind: p.kind,
    ...(p.description === undefined ? {} : { description: p.description }),
    ...(record.source ? { source: record.source } : {}),
    latestVersion: p.version,
    createdAt: record.createdAt,
    updatedAt: p.createdAt,
    settings: p.settings,
  };
}

function buildPayload(ctx: ServiceContext, policyId: string, version: number, doc: PolicyDocument): PolicyPayload {
  return {
    policyId,
    version,
    tenantId: ctx.identity.tenantId,
    name: doc.name,
    kind: doc.kind,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    settings: doc.settings,
    createdAt: isoNow(ctx.clock),
  };
}

/**
 * The tenant-wide indicator limit (indicator-limit.ts) against the latest version of every stored indicator policy, as
 * a guard the store runs inside the write's transaction: two concurrent writes (or replicas) cannot both pass it.
 */
function tenantLimits(ctx: ServiceContext, doc: PolicyDocument, policyId?: string): PolicyWriteGuard | undefined {
  if (doc.kind !== 'indicators') return undefined;
  return {
    kind: 'indicators',
    check: ({ policies, problems }) => {
      const stored = policies.map((p) => ({ policyId: p.policyId, kind: p.latest.payload.kind, settings: p.latest.payload.settings }));
      // A problem names the version as `<policyId>@<version>` (sql-policies.ts versionRef).
      const corrupt = problems.map((p) => p.id.slice(0, p.id.lastIndexOf('@')));
      checkIndicatorLimit(doc, stored, ctx.clock.now(), policyId, corrupt);
    },
  };
}

/** Creates a policy (version 1) from an unvalidated document. */
export async function createPolicy(ctx: ServiceContext, body: unknown): Promise<PolicySummary> {
  const { doc, source } = parsePolicyRequest(body);
  const signed = signPolicy(buildPayload(ctx, randomUUID(), 1, doc), await activeSigningKey(ctx));
  await ctx.store.createPolicy(signed, source, tenantLimits(ctx, doc));
  ctx.logger.info('policy created', { component: 'policies', policyId: signed.payload.policyId, kind: doc.kind });
  return policySummary({ policyId: signed.payload.policyId, createdAt: signed.payload.createdAt, latest: signed, ...(source ? { source } : {}) });
}

/**
 * Issues the next version of a policy (the kind cannot change) and nudges every connected device that receives it.
 * Reads only the policy row, never the latest version: this is also how a policy whose stored version is corrupt is repaired.
 */
export async function updatePolicy(ctx: ServiceContext, policyId: string, body: unknown): Promise<PolicySummary> {
  const { doc, source } = parsePolicyRequest(body);
  const current = await ctx.store.getPolicyHead(policyId);
  if (!current) throw new AttacheError('NOT_FOUND', `policy ${policyId} does not exist`);
  if (doc.kind !== current.kind) {
    throw new AttacheError('CONFLICT', `policy ${policyId} is a ${current.kind} policy; its kind cannot change to ${doc.kind}`);
  }
  const signed = signPolicy(buildPayload(ctx, policyId, current.latestVersion + 1, doc), await activeSigningKey(ctx));
  await ctx.store.addPolicyVersion(signed, source, tenantLimits(ctx, doc, policyId));
  const delivered = ctx.hub.nudge(await ctx.store.deviceIdsAssignedPolicy(policyId), 'policy-changed');
  ctx.logger.info('policy updated', { component: 'policies', policyId, version: signed.payload.version, nudged: delivered });
  const kept = source ?? (await ctx.store.getPolicy(policyId))?.source;
  return policySummary({ policyId, createdAt: current.createdAt, latest: signed, ...(kept ? { source: kept } : {}) });
}

/** The admin list of policies; a policy whose latest stored version is corrupt is left out and named in `problems`. */
export async function listPolicies(ctx: ServiceContext): Promise<PolicyList> {
  const { policies, problems } = await ctx.store.listPolicies();
  if (problems.length > 0) ctx.logger.warn('corrupt policies skipped', { component: 'policies', problems: problems.map((p) => p.id) });
  return { policies: policies.map(policySummary), problems };
}

/** Deletes a policy: its assignments go, its versions stay for history; devices that lose it are nudged. */
export async function deletePolicy(ctx: ServiceContext, policyId: string): Promise<void> {
  const nudged = await nudgeAffected(ctx, await ctx.store.deviceIdsAssignedPolicy(policyId), 'assignment-changed', async () => {
    if (!(await ctx.store.deletePolicy(policyId, isoNow(ctx.clock)))) throw new AttacheError('NOT_FOUND', `policy ${policyId} does not exist`);
    return undefined;
  });
  ctx.logger.info('policy deleted', { component: 'policies', policyId, nudged });
}
