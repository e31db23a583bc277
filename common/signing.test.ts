// Ed25519 helpers: sign/verify round trip, every way verification must fail, key parsing, and the request string.
import { describe, expect, it } from 'vitest';
import {
  enrollmentProofString,
  generateEd25519KeyPair,
  keyIdOf,
  privateKeyFromPem,
  publicKeyFromRaw,
  type RequestSigningInput,
  rawPublicKey,
  requestSigningString,
  signBytes,
  verifyBytes,
} from './signing.js';

const alice = generateEd25519KeyPair();
const mallory = generateEd25519KeyPair();
const alicePrivate = privateKeyFromPem(alice.privateKeyPem);
const alicePublic = publicKeyFromRaw(alice.publicKey);

describe('Ed25519 keys', () => {
  it('generates a PKCS#8 PEM private key and a raw 32-byte public key', () => {
    expect(alice.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(Buffer.from(alice.publicKey, 'base64')).toHaveLength(32);
    expect(alice.publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('round-trips the raw public key', () => {
    expect(rawPublicKey(alicePublic)).toBe(alice.publicKey);
  });

  it('publicKeyFromRaw rejects keys that are not 32 bytes', () => {
    expect(() => publicKeyFromRaw(Buffer.alloc(31).toString('base64'))).toThrow(/32 bytes/);
    expect(() => publicKeyFromRaw(Buffer.alloc(33).toString('base64'))).toThrow(/32 bytes/);
    expect(() => publicKeyFromRaw('')).toThrow(/32 bytes/);
  });

  it('keyIdOf is 32 hex chars, stable, and differs between keys', () => {
    expect(keyIdOf(alice.publicKey)).toMatch(/^[0-9a-f]{32}$/);
    expect(keyIdOf(alice.publicKey)).toBe(keyIdOf(alice.publicKey));
    expect(keyIdOf(alice.publicKey)).not.toBe(keyIdOf(mallory.publicKey));
  });
});

describe('signBytes / verifyBytes', () => {
  const data = '{"policyId":"p","version":1}';

  it('verifies what it signed, for strings and bytes alike', () => {
    const signature = signBytes(alicePrivate, data);
    expect(Buffer.from(signature, 'base64')).toHaveLength(64);
    expect(verifyBytes(alicePublic, data, signature)).toBe(true);
    expect(verifyBytes(alicePublic, Buffer.from(data, 'utf8'), signature)).toBe(true);
  });

  it('fails on tampered data', () => {
    const signature = signBytes(alicePrivate, data);
    expect(verifyBytes(alicePublic, data.replace('1', '2'), signature)).toBe(false);
    expect(verifyBytes(alicePublic, `${data} `, signature)).toBe(false);
  });

  it('fails with the wrong public key', () => {
    const signature = signBytes(alicePrivate, data);
    expect(verifyBytes(publicKeyFromRaw(mallory.publicKey), data, signature)).toBe(false);
  });

  it('fails on a tampered signature', () => {
    const raw = Buffer.from(signBytes(alicePrivate, data), 'base64');
    raw[10] = (raw[10] ?? 0) ^ 0x01;
    expect(verifyBytes(alicePublic, data, raw.toString('base64'))).toBe(false);
  });

  it('treats malformed signatures as "does not verify", never as an exception', () => {
    const signature = signBytes(alicePrivate, data);
    expect(verifyBytes(alicePublic, data, '')).toBe(false);
    expect(verifyBytes(alicePublic, data, 'not base64 at all!')).toBe(false);
    expect(verifyBytes(alicePublic, data, signature.slice(0, 40))).toBe(false);
    expect(verifyBytes(alicePublic, data, Buffer.alloc(65).toString('base64'))).toBe(false);
    expect(verifyBytes(alicePublic, data, Buffer.alloc(64).toString('base64'))).toBe(false);
  });
});

describe('requestSigningString', () => {
  const base: RequestSigningInput = {
    method: 'post',
    path: '/v1/device/reports?x=1',
    deviceId: '6f1c3a52-5d2e-4c1b-9a37-1f2e3d4c5b6a',
    time: '1767225600000',
    nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
    body: '{"a":1}',
  };

  it('is versioned, upper-cases the method and hashes the body', () => {
    const lines = requestSigningString(base).split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe('ATTACHE-REQUEST-V1');
    expect(lines[1]).toBe('POST');
    expect(lines[6]).toMatch(/^[0-9a-f]{64}$/);
    expect(requestSigningString({ ...base, method: 'POST' })).toBe(requestSigningString(base));
  });

  it('treats a string body and its UTF-8 bytes alike', () => {
    expect(requestSigningString({ ...base, body: Buffer.from('{"a":1}', 'utf8') })).toBe(requestSigningString(base));
  });

  it.each([
    ['method', { method: 'PUT' }],
    ['path', { path: '/v1/device/reports?x=2' }],
    ['deviceId', { deviceId: '6f1c3a52-5d2e-4c1b-9a37-1f2e3d4c5b6b' }],
    ['time', { time: '1767225600001' }],
    ['nonce', { nonce: 'AAAAAAAAAAAAAAAAAAAAAB' }],
    ['body', { body: '{"a":2}' }],
  ] as const)('changes when %s changes', (_field, change) => {
    expect(requestSigningString({ ...base, ...change })).not.toBe(requestSigningString(base));
  });
});

describe('enrollmentProofString', () => {
  it('binds the token (hashed, never in clear) to the public key', () => {
    const proof = enrollmentProofString('att_enr_secret', alice.publicKey);
    expect(proof).not.toContain('att_enr_secret');
    expect(proof.split('\n')).toEqual(['ATTACHE-ENROLL-V1', expect.stringMatching(/^[0-9a-f]{64}$/), alice.publicKey]);
    expect(enrollmentProofString('att_enr_other', alice.publicKey)).not.toBe(proof);
    expect(enrollmentProofString('att_enr_secret', mallory.publicKey)).not.toBe(proof);
  });
});
