// The policy-signing keys a device trusts, and how it follows the endpoint's key chain: a new key is pinned only from
// an announcement signed by a key already pinned (old signs new), so a device offline for a whole overlap catches up.
import { canonicalJson } from '../../../common/canonical-json.js';
import { pinnedPublicKey, verifyBytes } from '../../../common/signing.js';
import { validate } from '../../../common/validation.js';
import { type PinnedSigningKey, type PolicySigningKey, SignedSigningKeyAnnouncement } from '../../../policy-schemas/src/index.js';

/** Result of following a chain: the pins now and whether they differ from before (to persist). */
export interface FollowedChain {
  readonly pins: PinnedSigningKey[];
  readonly changed: boolean;
  /** Announcements skipped, with why (logged; a skipped one never adds a key). */
  readonly skipped: string[];
}

/** Keys usable at `nowMs`: those without an end, or whose overlap has not ended. The newest key is always kept. */
export function usablePins(pins: readonly PinnedSigningKey[], nowMs: number): PolicySigningKey[] {
  const usable = pins.filter((p, i) => p.notAfter === undefined || Date.parse(p.notAfter) > nowMs || i === pins.length - 1);
  return usable.map((p) => ({ keyId: p.keyId, publicKey: p.publicKey }));
}

/**
 * Walks the announcement chain (oldest first): each announcement whose new key is not pinned yet is accepted when it is
 * for our tenant and verifies with a pinned key that is still usable; the signing key then ends at `overlapUntil`.
 * Keys past their overlap are dropped from the result.
 */
export function followSigningKeyChain(pins: readonly PinnedSigningKey[], chain: readonly unknown[], tenantId: string, nowMs: number): FollowedChain {
  let current = [...pins];
  const skipped: string[] = [];
  let changed = false;
  for (const [index, item] of chain.entries()) {
    let announcement: SignedSigningKeyAnnouncement;
    try {
      announcement = validate(SignedSigningKeyAnnouncement, item, `signing key announcement #${index}`);
    } catch (err) {
      skipped.push((err as Error).message);
      continue;
    }
    const { payload } = announcement;
    if (current.some((p) => p.keyId === payload.newKeyId)) continue;
    const signer = usablePins(current, nowMs).find((p) => p.keyId === announcement.keyId && p.keyId === payload.previousKeyId);
    const label = `announcement of key ${payload.newKeyId}`;
    if (!signer) {
      skipped.push(`${label}: signed by ${announcement.keyId}, which this device does not trust`);
      continue;
    }
    if (payload.tenantId !== tenantId) {
      skipped.push(`${label}: for tenant ${payload.tenantId}, this device belongs to ${tenantId}`);
      continue;
    }
    if (!verifyBytes(pinnedPublicKey(signer.publicKey), canonicalJson(payload), announcement.signature)) {
      skipped.push(`${label}: signature does not verify with key ${signer.keyId}`);
      continue;
    }
    current = current.map((p) => (p.keyId === signer.keyId ? { ...p, notAfter: payload.overlapUntil } : p));
    current.push({ keyId: payload.newKeyId, publicKey: payload.newPublicKey });
    changed = true;
  }
  const kept = current.filter((p, i) => p.notAfter === undefined || Date.parse(p.notAfter) > nowMs || i === current.length - 1);
  return { pins: kept, changed: changed || kept.length !== current.length, skipped };
}
