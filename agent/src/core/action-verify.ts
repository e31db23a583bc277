// Whether this device may run a delivered response action (issue 17): the envelope's schema, a signature by a pinned
// policy-signing key over canonicalJson(payload), our tenant, our device, not expired. Pure: the schema check and the
// signature check are passed in (common/validation.ts, sync/verify.ts's verifiesWithPin), the time is a number.
import type { ErrorCode } from '../../../common/errors.js';
import type { ActionPayload, SignedAction } from '../../../policy-schemas/src/index.js';

/** How far in the past an envelope's expiresAt may be and still run (clock difference between endpoint and device). */
export const ACTION_EXPIRY_SKEW_MS = 300_000;

/** A signature check's answer: `unknownKey` when no pinned key has that id (the caller refreshes its key chain once). */
export type SignatureCheck = 'valid' | 'invalid' | 'unknownKey';

export interface ActionTrustCheck {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly nowMs: number;
  /** Epoch ms of an RFC 3339 time (the core reads no clock and parses no dates itself). */
  timeMs(iso: string): number;
  /** Checks the envelope against SignedAction; throws an AttacheError naming the bad field. */
  parse(item: unknown): SignedAction;
  /** Ed25519 over canonicalJson(payload) with the pinned policy-signing key `keyId`. */
  signature(keyId: string, payload: unknown, signature: string): SignatureCheck;
}

/** A refusal: the code and message go into the action's `failed` update (when its id could be read). */
export interface ActionRefusal {
  readonly ok: false;
  /** The action id the envelope claims, when it is a well-formed one (else nothing can be reported). */
  readonly actionId: string | undefined;
  readonly code: ErrorCode;
  readonly message: string;
  /** The key id is not pinned: refresh the key chain (a sync) and verify once more before refusing for good. */
  readonly unknownKey?: true;
}

export type ActionVerdict = { readonly ok: true; readonly action: ActionPayload } | ActionRefusal;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The action id an envelope claims, if it is well formed (a refusal can only be reported for one). */
export function claimedActionId(item: unknown): string | undefined {
  const id = (item as { payload?: { actionId?: unknown } } | null)?.payload?.actionId;
  return typeof id === 'string' && UUID.test(id) ? id : undefined;
}

/** Checks one delivered envelope; the first problem found is the refusal. */
export function verifyDeliveredAction(item: unknown, check: ActionTrustCheck): ActionVerdict {
  const actionId = claimedActionId(item);
  const refuse = (code: ErrorCode, message: string, extra: { unknownKey?: true } = {}): ActionRefusal => ({
    ok: false,
    actionId,
    code,
    message,
    ...extra,
  });
  let signed: SignedAction;
  try {
    signed = check.parse(item);
  } catch (err) {
    return refuse('ACTION_INVALID', `action ${actionId ?? '(no id)'}: ${(err as Error).message}`);
  }
  const { payload } = signed;
  const label = `${payload.type} action ${payload.actionId}`;
  const sig = check.signature(signed.keyId, payload, signed.signature);
  if (sig === 'unknownKey')
    return refuse('ACTION_SIGNATURE_INVALID', `${label}: signed with key ${signed.keyId}, which this device has not pinned`, { unknownKey: true });
  if (sig === 'invalid') return refuse('ACTION_SIGNATURE_INVALID', `${label}: signature does not verify with pinned key ${signed.keyId}`);
  if (payload.tenantId !== check.tenantId)
    return refuse('ACTION_DEVICE_MISMATCH', `${label}: issued for tenant ${payload.tenantId}, this device belongs to ${check.tenantId}`);
  if (payload.deviceId !== check.deviceId)
    return refuse('ACTION_DEVICE_MISMATCH', `${label}: issued for device ${payload.deviceId}, this device is ${check.deviceId}`);
  const expires = check.timeMs(payload.expiresAt);
  if (!(expires + ACTION_EXPIRY_SKEW_MS > check.nowMs))
    return refuse('ACTION_EXPIRED', `${label}: expired at ${payload.expiresAt} (more than ${ACTION_EXPIRY_SKEW_MS / 1000} s ago)`);
  return { ok: true, action: payload };
}
