// The signed suppression list a device gets with its policies (issue 17 §5): the unexpired suppression rules that
// reach the device (its own and the organization's), signed with the policy-signing key over canonical JSON like a
// set manifest, so the agent stops counting those findings too. Signed once per content and key, then kept; sent empty
// too, so the agent's replay floor moves when the last rule goes.
import { canonicalJson } from '../../../common/canonical-json.js';
import { sha256Hex, signBytes } from '../../../common/signing.js';
import type { DeviceSuppression, SignedSuppressionList, SuppressionRule } from '../../../policy-schemas/src/index.js';
import { carriedSuppressionRules } from './compliance/triage.js';

/**
 * What a device's list carries at `nowIso` (carriedSuppressionRules: its own rules first, never cut at random), by
 * rule id.
 */
export function deviceSuppressions(deviceId: string, rules: readonly SuppressionRule[], nowIso: string): DeviceSuppression[] {
  return carriedSuppressionRules(deviceId, rules, nowIso)
    .rules.sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0))
    .map((r) => ({ ruleId: r.ruleId, alertId: r.alertId, ...(r.expiresAt !== null ? { expiresAt: r.expiresAt } : {}) }));
}

/** A device's rules and the list last signed from them. */
export interface CachedSuppressions {
  readonly rules: readonly SuppressionRule[];
  signed?: { readonly keyId: string; readonly digest: string; readonly list: SignedSuppressionList };
}

/**
 * The signed list for the device now, empty when no rule is in force, and its digest for the etag ('' when empty: the
 * etag of before issue 17). Re-signed only when its content or the signing key changed; `issuedAt` is when it was
 * signed. The empty list is sent too: its issuedAt raises the agent's floor, so an older list (with a suppression
 * deleted since) replayed later is refused (review 17a #8).
 */
export function signedSuppressions(
  cached: CachedSuppressions,
  device: { readonly deviceId: string; readonly tenantId: string },
  keys: { readonly keyId: string; readonly privateKey: Parameters<typeof signBytes>[0] },
  now: { readonly ms: number; readonly iso: string },
): { list: SignedSuppressionList; digest: string } {
  const suppressions = deviceSuppressions(device.deviceId, cached.rules, now.iso);
  const digest = sha256Hex(canonicalJson(suppressions));
  if (cached.signed?.keyId !== keys.keyId || cached.signed.digest !== digest) {
    const payload = { purpose: 'attache-suppressions' as const, deviceId: device.deviceId, tenantId: device.tenantId, issuedAt: now.iso, suppressions };
    cached.signed = { keyId: keys.keyId, digest, list: { payload, keyId: keys.keyId, signature: signBytes(keys.privateKey, canonicalJson(payload)) } };
  }
  return { list: cached.signed.list, digest: suppressions.length === 0 ? '' : digest };
}
