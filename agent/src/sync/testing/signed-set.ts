// Test support: the body of a policy fetch as the endpoint builds it (signed policies plus the signed manifest of the
// set), for in-test policy sources that stand in for the endpoint at unit level.
import { canonicalJson } from '../../../../common/canonical-json.js';
import { keyIdOf, privateKeyFromPem, signBytes } from '../../../../common/signing.js';
import type { AgentIdentity, PoliciesResponse, SignedPolicy, SignedPolicySetManifest } from '../../../../policy-schemas/src/index.js';

/** The manifest of `policies` for `identity` at `setVersion`, signed with `privateKeyPem` (the pinned key unless a test forges). */
export function signedManifest(identity: AgentIdentity, setVersion: number, policies: readonly SignedPolicy[], privateKeyPem: string): SignedPolicySetManifest {
  const payload = {
    deviceId: identity.deviceId,
    tenantId: identity.tenantId,
    setVersion,
    issuedAt: '2026-11-22T00:00:00.000Z',
    policies: policies.map((p) => ({ policyId: p.payload.policyId, version: p.payload.version })).sort((a, b) => (a.policyId < b.policyId ? -1 : 1)),
  };
  return { payload, keyId: identity.policySigningKey.keyId, signature: signBytes(privateKeyFromPem(privateKeyPem), canonicalJson(payload)) };
}

/** A whole policies response: etag derived from the set version. */
export function signedSetResponse(identity: AgentIdentity, setVersion: number, policies: readonly SignedPolicy[], privateKeyPem: string): PoliciesResponse {
  return {
    deviceId: identity.deviceId,
    etag: `"${String(setVersion).padStart(64, '0')}"`,
    manifest: signedManifest(identity, setVersion, policies, privateKeyPem),
    policies: [...policies],
  };
}

/** A device identity whose pinned policy-signing key (and device key) is `publicKey`, for unit-level policy sources. */
export function testIdentity(tenantId: string, deviceId: string, publicKey: string): AgentIdentity {
  return {
    formatVersion: 1,
    deviceId,
    tenantId,
    endpointUrl: 'https://127.0.0.1:1',
    caCertificate: 'unused',
    policySigningKey: { keyId: keyIdOf(publicKey), publicKey },
    publicKey,
    enrolledAt: '2026-11-22T00:00:00.000Z',
  };
}
