import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../common/canonical-json.js';
import { generateEd25519KeyPair, keyIdOf, privateKeyFromPem, signBytes } from '../../../common/signing.js';
import type { PolicyPayload, SignedPolicy } from '../../../policy-schemas/src/index.js';
import { verifyPolicies } from './verify.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const keys = generateEd25519KeyPair();
const trust = { tenantId: TENANT, signingKeys: [{ keyId: keyIdOf(keys.publicKey), publicKey: keys.publicKey }] };

function sign(payload: PolicyPayload, pem = keys.privateKeyPem, publicKey = keys.publicKey): SignedPolicy {
  return { payload, keyId: keyIdOf(publicKey), signature: signBytes(privateKeyFromPem(pem), canonicalJson(payload)) };
}

const payload: PolicyPayload = {
  policyId: '22222222-2222-4222-8222-222222222222',
  version: 1,
  tenantId: TENANT,
  name: 'AV',
  kind: 'antivirus',
  settings: { 'defender.AllowRealtimeMonitoring': 1 },
  createdAt: '2026-11-22T00:00:00.000Z',
};

describe('verifyPolicies', () => {
  it('returns the payloads of correctly signed policies', () => {
    expect(verifyPolicies([sign(payload)], trust)).toEqual([payload]);
  });

  it('rejects a payload changed after signing', () => {
    const signed = sign(payload);
    const tampered = { ...signed, payload: { ...payload, settings: { 'defender.AllowRealtimeMonitoring': 0 } } };
    expect(() => verifyPolicies([tampered], trust)).toThrow(expect.objectContaining({ code: 'POLICY_SIGNATURE_INVALID' }));
  });

  it('rejects a policy signed by another key, even one that claims the pinned key id', () => {
    const other = generateEd25519KeyPair();
    const forged = { ...sign(payload, other.privateKeyPem, other.publicKey), keyId: trust.signingKeys[0]?.keyId ?? '' };
    expect(() => verifyPolicies([forged], trust)).toThrow(expect.objectContaining({ code: 'POLICY_SIGNATURE_INVALID' }));
  });

  it('rejects a policy of another tenant', () => {
    const foreign = sign({ ...payload, tenantId: '33333333-3333-4333-8333-333333333333' });
    expect(() => verifyPolicies([foreign], trust)).toThrow(expect.objectContaining({ code: 'POLICY_TENANT_MISMATCH' }));
  });

  it('rejects a correctly signed policy whose settings break the catalog, naming the setting', () => {
    const bad = sign({ ...payload, settings: { 'defender.AllowRealtimeMonitoring': 7 } });
    expect(() => verifyPolicies([bad], trust)).toThrow(
      expect.objectContaining({ code: 'POLICY_INVALID', message: expect.stringContaining('defender.AllowRealtimeMonitoring') }),
    );
  });

  it('rejects the whole set when any one policy is bad, and schema-invalid envelopes', () => {
    const good = sign(payload);
    const bad = { ...sign({ ...payload, policyId: '44444444-4444-4444-8444-444444444444' }), signature: 'x' };
    expect(() => verifyPolicies([good, bad], trust)).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }));
  });
});
