// Policy trust: a policy is used only if its signature verifies with the pinned key, it is for our tenant,
// and it passes the schema and the settings catalog. One bad policy rejects the whole set: applying part of
// what the admin assigned could leave the device in a state nobody chose.
import { canonicalJson } from '../../../common/canonical-json.js';
import { AttacheError, type ErrorCode, toAttacheError } from '../../../common/errors.js';
import { publicKeyFromRaw, verifyBytes } from '../../../common/signing.js';
import { validate, validatePolicySettings } from '../../../common/validation.js';
import { type PolicyPayload, type PolicySigningKey, SignedPolicy } from '../../../policy-schemas/src/index.js';

/** What a device trusts, from its onboarding package. */
export interface PolicyTrust {
  readonly tenantId: string;
  readonly signingKey: PolicySigningKey;
}

/** A policy refused by the device (signature, schema, tenant, catalog, downgrade), naming it when it can. */
export class PolicyRejectedError extends AttacheError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly policy: { readonly policyId?: string; readonly version?: number } = {},
    options: { cause?: unknown; details?: AttacheError['details'] } = {},
  ) {
    super(code, message, options);
  }
}

/** Policy id and version of a possibly malformed signed policy, for the rejection event. */
function claimedIdentity(item: unknown): { policyId?: string; version?: number } {
  const payload = (item as { payload?: { policyId?: unknown; version?: unknown } } | null)?.payload;
  const policyId = typeof payload?.policyId === 'string' && /^[0-9a-f-]{36}$/i.test(payload.policyId) ? payload.policyId : undefined;
  const version = Number.isInteger(payload?.version) && (payload?.version as number) >= 1 ? (payload?.version as number) : undefined;
  return { ...(policyId ? { policyId } : {}), ...(version ? { version } : {}) };
}

/** Verifies every signed policy and returns their payloads; throws the first problem as a PolicyRejectedError. */
export function verifyPolicies(signed: readonly unknown[], trust: PolicyTrust): PolicyPayload[] {
  const key = publicKeyFromRaw(trust.signingKey.publicKey);
  const seen = new Set<string>();
  return signed.map((item, index) => {
    try {
      return verifyOne(item, index, key, trust, seen);
    } catch (err) {
      if (err instanceof PolicyRejectedError) throw err;
      const e = toAttacheError(err);
      throw new PolicyRejectedError(e.code, e.message, claimedIdentity(item), { cause: err, details: e.details });
    }
  });
}

function verifyOne(item: unknown, index: number, key: ReturnType<typeof publicKeyFromRaw>, trust: PolicyTrust, seen: Set<string>): PolicyPayload {
  const policy = validate(SignedPolicy, item, `policy #${index}`);
  const { payload } = policy;
  const label = `policy "${payload.name}" (${payload.policyId} v${payload.version})`;
  if (policy.keyId !== trust.signingKey.keyId || !verifyBytes(key, canonicalJson(payload), policy.signature)) {
    throw new AttacheError('POLICY_SIGNATURE_INVALID', `${label}: signature does not verify with the pinned policy-signing key ${trust.signingKey.keyId}`);
  }
  if (payload.tenantId !== trust.tenantId) {
    throw new AttacheError('POLICY_TENANT_MISMATCH', `${label}: issued for tenant ${payload.tenantId}, this device belongs to ${trust.tenantId}`);
  }
  if (seen.has(payload.policyId)) throw new AttacheError('SCHEMA_INVALID', `${label}: policy delivered twice`);
  seen.add(payload.policyId);
  validatePolicySettings(payload, label);
  return payload;
}
