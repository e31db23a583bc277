// The signed envelope of a response action: made ONCE at create (policy-signing key, Ed25519 over canonicalJson(payload),
// as suppression-list.ts signs) and stored; at delivery an envelope signed by an older key of the ring goes out
// re-signed with the active one (PolicySigningKeyRing.resign), as stored policies do after a key switch.
import { canonicalJson } from '../../../../common/canonical-json.js';
import { signBytes } from '../../../../common/signing.js';
import type { ActionPayload, ActionType, SignedAction } from '../../../../policy-schemas/src/index.js';
import type { PolicySigningKeyRing } from '../../pki/signing-key-ring.js';

/** An action the device has not finished this long after its creation becomes timeOut (Defender retries isolation for three days). */
export const ACTION_TTL_MS = 72 * 60 * 60 * 1000;
/** How often the leader marks expired actions timeOut (they are also checked on every admin read). */
export const ACTION_TIMEOUT_SWEEP_MS = 60_000;
/** Default cap of an investigation package (endpoint config `actions.packageMaxBytes`). */
export const DEFAULT_PACKAGE_MAX_BYTES = 64 * 1024 * 1024;
/** The largest chunk of one package upload request. */
export const PACKAGE_CHUNK_MAX_BYTES = 1024 * 1024;

/** Endpoint configuration of response actions. */
export interface ActionSettings {
  /** Cap of an investigation package, sent to the device as parameters.maxBytes. */
  readonly packageMaxBytes: number;
}

/** One pending or inProgress action per device and family: isolate and release share `isolation`; updateSoftware is `software`. */
export function familyOf(type: ActionType): string {
  if (type === 'isolate' || type === 'release') return 'isolation';
  return type === 'updateSoftware' ? 'software' : type;
}

/** Signs `payload` with the ring's active key. */
export function signAction(payload: ActionPayload, ring: Pick<PolicySigningKeyRing, 'active'>): SignedAction {
  const keys = ring.active();
  return { payload, keyId: keys.keyId, signature: signBytes(keys.privateKey, canonicalJson(payload)) };
}

/** The envelope as it goes out now: re-signed when the key that signed it is no longer the active one. */
export function currentEnvelope(envelope: SignedAction, ring: Pick<PolicySigningKeyRing, 'resign'>): SignedAction {
  return ring.resign(envelope);
}
