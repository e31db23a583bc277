// The trust a response action is checked against (core/action-verify.ts): this device's tenant and id, and the
// policy-signing keys pinned now (the onboarding pin, then the followed key chain: signing-keys.json), as for policies.
import { validate } from '../../../common/validation.js';
import { type AgentIdentity, type PinnedSigningKey, SignedAction } from '../../../policy-schemas/src/index.js';
import { type ActionTrustCheck, type ActionVerdict, verifyDeliveredAction } from '../core/action-verify.js';
import type { StateStore } from '../state/state-store.js';
import { pinnedSignatureCheck } from './verify.js';

/** Reads the pinned keys afresh on every call: a sync that followed the key chain is seen by the next check. */
export async function actionTrustCheck(deps: {
  readonly store: Pick<StateStore, 'readSigningKeys'>;
  readonly identity: AgentIdentity;
  readonly now: () => number;
}): Promise<ActionTrustCheck> {
  const pins: PinnedSigningKey[] = (await deps.store.readSigningKeys()) ?? [deps.identity.policySigningKey];
  const trust = { tenantId: deps.identity.tenantId, signingKeys: pins.map((p) => ({ keyId: p.keyId, publicKey: p.publicKey })) };
  return {
    tenantId: deps.identity.tenantId,
    deviceId: deps.identity.deviceId,
    nowMs: deps.now(),
    timeMs: (iso) => Date.parse(iso),
    parse: (item) => validate(SignedAction, item, 'action', 'ACTION_INVALID'),
    signature: pinnedSignatureCheck(trust, 'response action'),
  };
}

/** The executor's verify: each envelope against the trust read at that moment. */
export function actionVerifier(deps: Parameters<typeof actionTrustCheck>[0]): (item: unknown) => Promise<ActionVerdict> {
  return async (item) => verifyDeliveredAction(item, await actionTrustCheck(deps));
}
