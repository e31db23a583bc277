// A delivered response action, checked with real signatures against the pinned keys (core/action-verify.ts over
// sync/action-trust.ts): it runs only when well formed, signed by a pinned policy key, for this tenant and device and
// not expired (300 s skew); each refusal names its code and what is wrong.
import { describe, expect, it } from 'vitest';
import * as signing from '../../../common/signing.js';
import { signedAction, TEST_DEVICE, TEST_NOW, TEST_TENANT, testKeys } from '../actions/executor/testing/signed-action.js';
import { ACTION_EXPIRY_SKEW_MS, type ActionVerdict, verifyDeliveredAction } from '../core/action-verify.js';
import { StateStore } from '../state/state-store.js';
import { MemoryFileStore } from '../system/file-store.js';
import { actionTrustCheck } from './action-trust.js';
import { testIdentity } from './testing/signed-set.js';

async function check(item: unknown, now = TEST_NOW): Promise<ActionVerdict> {
  const store = new StateStore('/state', { posixPermissions: false, files: new MemoryFileStore() });
  const identity = testIdentity(TEST_TENANT, TEST_DEVICE, testKeys.publicKey);
  return verifyDeliveredAction(item, await actionTrustCheck({ store, identity, now: () => now }));
}

const refusal = (v: ActionVerdict) => {
  if (v.ok) throw new Error('expected a refusal');
  return v;
};

describe('verifyDeliveredAction with the pinned keys', () => {
  it('accepts a signed action for this device and returns its payload', async () => {
    const action = signedAction('runAntivirusScan', { scanType: 'quick' });
    const v = await check(action);
    expect(v).toEqual({ ok: true, action: action.payload });
  });

  it('refuses a bad envelope with ACTION_INVALID naming the field, keeping the id for the update', async () => {
    const action = signedAction('runAntivirusScan', { scanType: 'deep' });
    const r = refusal(await check(action));
    expect(r.code).toBe('ACTION_INVALID');
    expect(r.actionId).toBe(action.payload.actionId);
    expect(r.message).toMatch(/scanType|parameters/);
    expect(refusal(await check({ payload: { actionId: 'nope' } })).actionId).toBeUndefined();
  });

  it('refuses a signature that does not verify (ACTION_SIGNATURE_INVALID)', async () => {
    const action = signedAction('isolate', { mode: 'full' });
    const tampered = { ...action, payload: { ...action.payload, requestorComment: 'changed on the way' } };
    const r = refusal(await check(tampered));
    expect(r.code).toBe('ACTION_SIGNATURE_INVALID');
    expect(r.unknownKey).toBeUndefined();
  });

  it('flags a key this device has not pinned, so the caller refreshes the key chain first', async () => {
    const other = signing.generateEd25519KeyPair();
    const action = { ...signedAction('release', {}, {}, other.privateKey), keyId: signing.keyIdOf(other.publicKey) };
    const r = refusal(await check(action));
    expect(r).toMatchObject({ code: 'ACTION_SIGNATURE_INVALID', unknownKey: true });
    expect(r.message).toContain(signing.keyIdOf(other.publicKey));
  });

  it('refuses an action for another device or tenant (ACTION_DEVICE_MISMATCH)', async () => {
    const otherDevice = refusal(await check(signedAction('release', {}, { deviceId: '66666666-6666-4666-8666-666666666666' })));
    expect(otherDevice.code).toBe('ACTION_DEVICE_MISMATCH');
    expect(otherDevice.message).toContain('66666666-6666-4666-8666-666666666666');
    const otherTenant = refusal(await check(signedAction('release', {}, { tenantId: '22222222-2222-4222-8222-222222222222' })));
    expect(otherTenant.code).toBe('ACTION_DEVICE_MISMATCH');
    expect(otherTenant.message).toContain('tenant');
  });

  it('refuses an action expired beyond the skew (ACTION_EXPIRED), accepts one within it', async () => {
    const expiresAt = '2026-12-05T12:00:00.000Z'; // TEST_NOW
    expect((await check(signedAction('release', {}, { expiresAt }), TEST_NOW + ACTION_EXPIRY_SKEW_MS - 1)).ok).toBe(true);
    const r = refusal(await check(signedAction('release', {}, { expiresAt }), TEST_NOW + ACTION_EXPIRY_SKEW_MS));
    expect(r.code).toBe('ACTION_EXPIRED');
    expect(r.message).toContain(expiresAt);
  });
});
