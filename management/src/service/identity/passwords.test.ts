// Tests of admin password hashing: scrypt with a fresh salt each time, parameters in the encoding, and hashes that
// are malformed or carry absurd parameters matching nothing.
import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, randomPassword, SCRYPT_PARAMS, verifyPassword } from './passwords.js';

describe('passwords', () => {
  it('verifies the password it hashed and nothing else, with a new salt each time', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).not.toBe(b);
    expect(a.startsWith(`scrypt$${SCRYPT_PARAMS.N}$${SCRYPT_PARAMS.r}$${SCRYPT_PARAMS.p}$`)).toBe(true);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
  });

  it('verifies with the parameters stored in the hash (older, cheaper ones still work)', async () => {
    const salt = Buffer.alloc(16, 3);
    const key = scryptSync('pw pw pw pw pw', salt, 32, { N: 1024, r: 8, p: 1 });
    const cheap = `scrypt$1024$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
    expect(await verifyPassword('pw pw pw pw pw', cheap)).toBe(true);
    expect(await verifyPassword('pw pw pw pw pX', cheap)).toBe(false);
    expect(needsRehash(cheap)).toBe(true);
    expect(needsRehash(await hashPassword('pw pw pw pw pw'))).toBe(false);
    expect(SCRYPT_PARAMS).toEqual({ N: 2 ** 17, r: 8, p: 1 });
  });

  it('matches nothing with a malformed hash or absurd parameters', async () => {
    for (const bad of ['', 'plain', 'scrypt$x$8$1$s$h', 'bcrypt$1$2$3$4$5', 'scrypt$4294967296$8$1$AAAA$AAAA', 'scrypt$1024$64$1$AAAA$AAAA']) {
      expect(await verifyPassword('anything', bad)).toBe(false);
    }
  });

  it('makes random passwords of 24 URL-safe characters', () => {
    const p = randomPassword();
    expect(p).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(randomPassword()).not.toBe(p);
  });
});
