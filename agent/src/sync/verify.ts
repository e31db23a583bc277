// Policy trust: a policy is used only if its signature verifies with the pinned key, it is for our tenant,
// and it passes the schema and the settings catalog. One bad policy rejects the whole fetched set: applying part of
// what the admin assigned could leave the device in a state nobody chose. The cached set was accepted when fetched:
// its values are checked per setting at apply, so a catalog an agent upgrade narrowed refuses only those settings.
import { canonicalJson } from '../../../common/canonical-json.js';
import { AttacheError, type ErrorCode, toAttacheError } from '../../../common/errors.js';
import { pinnedPublicKey, verifyBytes } from '../../../common/signing.js';
import { validate, validatePolicySettings } from '../../../common/validation.js';
import { type PolicyPayload, type PolicySetManifest, type PolicySigningKey, SignedPolicy, SignedPolicySetManifest } from '../../../policy-schemas/src/index.js';
import { checkSetFloor, manifestMismatch, type SetFloor } from '../core/set-floor.js';

/** What a device trusts: its tenant and the policy-signing keys usable now (the onboarding pin, then the key chain). */
export interface PolicyTrust {
  readonly tenantId: string;
  readonly signingKeys: readonly PolicySigningKey[];
}

/** True when `signature` over `payload` verifies with the pinned key named `keyId` (policies, manifests, suppression lists). */
export function verifiesWithPin(trust: PolicyTrust, keyId: string, payload: unknown, signature: string, label: string): boolean {
  const pin = trust.signingKeys.find((k) => k.keyId === keyId);
  return pin !== undefined && verifyBytes(pinnedPublicKey(pin.publicKey), signedBytes(payload, label), signature);
}

/**
 * The signature check core/action-verify.ts takes for a response action: `unknownKey` when no pinned key has the id
 * (the caller follows the endpoint's key chain with a sync, then checks once more), else whether it verifies.
 */
export function pinnedSignatureCheck(
  trust: PolicyTrust,
  label: string,
): (keyId: string, payload: unknown, signature: string) => 'valid' | 'invalid' | 'unknownKey' {
  return (keyId, payload, signature) => {
    if (!trust.signingKeys.some((k) => k.keyId === keyId)) return 'unknownKey';
    return verifiesWithPin(trust, keyId, payload, signature, label) ? 'valid' : 'invalid';
  };
}

const pinnedIds = (trust: PolicyTrust) => trust.signingKeys.map((k) => k.keyId).join(', ');

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

/**
 * The canonical JSON a signature covers. A payload canonical JSON refuses (1e999 parses to Infinity inside a free-form
 * rule object) was never signed by the endpoint: SCHEMA_INVALID, not an INTERNAL TypeError.
 */
function signedBytes(payload: unknown, label: string): string {
  try {
    return canonicalJson(payload);
  } catch (err) {
    throw new AttacheError('SCHEMA_INVALID', `${label}: not signable JSON (${(err as Error).message})`);
  }
}

/**
 * Where a policy's setting values are checked against this agent's catalog: `verify` (a fetched set: one refused
 * value rejects the set) or `apply` (the cached set, accepted when it was fetched: sync/apply.ts refuses a value this
 * catalog no longer accepts for that setting only, keeping what the device has).
 */
export type ValueCheck = 'verify' | 'apply';

/** Verifies every signed policy and returns their payloads; throws the first problem as a PolicyRejectedError. */
export function verifyPolicies(signed: readonly unknown[], trust: PolicyTrust, values: ValueCheck = 'verify'): PolicyPayload[] {
  const seen = new Set<string>();
  return signed.map((item, index) => {
    try {
      return verifyOne(item, index, trust, seen, values);
    } catch (err) {
      if (err instanceof PolicyRejectedError) throw err;
      const e = toAttacheError(err);
      throw new PolicyRejectedError(e.code, e.message, claimedIdentity(item), { cause: err, details: e.details });
    }
  });
}

function verifyOne(item: unknown, index: number, trust: PolicyTrust, seen: Set<string>, values: ValueCheck): PolicyPayload {
  const policy = validate(SignedPolicy, item, `policy #${index}`);
  const { payload } = policy;
  const label = `policy "${payload.name}" (${payload.policyId} v${payload.version})`;
  if (!verifiesWithPin(trust, policy.keyId, payload, policy.signature, label)) {
    throw new AttacheError('POLICY_SIGNATURE_INVALID', `${label}: signature does not verify with a pinned policy-signing key (${pinnedIds(trust)})`);
  }
  if (payload.tenantId !== trust.tenantId) {
    throw new AttacheError('POLICY_TENANT_MISMATCH', `${label}: issued for tenant ${payload.tenantId}, this device belongs to ${trust.tenantId}`);
  }
  if (seen.has(payload.policyId)) throw new AttacheError('SCHEMA_INVALID', `${label}: policy delivered twice`);
  seen.add(payload.policyId);
  if (values === 'verify') validatePolicySettings(payload, label);
  return payload;
}

/**
 * Verifies the signed manifest of a fetched set against the pinned key, this device and tenant, the policies actually
 * delivered (exactly the listed ids and versions, nothing withheld or added) and the applied set's floor (no replayed
 * or forged list). Throws a PolicyRejectedError; returns the manifest payload.
 */
export function verifyManifest(
  signed: unknown,
  delivered: readonly PolicyPayload[],
  expect: PolicyTrust & { readonly deviceId: string },
  floor: SetFloor | undefined,
): PolicySetManifest {
  let manifest: SignedPolicySetManifest;
  try {
    manifest = validate(SignedPolicySetManifest, signed, 'policy set manifest');
  } catch (err) {
    const e = toAttacheError(err);
    throw new PolicyRejectedError('POLICY_SET_INVALID', e.message, {}, { cause: err, details: e.details });
  }
  const { payload } = manifest;
  const label = `policy set manifest v${payload.setVersion}`;
  const reject = (code: ErrorCode, message: string) => new PolicyRejectedError(code, `${label}: ${message}`);
  if (!verifiesWithPin(expect, manifest.keyId, payload, manifest.signature, label)) {
    throw reject('POLICY_SET_INVALID', `signature does not verify with a pinned policy-signing key (${pinnedIds(expect)})`);
  }
  if (payload.tenantId !== expect.tenantId)
    throw reject('POLICY_SET_INVALID', `issued for tenant ${payload.tenantId}, this device belongs to ${expect.tenantId}`);
  if (payload.deviceId !== expect.deviceId) throw reject('POLICY_SET_INVALID', `issued for device ${payload.deviceId}, this device is ${expect.deviceId}`);
  const { missing, unexpected } = manifestMismatch(
    payload.policies,
    delivered.map((p) => ({ policyId: p.policyId, version: p.version })),
  );
  if (missing.length > 0 || unexpected.length > 0) {
    const list = (entries: typeof missing) => entries.map((e) => `${e.policyId} v${e.version}`).join(', ');
    const parts = [
      missing.length > 0 ? `lists ${list(missing)} but the response does not carry it` : '',
      unexpected.length > 0 ? `does not list ${list(unexpected)}` : '',
    ];
    throw reject('POLICY_SET_INVALID', `${parts.filter(Boolean).join('; ')} (a policy withheld or added on the way)`);
  }
  const problem = checkSetFloor(payload, floor);
  if (problem?.kind === 'downgrade')
    throw reject('POLICY_SET_DOWNGRADE', `older than set v${problem.applied} already applied on this device (a replayed list)`);
  if (problem?.kind === 'equivocation') throw reject('POLICY_SET_INVALID', 'lists other policies than the set of the same version already applied');
  return payload;
}
