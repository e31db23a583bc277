// Failed logins over real HTTPS on loopback: parallel wrong guesses cannot check more passwords than the threshold, a
// wrong current password when changing one's own password counts against the same lockout, and an unknown username
// typed at login (perhaps a password) is kept in the audit log only as a digest and locks like an account.
import { scryptSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage } from '../../../policy-schemas/src/index.js';
import { LOCKOUT_THRESHOLD } from '../service/identity/password-attempts.js';
import { SCRYPT_PARAMS } from '../service/identity/passwords.js';
import { usernameDigest } from '../service/identity/security-events.js';
import { adminAccount, loginRaw } from '../testing/admin-accounts.js';
import { errorCode } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

let t: TestEndpoint;

beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t?.close();
});

describe('account lockout', () => {
  it('checks at most the threshold of parallel wrong guesses, then locks the account', async () => {
    const account = await adminAccount(t, 'readOnlyOperator');
    // 8 guesses: with the login of adminAccount and the last one, the per-username rate limit (burst 10) lets all through.
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => loginRaw(t, account.username, `wrong guess number ${i}`)));
    const codes = answers.map(errorCode);
    expect(codes.filter((c) => c === 'LOGIN_FAILED').length).toBeLessThanOrEqual(LOCKOUT_THRESHOLD - 1);
    expect(codes.filter((c) => c !== 'LOGIN_FAILED' && c !== 'LOGIN_LOCKED')).toEqual([]);
    const right = await loginRaw(t, account.username, account.password);
    expect([right.status, errorCode(right)]).toEqual([429, 'LOGIN_LOCKED']);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('counts a wrong current password of a password change as a failed login', async () => {
    const account = await adminAccount(t, 'helpDeskOperator');
    const change = (currentPassword: string) =>
      account.api.call('PUT', `/admins/${account.adminId}/password`, { currentPassword, password: 'a brand new password' });
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) expect(errorCode(await change(`wrong current ${i}`))).toBe('LOGIN_FAILED');
    expect(errorCode(await change('wrong current again'))).toBe('LOGIN_LOCKED');
    expect(errorCode(await change(account.password))).toBe('LOGIN_LOCKED');
    expect(errorCode(await loginRaw(t, account.username, account.password))).toBe('LOGIN_LOCKED');
    // Past the lockout the right current password works and resets the count.
    t.setClockOffset(16 * 60_000);
    expect((await change(account.password)).status).toBe(204);
    expect((await loginRaw(t, account.username, 'a brand new password')).status).toBe(200);
    t.setClockOffset(0);
  });
});

describe('unknown usernames', () => {
  it('answer like an account: LOGIN_FAILED, then LOGIN_LOCKED at the threshold and after', async () => {
    // Later: the per-address login budget spent above is back.
    t.setClockOffset(60 * 60_000);
    const account = await adminAccount(t, 'readOnlyOperator');
    const answers = async (username: string) => {
      const codes: (string | undefined)[] = [];
      for (let i = 0; i <= LOCKOUT_THRESHOLD; i++) codes.push(errorCode(await loginRaw(t, username, `wrong guess ${i}`)));
      return codes;
    };
    const real = await answers(account.username);
    expect(real.at(-1)).toBe('LOGIN_LOCKED');
    expect(await answers('nobody-by-this-name')).toEqual(real);
    const locked = await loginRaw(t, 'NOBODY-by-this-name', 'another guess');
    expect([locked.status, errorCode(locked)]).toEqual([429, 'LOGIN_LOCKED']);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('failed logins in the audit log', () => {
  it('stores only a digest of an unknown username', async () => {
    const typed = 'Tr0ub4dor&3-typed-in-the-wrong-field';
    expect(errorCode(await loginRaw(t, typed, 'whatever password'))).toBe('LOGIN_FAILED');
    const { entries } = await t.admin.ok<AuditPage>('GET', '/audit?action=session.loginFailed&limit=100');
    const anonymous = entries.filter((e) => e.actor === null);
    expect(anonymous.at(0)?.after).toEqual({ usernameSha256: usernameDigest(typed) });
    expect(usernameDigest(typed)).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(entries)).not.toContain('Tr0ub4dor');
    const exported = await t.admin.call('GET', '/audit/export?format=jsonl');
    expect(exported.text).not.toContain('Tr0ub4dor');
  });
});

describe('password hash cost', () => {
  it('re-hashes a password of an older, cheaper cost at the next login', async () => {
    t.setClockOffset(2 * 60 * 60_000);
    const account = await adminAccount(t, 'readOnlyOperator');
    const { store } = t.endpoint.context;
    const salt = Buffer.alloc(16, 7);
    const key = scryptSync(account.password, salt, 32, { N: 1024, r: 8, p: 1 });
    await store.updateAdmin(
      account.adminId,
      { passwordHash: `scrypt$1024$8$1$${salt.toString('base64url')}$${key.toString('base64url')}` },
      new Date().toISOString(),
    );
    expect((await loginRaw(t, account.username, account.password)).status).toBe(200);
    const hash = (await store.getAdmin(account.adminId))?.passwordHash ?? '';
    expect(hash.startsWith(`scrypt$${SCRYPT_PARAMS.N}$${SCRYPT_PARAMS.r}$${SCRYPT_PARAMS.p}$`)).toBe(true);
    expect((await loginRaw(t, account.username, account.password)).status).toBe(200);
  });
});
