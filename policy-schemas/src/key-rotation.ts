// Key rotation on the wire and on disk: device-key rotation (POST /v1/device/key), the signed announcement of a new
// policy-signing key (old key signs new), the agent's pinned signing keys file and the admin API of both rotations.
import { type Static, Type } from '@sinclair/typebox';
import { PublicKey, Signature, Timestamp, Uuid } from './primitives.js';

const KeyId = Type.String({ pattern: '^[0-9a-f]{32}$' });

/**
 * POST /v1/device/key, signed with the device's current key. `proof` signs deviceKeyRotationProofString(deviceId,
 * current public key, new public key, requestedAt) with the NEW key: the device holds both keys.
 */
export const DeviceKeyRotationRequest = Type.Object(
  { publicKey: PublicKey, requestedAt: Timestamp, proof: Signature },
  { additionalProperties: false, $id: 'urn:attache:device-key-rotation-request', title: 'Device key rotation request' },
);
export type DeviceKeyRotationRequest = Static<typeof DeviceKeyRotationRequest>;

/** The endpoint's answer: the device key now registered (an already-rotated request answers the same). */
export const DeviceKeyRotationResponse = Type.Object(
  { deviceId: Uuid, keyId: KeyId, rotatedAt: Timestamp },
  { additionalProperties: false, $id: 'urn:attache:device-key-rotation-response', title: 'Device key rotation response' },
);
export type DeviceKeyRotationResponse = Static<typeof DeviceKeyRotationResponse>;

/** A new policy-signing key, announced by the key before it. */
export const SigningKeyAnnouncementPayload = Type.Object(
  {
    tenantId: Uuid,
    /** The key that signs this announcement (the one devices pin now). */
    previousKeyId: KeyId,
    newKeyId: KeyId,
    newPublicKey: PublicKey,
    /** From then on the endpoint signs with the new key. */
    validFrom: Timestamp,
    /** Until then devices also accept the previous key; after it, only the new one. */
    overlapUntil: Timestamp,
    announcedAt: Timestamp,
  },
  { additionalProperties: false },
);
export type SigningKeyAnnouncementPayload = Static<typeof SigningKeyAnnouncementPayload>;

/** The announcement and the previous key's Ed25519 signature over its canonical JSON. */
export const SignedSigningKeyAnnouncement = Type.Object(
  { payload: SigningKeyAnnouncementPayload, keyId: KeyId, signature: Signature },
  { additionalProperties: false, $id: 'urn:attache:signed-signing-key-announcement', title: 'Signed signing-key announcement' },
);
export type SignedSigningKeyAnnouncement = Static<typeof SignedSigningKeyAnnouncement>;

/** One policy-signing key a device trusts; `notAfter` is set once a successor was announced (end of the overlap). */
export const PinnedSigningKey = Type.Object({ keyId: KeyId, publicKey: PublicKey, notAfter: Type.Optional(Timestamp) }, { additionalProperties: false });
export type PinnedSigningKey = Static<typeof PinnedSigningKey>;

/** signing-keys.json in the agent state dir: the pinned keys after following announcements (absent = the onboarding pin). */
export const AgentSigningKeys = Type.Object(
  { formatVersion: Type.Literal(1), keys: Type.Array(PinnedSigningKey, { minItems: 1, maxItems: 20 }) },
  { additionalProperties: false, $id: 'urn:attache:agent-signing-keys', title: 'Agent pinned signing keys' },
);
export type AgentSigningKeys = Static<typeof AgentSigningKeys>;

/** POST /v1/admin/signing-key/rotate. */
export const SigningKeyRotateRequest = Type.Object(
  {
    /** Hours from now until the endpoint signs with the new key and devices drop the old one (default 24). */
    overlapHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 8760 })),
    /** Switch at once, no overlap (after a key theft). */
    now: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, $id: 'urn:attache:signing-key-rotate-request', title: 'Signing key rotate request' },
);
export type SigningKeyRotateRequest = Static<typeof SigningKeyRotateRequest>;

/** GET /v1/admin/signing-key: the active key, a pending one and the announcement chain. */
export const SigningKeyState = Type.Object(
  {
    activeKeyId: KeyId,
    pending: Type.Optional(Type.Object({ keyId: KeyId, validFrom: Timestamp, overlapUntil: Timestamp }, { additionalProperties: false })),
    announcements: Type.Array(SignedSigningKeyAnnouncement),
  },
  { additionalProperties: false, $id: 'urn:attache:signing-key-state', title: 'Signing key state' },
);
export type SigningKeyState = Static<typeof SigningKeyState>;

/** POST /v1/admin/devices/{id}/rotate-key: when the rotation was requested and whether the device was nudged. */
export const DeviceKeyRotationMark = Type.Object(
  { deviceId: Uuid, requestedAt: Timestamp, nudged: Type.Boolean() },
  { additionalProperties: false, $id: 'urn:attache:device-key-rotation-mark', title: 'Device key rotation requested' },
);
export type DeviceKeyRotationMark = Static<typeof DeviceKeyRotationMark>;
