// Admin passwords: scrypt (RFC 7914) with a per-account random salt; the parameters are stored with the hash, so they
// can be raised later and old hashes still verify. Encoded `scrypt$N$r$p$salt$hash` (base64url).
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** Minimum length of a new password (NIST SP 800-63B: length over composition rules). */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * scrypt cost: N=2^17, r=8, p=1, OWASP's minimum (128 MiB a hash; `npm run bench:password-hash`: 354 ms a verification
 * on this 2-core machine, and about 590 MiB peak RSS with 4 at once, libuv's thread pool size, which bounds it). The
 * cost is stored with each hash: older hashes (N=2^15) still verify and are re-hashed at the next login.
 */
export const SCRYPT_PARAMS = { N: 131_072, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is exactly that, so leave headroom.
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** The encoded hash of `password` with a fresh salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const { N, r, p } = SCRYPT_PARAMS;
  const key = await derive(password, salt, SCRYPT_PARAMS);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `encoded` was made with a cost other than SCRYPT_PARAMS (then a successful login re-hashes the password). */
export function needsRehash(encoded: string): boolean {
  const { N, r, p } = SCRYPT_PARAMS;
  return !encoded.startsWith(`scrypt$${N}$${r}$${p}$`);
}

/** Whether `password` matches `encoded` (constant-time comparison). A malformed hash matches nothing. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 1 << 20 || r > 32 || p > 16) return false;
  const expected = Buffer.from(parts[5] as string, 'base64url');
  const key = await derive(password, Buffer.from(parts[4] as string, 'base64url'), { N, r, p });
  return expected.length === key.length && timingSafeEqual(expected, key);
}

/** A hash no password matches, computed once: unknown usernames are checked against it so they take as long. */
let dummy: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('base64url'));
  return dummy;
}

/** A random password for bootstrap and reset: 24 base64url characters (144 bits). */
export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}
