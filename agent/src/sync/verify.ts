// Policy trust: a policy is used only if its signature verifies with the pinned key, it is for our tenant,
// and it passes the schema and the settings catalog. One bad policy rejects the whole set: applying part of
// what the admin assigned could leave the device in a state nobody chose.
import { canonicalJson } from '../../../common/canonical-json.js';
import { AttacheError } from '../../../common/errors.js';
import { publicKeyFromRaw, verifyBytes } from '../../../common/signing.js';
import { validate, validatePolicySettings } from '../../../common/validation.js';
import { type PolicyPayload, type PolicySigningKey, SignedPolicy } from '../../../policy-schemas/src/index.js';

/** What a device trusts, from its onboarding package. */
export interface PolicyTrust {
  readonly tenantId: string;
  readonly signingKey: PolicySigningKey;
}

/** Verifies every signed policy and returns their payloads; throws the first problem as an AttacheError. */
export function verifyPolicies(signed: readonly unknown[], trust: PolicyTrust): PolicyPayload[] {
  const key = publicKeyFromRaw(trust.signingKey.publicKey);
  const seen = new Set<string>();
  return signed.map((item, index) => {
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
  });
}
