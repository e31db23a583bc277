// The order and wording of the refusals, with the schema and signature checks replaced by fakes (the real ones are
// exercised in sync/action-trust.test.ts): the first problem wins, each refusal carries the claimed id.
import { describe, expect, it } from 'vitest';
import type { SignedAction } from '../../../policy-schemas/src/index.js';
import { ACTION_EXPIRY_SKEW_MS, type ActionTrustCheck, claimedActionId, type SignatureCheck, verifyDeliveredAction } from './action-verify.js';

const ID = '0b0b0b0b-0000-4000-8000-000000000001';
const NOW = 1_000_000_000_000;
const envelope = (payload: Record<string, unknown> = {}) => ({
  payload: { purpose: 'attache-action', actionId: ID, deviceId: 'dev', tenantId: 'ten', type: 'release', parameters: {}, expiresAt: 'T', ...payload },
  keyId: 'k',
  signature: 's',
});

function check(sig: SignatureCheck = 'valid', expiresMs = NOW): ActionTrustCheck {
  return {
    tenantId: 'ten',
    deviceId: 'dev',
    nowMs: NOW,
    timeMs: () => expiresMs,
    parse: (item) => {
      if ((item as { keyId?: unknown }).keyId !== 'k') throw new Error('keyId: required');
      return item as SignedAction;
    },
    signature: () => sig,
  };
}

describe('verifyDeliveredAction (pure)', () => {
  it('names the claimed id only when it is a well-formed UUID', () => {
    expect(claimedActionId(envelope())).toBe(ID);
    expect(claimedActionId({ payload: { actionId: 'x' } })).toBeUndefined();
    expect(claimedActionId(null)).toBeUndefined();
  });

  it('checks schema, then signature, then tenant, then device, then expiry', () => {
    expect(verifyDeliveredAction({ payload: { actionId: ID } }, check())).toMatchObject({ ok: false, code: 'ACTION_INVALID', actionId: ID });
    expect(verifyDeliveredAction(envelope({ tenantId: 'other' }), check('invalid'))).toMatchObject({ code: 'ACTION_SIGNATURE_INVALID' });
    expect(verifyDeliveredAction(envelope(), check('unknownKey'))).toMatchObject({ code: 'ACTION_SIGNATURE_INVALID', unknownKey: true });
    expect(verifyDeliveredAction(envelope({ tenantId: 'other', deviceId: 'other' }), check())).toMatchObject({ code: 'ACTION_DEVICE_MISMATCH' });
    expect(verifyDeliveredAction(envelope({ deviceId: 'other' }), check())).toMatchObject({
      code: 'ACTION_DEVICE_MISMATCH',
      message: expect.stringContaining('device other'),
    });
    expect(verifyDeliveredAction(envelope(), check('valid', NOW - ACTION_EXPIRY_SKEW_MS))).toMatchObject({ code: 'ACTION_EXPIRED' });
    expect(verifyDeliveredAction(envelope(), check('valid', NOW - ACTION_EXPIRY_SKEW_MS + 1))).toMatchObject({ ok: true });
  });
});
