// Following the policy-signing key chain: one step, several steps for a device that was offline, and every way an
// announcement can fail to add a key (unknown signer, wrong tenant, bad signature, malformed), plus overlap expiry.
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../common/canonical-json.js';
import { generateEd25519KeyPair, keyIdOf, privateKeyFromPem, signBytes } from '../../../common/signing.js';
import type { PinnedSigningKey, SignedSigningKeyAnnouncement } from '../../../policy-schemas/src/index.js';
import { followSigningKeyChain, usablePins } from './key-chain.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const T0 = Date.parse('2026-12-01T00:00:00Z');
const HOUR = 3_600_000;
const [a, b, c] = [generateEd25519KeyPair(), generateEd25519KeyPair(), generateEd25519KeyPair()];
const pin = (k: typeof a): PinnedSigningKey => ({ keyId: keyIdOf(k.publicKey), publicKey: k.publicKey });

function announce(signer: typeof a, next: typeof a, at: number, overrides: Record<string, unknown> = {}): SignedSigningKeyAnnouncement {
  const payload = {
    tenantId: TENANT,
    previousKeyId: keyIdOf(signer.publicKey),
    newKeyId: keyIdOf(next.publicKey),
    newPublicKey: next.publicKey,
    validFrom: new Date(at + HOUR).toISOString(),
    overlapUntil: new Date(at + 2 * HOUR).toISOString(),
    announcedAt: new Date(at).toISOString(),
    ...overrides,
  };
  return { payload, keyId: keyIdOf(signer.publicKey), signature: signBytes(privateKeyFromPem(signer.privateKeyPem), canonicalJson(payload)) };
}

describe('followSigningKeyChain', () => {
  it('pins the announced key and ends the old one at overlapUntil', () => {
    const chain = [announce(a, b, T0)];
    const during = followSigningKeyChain([pin(a)], chain, TENANT, T0 + 1000);
    expect(during.changed).toBe(true);
    expect(during.pins).toEqual([{ ...pin(a), notAfter: chain[0]?.payload.overlapUntil }, pin(b)]);
    expect(usablePins(during.pins, T0 + 1000).map((k) => k.keyId)).toEqual([pin(a).keyId, pin(b).keyId]);
    expect(usablePins(during.pins, T0 + 2 * HOUR).map((k) => k.keyId)).toEqual([pin(b).keyId]);
    // Seen again: nothing changes.
    expect(followSigningKeyChain(during.pins, chain, TENANT, T0 + 1000).changed).toBe(false);
  });

  it('lets a device that missed every overlap walk the whole chain from its onboarding pin', () => {
    const chain = [announce(a, b, T0), announce(b, c, T0 + 10 * HOUR)];
    const followed = followSigningKeyChain([pin(a)], chain, TENANT, T0 + 100 * HOUR);
    expect(followed.pins).toEqual([pin(c)]);
    expect(followed.skipped).toEqual([]);
  });

  it('ignores announcements it cannot trust', () => {
    const mallory = generateEd25519KeyPair();
    const byStranger = announce(mallory, c, T0);
    const otherTenant = announce(a, b, T0, { tenantId: '22222222-2222-4222-8222-222222222222' });
    const tampered = { ...announce(a, b, T0), payload: { ...announce(a, b, T0).payload, newPublicKey: mallory.publicKey } };
    const claimed = { ...announce(mallory, b, T0), keyId: pin(a).keyId, payload: { ...announce(mallory, b, T0).payload, previousKeyId: pin(a).keyId } };
    const followed = followSigningKeyChain([pin(a)], [byStranger, otherTenant, tampered, claimed, { nonsense: true }], TENANT, T0);
    expect(followed.changed).toBe(false);
    expect(followed.pins).toEqual([pin(a)]);
    expect(followed.skipped).toHaveLength(5);
    expect(followed.skipped[0]).toMatch(/does not trust/);
    expect(followed.skipped[1]).toMatch(/tenant/);
    expect(followed.skipped[2]).toMatch(/does not verify/);
    expect(followed.skipped[3]).toMatch(/does not verify/);
  });

  it('does not accept an announcement signed by a key whose overlap already ended', () => {
    const pins = [{ ...pin(a), notAfter: new Date(T0).toISOString() }, pin(b)];
    const followed = followSigningKeyChain(pins, [announce(a, c, T0)], TENANT, T0 + HOUR);
    expect(followed.pins).toEqual([pin(b)]);
    expect(followed.skipped[0]).toMatch(/does not trust/);
  });
});
