// Tests of the SQL store's admin identity part, on SQLite and PostgreSQL: usernames unique case-insensitively, updates
// with a guard in the transaction, cascading deletes, API tokens (revoke once, last use at most once a minute) and
// sessions (idle expiry capped at the absolute one, sweep).
import { beforeEach, describe, expect, it } from 'vitest';
import { AttacheError } from '../../../common/errors.js';
import type { AdminApiTokenRecord, AdminRecord, AdminSessionRecord } from './admin-store.js';
import type { ManagementStore } from './store.js';
import { freshStorePerTest, STORE_ENGINES } from './testing/store-engines.js';

const NOW = '2026-01-10T12:00:00.000Z';

function admin(adminId: string, username: string, role = 'administrator'): AdminRecord {
  return {
    adminId,
    username,
    displayName: username,
    role,
    scopeGroupIds: null,
    passwordHash: 'scrypt$x',
    createdAt: NOW,
    updatedAt: NOW,
    disabled: false,
    failedLogins: 0,
    lockedUntil: null,
  };
}

function session(sessionHash: string, adminId: string): AdminSessionRecord {
  return {
    sessionHash,
    adminId,
    csrfToken: 'c',
    createdAt: NOW,
    expiresAt: '2026-01-10T12:30:00.000Z',
    absoluteExpiresAt: '2026-01-11T00:00:00.000Z',
    sourceAddress: '127.0.0.1',
  };
}

function apiToken(tokenId: string, adminId: string, tokenHash: string): AdminApiTokenRecord {
  return { tokenId, adminId, name: 'ci', tokenHash, createdAt: NOW, expiresAt: '2026-06-01T00:00:00.000Z', revokedAt: null, lastUsedAt: null };
}

describe.each(STORE_ENGINES)('admin store on %s', (engine) => {
  let store: ManagementStore;
  freshStorePerTest(engine, (s) => {
    store = s;
  });
  beforeEach(async () => {
    await store.createAdmin(admin('a1', 'Alice'));
  });

  it('finds admins by username in any case and refuses a second one differing only in case', async () => {
    expect((await store.getAdminByUsername('ALICE'))?.adminId).toBe('a1');
    const err = await store.createAdmin(admin('a2', 'alice')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttacheError);
    expect((err as AttacheError).code).toBe('CONFLICT');
    expect((await store.listAdmins()).map((a) => a.username)).toEqual(['Alice']);
  });

  it('updates fields, keeps the rest, and a throwing guard changes nothing', async () => {
    const updated = await store.updateAdmin('a1', { role: 'readOnlyOperator', scopeGroupIds: ['g1'], failedLogins: 3 }, '2026-01-10T13:00:00.000Z');
    expect(updated).toMatchObject({
      role: 'readOnlyOperator',
      scopeGroupIds: ['g1'],
      failedLogins: 3,
      displayName: 'Alice',
      updatedAt: '2026-01-10T13:00:00.000Z',
    });
    const refused = store.updateAdmin('a1', { disabled: true }, NOW, () => {
      throw new AttacheError('CONFLICT', 'no');
    });
    await expect(refused).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await store.getAdmin('a1'))?.disabled).toBe(false);
    expect(await store.updateAdmin('nobody', { disabled: true }, NOW)).toBeUndefined();
  });

  it('reserves concurrent password attempts without losing one and never past the threshold or a lock', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => store.reserveLoginAttempt('a1', NOW, 5)));
    expect(results.filter((r) => r !== undefined).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(results.filter((r) => r === undefined)).toHaveLength(5);
    expect(await store.getAdmin('a1')).toMatchObject({ failedLogins: 5 });
    await store.updateAdmin('a1', { failedLogins: 0, lockedUntil: '2026-01-10T12:15:00.000Z' }, NOW);
    expect(await store.reserveLoginAttempt('a1', NOW, 5)).toBeUndefined();
    expect(await store.reserveLoginAttempt('a1', '2026-01-10T12:15:00.000Z', 5)).toBe(1);
    expect(await store.reserveLoginAttempt('nobody', NOW, 5)).toBeUndefined();
  });

  it('deletes an admin with its tokens and sessions', async () => {
    await store.createAdminApiToken(apiToken('t1', 'a1', 'h1'));
    await store.createAdminSession(session('s1', 'a1'));
    expect(await store.deleteAdmin('a1')).toBe(true);
    expect(await store.getAdminApiTokenByHash('h1')).toBeUndefined();
    expect(await store.getAdminSession('s1')).toBeUndefined();
    expect(await store.deleteAdmin('a1')).toBe(false);
  });

  it('revokes a token once and records its use at most once a minute', async () => {
    await store.createAdminApiToken(apiToken('t1', 'a1', 'h1'));
    await store.touchAdminApiToken('t1', '2026-01-10T12:00:10.000Z', '2026-01-10T11:59:10.000Z');
    await store.touchAdminApiToken('t1', '2026-01-10T12:00:40.000Z', '2026-01-10T11:59:40.000Z');
    expect((await store.getAdminApiTokenByHash('h1'))?.lastUsedAt).toBe('2026-01-10T12:00:10.000Z');
    await store.touchAdminApiToken('t1', '2026-01-10T12:01:20.000Z', '2026-01-10T12:00:20.000Z');
    expect((await store.getAdminApiTokenByHash('h1'))?.lastUsedAt).toBe('2026-01-10T12:01:20.000Z');
    expect(await store.revokeAdminApiToken('t1', NOW)).toBe(true);
    expect(await store.revokeAdminApiToken('t1', NOW)).toBe(false);
    expect((await store.listAdminApiTokens('a1'))[0]?.revokedAt).toBe(NOW);
    expect(await store.listAdminApiTokens('other')).toEqual([]);
  });

  it('extends a session no further than its absolute expiry and sweeps expired ones', async () => {
    await store.createAdminSession(session('s1', 'a1'));
    await store.createAdminSession(session('s2', 'a1'));
    await store.extendAdminSession('s1', '2026-01-12T00:00:00.000Z');
    expect((await store.getAdminSession('s1'))?.expiresAt).toBe('2026-01-11T00:00:00.000Z');
    expect(await store.sweepAdminSessions('2026-01-10T12:45:00.000Z')).toBe(1);
    expect(await store.getAdminSession('s2')).toBeUndefined();
    expect(await store.deleteAdminSessions('a1')).toBe(1);
  });
});
