// Key rotation as the endpoint performs it: a device replacing its own key (proved with both keys), an admin asking a
// device to rotate, and the rotation of the policy-signing key (announced to devices, signed by the key it replaces).

import { isoNow } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import { deviceKeyRotationProofString, keyIdOf, publicKeyFromRaw, verifyBytes } from '../../../common/signing.js';
import { validate } from '../../../common/validation.js';
import {
  type DeviceKeyRotationMark,
  DeviceKeyRotationRequest,
  type DeviceKeyRotationResponse,
  type SignedSigningKeyAnnouncement,
  SigningKeyRotateRequest,
  type SigningKeyState,
} from '../../../policy-schemas/src/index.js';
import { PUSH_CLOSE } from '../push/push-hub.js';
import type { DeviceRecord } from '../store/store.js';
import type { ServiceContext } from './context.js';
import { requireDevice } from './directory.js';
import { nudgeAnywhere } from './presence.js';

/** Allowed clock distance of a rotation's requestedAt: the request-signing window (docs/protocol.md, 300 s). */
const ROTATION_WINDOW_MS = 300_000;

/**
 * POST /v1/device/key from `device` (authenticated with its current key). Repeating a rotation that already happened,
 * signed with the new key, answers the same: a device that lost the first answer confirms with the key it holds.
 */
export async function rotateOwnDeviceKey(ctx: ServiceContext, device: DeviceRecord, body: unknown): Promise<DeviceKeyRotationResponse> {
  const request = validate(DeviceKeyRotationRequest, body, 'device key rotation');
  const now = ctx.clock.now();
  if (request.publicKey === device.publicKey) {
    const retired = await ctx.store.listRetiredDeviceKeys(device.deviceId);
    return { deviceId: device.deviceId, keyId: keyIdOf(device.publicKey), rotatedAt: retired.at(-1)?.retiredAt ?? device.enrolledAt };
  }
  if (Math.abs(now - Date.parse(request.requestedAt)) > ROTATION_WINDOW_MS) {
    throw new AttacheError('DEVICE_KEY_PROOF_INVALID', 'device key rotation: requestedAt is more than 300 s away from the endpoint clock');
  }
  const proof = deviceKeyRotationProofString({
    deviceId: device.deviceId,
    currentPublicKey: device.publicKey,
    newPublicKey: request.publicKey,
    requestedAt: request.requestedAt,
  });
  if (!verifyBytes(publicKeyFromRaw(request.publicKey), proof, request.proof)) {
    throw new AttacheError('DEVICE_KEY_PROOF_INVALID', 'device key rotation: the proof does not verify with the new key');
  }
  const keyId = keyIdOf(request.publicKey);
  const retired = await ctx.store.listRetiredDeviceKeys(device.deviceId);
  if (retired.some((r) => r.keyId === keyId)) throw new AttacheError('CONFLICT', `device key ${keyId} was retired before and cannot be registered again`);
  const rotatedAt = isoNow(ctx.clock);
  const rotated = await ctx.store.rotateDeviceKey({
    deviceId: device.deviceId,
    currentPublicKey: device.publicKey,
    currentKeyId: keyIdOf(device.publicKey),
    newPublicKey: request.publicKey,
    keyId,
    rotatedAt,
  });
  if (!rotated) throw new AttacheError('CONFLICT', 'the device key changed or the device was revoked while rotating');
  // The push socket was opened with the old key: the device reconnects with the new one.
  ctx.hub.disconnect(device.deviceId, PUSH_CLOSE.keyRotated, 'device key rotated');
  ctx.logger.info('device key rotated', { component: 'device-keys', deviceId: device.deviceId, keyId, retiredKeyId: keyIdOf(device.publicKey) });
  return { deviceId: device.deviceId, keyId, rotatedAt };
}

/** An admin asks the device to rotate its key: marked in the store (seen on its next fetch) and nudged over push. */
export async function requestDeviceKeyRotation(ctx: ServiceContext, deviceId: string): Promise<DeviceKeyRotationMark> {
  const device = await requireDevice(ctx, deviceId);
  if (device.revoked) throw new AttacheError('CONFLICT', `device ${deviceId} is revoked; it cannot rotate its key`);
  const requestedAt = isoNow(ctx.clock);
  await ctx.store.requestDeviceKeyRotation(deviceId, requestedAt);
  const nudged = (await nudgeAnywhere(ctx, [deviceId], 'key-rotation')) === 1;
  ctx.logger.info('device key rotation requested', { component: 'device-keys', deviceId, nudged });
  return { deviceId, requestedAt, nudged };
}

/** Announces a new policy-signing key (or switches at once with `now`) and nudges every connected device. */
export async function rotateSigningKey(ctx: ServiceContext, body: unknown): Promise<SignedSigningKeyAnnouncement> {
  const request = validate(SigningKeyRotateRequest, body ?? {}, 'signing key rotation');
  if (request.now && request.overlapHours !== undefined && request.overlapHours > 0) {
    throw new AttacheError('SCHEMA_INVALID', 'signing key rotation: --now and an overlap exclude each other');
  }
  const announcement = await ctx.signingKeys.rotate(request, ctx.identity.tenantId, ctx.clock.now());
  const devices = (await ctx.store.listDevices()).devices.filter((d) => !d.revoked).map((d) => d.deviceId);
  const nudged = ctx.hub.nudge(devices, 'key-rotation');
  ctx.logger.info('signing key rotation announced', { component: 'device-keys', keyId: announcement.payload.newKeyId, nudged });
  return announcement;
}

/** The active policy-signing key, a pending one and the chain (after switching when a pending key's time came). */
export async function signingKeyState(ctx: ServiceContext): Promise<SigningKeyState> {
  await ctx.signingKeys.advance(ctx.clock.now());
  return ctx.signingKeys.state();
}
