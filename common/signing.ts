// Ed25519 keys and signatures shared by both sides: policy signatures, request signatures, enrollment proof.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the raw 32-byte key follows it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A freshly generated key pair: the private key as PKCS#8 PEM (never leaves its owner), the public key raw, base64. */
export interface Ed25519KeyPair {
  readonly privateKeyPem: string;
  /** The same private key as a key object, for signing at once without parsing the PEM again. */
  readonly privateKey: KeyObject;
  readonly publicKey: string;
}

export function generateEd25519KeyPair(): Ed25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    privateKey,
    publicKey: rawPublicKey(publicKey),
  };
}

/** The raw 32-byte public key of a key object, base64. */
export function rawPublicKey(key: KeyObject): string {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(ED25519_SPKI_PREFIX.length).toString('base64');
}

/** Parses a raw base64 Ed25519 public key; throws TypeError when it is not 32 bytes. */
export function publicKeyFromRaw(publicKey: string): KeyObject {
  const raw = Buffer.from(publicKey, 'base64');
  if (raw.length !== 32) throw new TypeError('Ed25519 public key must be 32 bytes');
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** Keys verified again and again (an agent's pinned policy-signing keys): few, so a small map, oldest dropped first. */
const PINNED_KEYS = 32;
const pinnedKeys = new Map<string, KeyObject>();

/** publicKeyFromRaw for a key that verifies many signatures (a pin): the KeyObject is built once, not per verify. */
export function pinnedPublicKey(publicKey: string): KeyObject {
  let key = pinnedKeys.get(publicKey);
  if (!key) {
    key = publicKeyFromRaw(publicKey);
    if (pinnedKeys.size >= PINNED_KEYS) pinnedKeys.delete(pinnedKeys.keys().next().value as string);
    pinnedKeys.set(publicKey, key);
  }
  return key;
}

export function privateKeyFromPem(pem: string): KeyObject {
  return createPrivateKey({ key: pem, format: 'pem' });
}

/** Short stable id of a public key: first 16 bytes of its SHA-256, hex. */
export function keyIdOf(publicKey: string): string {
  return createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, 32);
}

export function signBytes(privateKey: KeyObject, data: string | Uint8Array): string {
  return sign(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, privateKey).toString('base64');
}

/** Verifies a base64 signature; any malformed input is simply "does not verify". */
export function verifyBytes(publicKey: KeyObject, data: string | Uint8Array, signature: string): boolean {
  try {
    const sig = Buffer.from(signature, 'base64');
    if (sig.length !== 64) return false;
    return verify(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, publicKey, sig);
  } catch {
    return false;
  }
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Header names of a signed device request (docs/protocol.md, "Request signing"). */
export const SIGNED_REQUEST_HEADERS = {
  device: 'x-attache-device',
  time: 'x-attache-time',
  nonce: 'x-attache-nonce',
  signature: 'x-attache-signature',
} as const;

/** The fields a device request signature covers. */
export interface RequestSigningInput {
  readonly method: string;
  readonly path: string;
  readonly deviceId: string;
  readonly time: string;
  readonly nonce: string;
  readonly body: string | Uint8Array;
}

/** The exact string a device signs for one request: method, path with query, identity, freshness, body hash. */
export function requestSigningString(input: RequestSigningInput): string {
  return ['ATTACHE-REQUEST-V1', input.method.toUpperCase(), input.path, input.deviceId, input.time, input.nonce, sha256Hex(input.body)].join('\n');
}

/** The exact string an enrolling device signs to prove it holds the private key it registers. */
export function enrollmentProofString(enrollmentToken: string, publicKey: string): string {
  return ['ATTACHE-ENROLL-V1', sha256Hex(enrollmentToken), publicKey].join('\n');
}

/**
 * The exact string a device signs with its NEW key when rotating: binds the new key to this device, the key it
 * replaces and the request time, so a captured proof cannot register the key elsewhere or later.
 */
export function deviceKeyRotationProofString(input: { deviceId: string; currentPublicKey: string; newPublicKey: string; requestedAt: string }): string {
  return ['ATTACHE-KEY-ROTATE-V1', input.deviceId, input.currentPublicKey, input.newPublicKey, input.requestedAt].join('\n');
}
