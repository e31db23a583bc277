// Test helper: response actions signed as the endpoint signs them (Ed25519 over canonicalJson(payload), policy key).
import { canonicalJson } from '../../../../../common/canonical-json.js';
import * as signing from '../../../../../common/signing.js';
import type { ActionPayload, DeliveredActionType, SignedAction } from '../../../../../policy-schemas/src/index.js';

export const TEST_TENANT = '11111111-1111-4111-8111-111111111111';
export const TEST_DEVICE = '55555555-5555-4555-8555-555555555555';
export const TEST_NOW = Date.parse('2026-12-05T12:00:00.000Z');
export const testKeys = signing.generateEd25519KeyPair();
export const testKeyId = signing.keyIdOf(testKeys.publicKey);

let counter = 0;
/** A fresh action id (deterministic per test file run). */
export function actionId(): string {
  counter++;
  return `aaaaaaaa-0000-4000-8000-${String(counter).padStart(12, '0')}`;
}

/** A signed action of `type`; `overrides` change the payload before signing. */
export function signedAction(
  type: DeliveredActionType,
  parameters: Record<string, unknown>,
  overrides: Partial<Record<keyof ActionPayload, unknown>> = {},
  privateKey = testKeys.privateKey,
): SignedAction {
  const payload = {
    purpose: 'attache-action',
    actionId: actionId(),
    deviceId: TEST_DEVICE,
    tenantId: TEST_TENANT,
    type,
    parameters,
    requestor: 'alice',
    requestorComment: 'incident 42',
    issuedAt: new Date(TEST_NOW - 60_000).toISOString(),
    expiresAt: new Date(TEST_NOW + 72 * 3600_000).toISOString(),
    ...overrides,
  } as ActionPayload;
  return { payload, keyId: testKeyId, signature: signing.signBytes(privateKey, canonicalJson(payload)) };
}
