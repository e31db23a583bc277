// Admin identity over real HTTPS on loopback: console login (ok, wrong, locked, session fixation, CSRF, logout), roles
// (help desk, read-only), personal API tokens (expired, revoked), scope tags, last-Administrator protection, and the
// admin.token still working as the bootstrap Administrator. Every admin route has a permission.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../logging.js';
import { tokenHash } from '../pki/tokens.js';
import { adminReset } from '../service/identity/reset-command.js';
import { ROUTE_PERMISSIONS } from '../service/identity/roles.js';
import { adminAccount, login as loginOn, loginRaw as loginRawOn, type TestSession, withSession as withSessionOn } from '../testing/admin-accounts.js';
import { TestAdmin } from '../testing/admin-api.js';
import { errorCode, httpsRequest } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { createHttpServer } from './server.js';

let t: TestEndpoint;

beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t?.close();
});

type Session = TestSession;
const loginRaw = (username: string, password: string, cookie?: string) => loginRawOn(t, username, password, cookie);
const login = (username: string, password: string, cookie?: string) => loginOn(t, username, password, cookie);
const withSession = (s: Session, method: string, path: string, body?: unknown, csrf = true) => withSessionOn(t, s, method, path, body, csrf);
const adminWith = (role: string, scopeGroupIds?: string[]) => adminAccount(t, role, scopeGroupIds);

async function bootstrapPassword(): Promise<string> {
  return (await readFile(join(t.dir, 'admin-password'), 'utf8')).trim();
}

describe('bootstrap and the admin token', () => {
  it('keeps admin.token working as the first Administrator, whose password is in a 0600 file', async () => {
    expect(await t.admin.ok('GET', '/me')).toMatchObject({ username: 'admin', role: 'administrator', authMethod: 'apiToken' });
    expect((await t.admin.call('GET', '/devices')).status).toBe(200);
    expect((await stat(join(t.dir, 'admin-password'))).mode & 0o777).toBe(0o600);
    expect((await bootstrapPassword()).length).toBeGreaterThanOrEqual(12);
  });

  it('answers 401 naming why for a missing, unknown or malformed credential', async () => {
    const none = await httpsRequest(t.endpoint.url, t.ca, 'GET', '/v1/admin/devices');
    expect([none.status, errorCode(none)]).toEqual([401, 'ADMIN_UNAUTHORIZED']);
    expect(JSON.stringify(none.body)).toContain('no admin credentials');
    const unknown = await new TestAdmin(t.endpoint.url, t.ca, 'atp_nope').call('GET', '/devices');
    expect(JSON.stringify(unknown.body)).toContain('unknown admin token');
  });
});

describe('console login', () => {
  it('logs in with a Secure, HttpOnly, SameSite=Strict cookie and answers who is logged in', async () => {
    const res = await loginRaw('ADMIN', await bootstrapPassword());
    expect(res.status).toBe(200);
    expect(String(res.headers['set-cookie'])).toMatch(/^__Host-attache_session=[A-Za-z0-9_-]{43}; HttpOnly; Secure; SameSite=Strict; Path=\//);
    const body = res.body as { admin: { username: string; role: string }; csrfToken: string; expiresAt: string };
    expect(body.admin).toMatchObject({ username: 'admin', role: 'administrator', scopeGroupIds: null });
    const cookie = String(res.headers['set-cookie']).split(';')[0] as string;
    const current = await httpsRequest(t.endpoint.url, t.ca, 'GET', '/v1/session', { headers: { cookie } });
    expect(current.body).toMatchObject({ admin: { username: 'admin' }, csrfToken: body.csrfToken });
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const wrong = await loginRaw('admin', 'not the password at all');
    const unknown = await loginRaw('nobody-here', 'not the password at all');
    expect([wrong.status, errorCode(wrong)]).toEqual([401, 'LOGIN_FAILED']);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('locks an account after 5 failures for 15 minutes, even for the right password', async () => {
    const { username, password } = await adminWith('readOnlyOperator');
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) codes.push(errorCode(await loginRaw(username, 'wrong password here')));
    expect(codes).toEqual(['LOGIN_FAILED', 'LOGIN_FAILED', 'LOGIN_FAILED', 'LOGIN_FAILED', 'LOGIN_LOCKED']);
    const locked = await loginRaw(username, password);
    expect([locked.status, errorCode(locked)]).toEqual([429, 'LOGIN_LOCKED']);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    t.setClockOffset(16 * 60_000);
    try {
      expect((await loginRaw(username, password)).status).toBe(200);
    } finally {
      t.setClockOffset(0);
    }
  });

  it('gives a new session id at each login and ends the one the browser still had (fixation)', async () => {
    const first = await login('admin', await bootstrapPassword());
    const second = await login('admin', await bootstrapPassword(), first.cookie);
    expect(second.cookie).not.toBe(first.cookie);
    const old = await httpsRequest(t.endpoint.url, t.ca, 'GET', '/v1/session', { headers: { cookie: first.cookie } });
    expect([old.status, errorCode(old)]).toEqual([401, 'ADMIN_UNAUTHORIZED']);
    const planted = await login('admin', await bootstrapPassword(), '__Host-attache_session=planted-by-an-attacker');
    expect(planted.cookie).not.toBe('__Host-attache_session=planted-by-an-attacker');
    const doubled = await httpsRequest(t.endpoint.url, t.ca, 'GET', '/v1/admin/me', {
      headers: { cookie: `${planted.cookie}; __Host-attache_session=second-one`, 'x-csrf-token': planted.csrf },
    });
    expect([doubled.status, errorCode(doubled)]).toEqual([401, 'ADMIN_UNAUTHORIZED']);
    expect((await withSession(planted, 'GET', '/v1/admin/me')).status).toBe(200);
  });

  it('removes expired sessions from the store at the next login', async () => {
    const old = await login('admin', await bootstrapPassword());
    const oldHash = tokenHash(old.cookie.split('=')[1] as string);
    expect(await t.endpoint.context.store.getAdminSession(oldHash)).toBeDefined();
    t.setClockOffset(13 * 3_600_000);
    try {
      await login('admin', await bootstrapPassword());
      expect(await t.endpoint.context.store.getAdminSession(oldHash)).toBeUndefined();
    } finally {
      t.setClockOffset(0);
    }
  });

  it('refuses a cookie write without the CSRF header and changes nothing', async () => {
    const s = await login('admin', await bootstrapPassword());
    const refused = await withSession(s, 'POST', '/v1/admin/groups', { name: 'csrf-victim' }, false);
    expect([refused.status, errorCode(refused)]).toEqual([403, 'CSRF_FAILED']);
    const wrong = await withSession({ ...s, csrf: 'x'.repeat(43) }, 'POST', '/v1/admin/groups', { name: 'csrf-victim' });
    expect(errorCode(wrong)).toBe('CSRF_FAILED');
    const { groups } = await t.admin.ok<{ groups: { name: string }[] }>('GET', '/groups');
    expect(groups.map((g) => g.name)).not.toContain('csrf-victim');
    expect((await withSession(s, 'POST', '/v1/admin/groups', { name: 'csrf-ok' })).status).toBe(201);
  });

  it('logs out (with the CSRF header) and the cookie no longer works', async () => {
    const s = await login('admin', await bootstrapPassword());
    expect(errorCode(await withSession(s, 'DELETE', '/v1/session', undefined, false))).toBe('CSRF_FAILED');
    const out = await withSession(s, 'DELETE', '/v1/session');
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await withSession(s, 'GET', '/v1/admin/devices')).status).toBe(401);
  });
});

describe('roles', () => {
  it('lets a Help Desk Operator sync a device but not create a policy', async () => {
    const device = await t.enrolledDevice();
    const { api } = await adminWith('helpDeskOperator');
    const policy = await api.call('POST', '/policies', { name: 'p', kind: 'antivirus', settings: {} });
    expect([policy.status, errorCode(policy)]).toEqual([403, 'ADMIN_FORBIDDEN']);
    expect(JSON.stringify(policy.body)).toContain('policies.write');
    expect((await api.call('POST', `/devices/${device.deviceId}/sync`)).status).toBe(202);
    expect((await api.call('POST', '/groups', { name: 'helpdesk-group' })).status).toBe(403);
  });

  it('lets a Read Only Operator GET and nothing else', async () => {
    const device = await t.enrolledDevice();
    const { api } = await adminWith('readOnlyOperator');
    expect((await api.call('GET', '/devices')).status).toBe(200);
    expect((await api.call('GET', `/devices/${device.deviceId}/status`)).status).toBe(200);
    expect((await api.call('GET', '/roles')).status).toBe(200);
    expect(errorCode(await api.call('POST', `/devices/${device.deviceId}/sync`))).toBe('ADMIN_FORBIDDEN');
    expect(errorCode(await api.call('GET', '/admins'))).toBe('ADMIN_FORBIDDEN');
  });

  it('lists every role with its permissions', async () => {
    const { roles } = await t.admin.ok<{ roles: { role: string; permissions: string[] }[] }>('GET', '/roles');
    expect(roles.map((r) => r.role)).toEqual(['administrator', 'endpointSecurityManager', 'helpDeskOperator', 'readOnlyOperator']);
    expect(roles.find((r) => r.role === 'helpDeskOperator')?.permissions).toContain('devices.sync');
  });

  it('maps every registered admin route to a permission', async () => {
    const routes: string[] = [];
    const app = await createHttpServer(
      {
        tlsKeyPem: t.endpoint.identity.serverKeyPem,
        tlsCertPem: t.endpoint.identity.serverCertPem,
        onRoute: (r: RouteOptions) => {
          for (const m of [r.method].flat()) if (r.url.startsWith('/v1/admin/') && m !== 'HEAD') routes.push(`${m} ${r.url}`);
        },
      },
      t.endpoint.context,
    );
    await app.close();
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.filter((r) => !(r in ROUTE_PERMISSIONS))).toEqual([]);
  });
});

describe('API tokens', () => {
  it('refuses an expired token and a revoked one, saying which', async () => {
    const s = await login('admin', await bootstrapPassword());
    const created = (await withSession(s, 'POST', '/v1/admin/api-tokens', { name: 'short', expiresInDays: 1 })).body as { tokenId: string; token: string };
    const api = new TestAdmin(t.endpoint.url, t.ca, created.token);
    expect((await api.call('GET', '/devices')).status).toBe(200);
    t.setClockOffset(2 * 86_400_000);
    try {
      const expired = await api.call('GET', '/devices');
      expect([expired.status, errorCode(expired)]).toEqual([401, 'ADMIN_UNAUTHORIZED']);
      expect(JSON.stringify(expired.body)).toContain('expired');
    } finally {
      t.setClockOffset(0);
    }
    const listed = await t.admin.ok<{ apiTokens: { tokenId: string; lastUsedAt: string | null }[] }>('GET', '/api-tokens');
    expect(listed.apiTokens.find((k) => k.tokenId === created.tokenId)?.lastUsedAt).not.toBeNull();
    expect((await t.admin.call('DELETE', `/api-tokens/${created.tokenId}`)).status).toBe(204);
    const revoked = await api.call('GET', '/devices');
    expect(JSON.stringify(revoked.body)).toContain('revoked');
  });

  it('refuses token lifetimes over a year', async () => {
    expect(errorCode(await t.admin.call('POST', '/api-tokens', { name: 'forever', expiresInDays: 366 }))).toBe('SCHEMA_INVALID');
  });
});

describe('scope tags', () => {
  it('shows a scoped admin only the devices of its groups and answers 404 for others', async () => {
    const inside = await t.enrolledDevice();
    const outside = await t.enrolledDevice();
    const group = await t.admin.ok<{ groupId: string }>('POST', '/groups', { name: 'scope-east' });
    await t.admin.ok('POST', `/groups/${group.groupId}/members`, { deviceId: inside.deviceId });
    const { api } = await adminWith('endpointSecurityManager', [group.groupId]);
    const { devices } = await api.ok<{ devices: { deviceId: string }[] }>('GET', '/devices');
    expect(devices.map((d) => d.deviceId)).toEqual([inside.deviceId]);
    expect((await api.call('GET', `/devices/${inside.deviceId}`)).status).toBe(200);
    for (const [method, path] of [
      ['GET', ''],
      ['GET', '/status'],
      ['GET', '/compliance'],
      ['POST', '/sync'],
      ['POST', '/revoke'],
    ] as const) {
      const res = await api.call(method, `/devices/${outside.deviceId}${path}`);
      expect([path, res.status, errorCode(res)]).toEqual([path, 404, 'NOT_FOUND']);
    }
    const other = await t.admin.ok<{ groupId: string }>('POST', '/groups', { name: 'scope-west' });
    const add = await api.call('POST', `/groups/${group.groupId}/members`, { deviceId: outside.deviceId });
    expect([add.status, errorCode(add)]).toEqual([404, 'NOT_FOUND']);
    const otherGroup = await api.call('POST', `/groups/${other.groupId}/members`, { deviceId: inside.deviceId });
    expect([otherGroup.status, errorCode(otherGroup)]).toEqual([403, 'ADMIN_FORBIDDEN']);
    expect((await api.call('POST', `/groups/${group.groupId}/members`, { deviceId: inside.deviceId })).status).toBe(204);
    expect((await t.admin.call('GET', `/devices/${outside.deviceId}`)).status).toBe(200);
  });
});

describe('admin accounts', () => {
  it('never removes or demotes the last enabled Administrator', async () => {
    const { adminId: self } = await t.admin.ok<{ adminId: string }>('GET', '/me');
    expect(errorCode(await t.admin.call('PATCH', `/admins/${self}`, { role: 'readOnlyOperator' }))).toBe('LAST_ADMINISTRATOR');
    expect(errorCode(await t.admin.call('PATCH', `/admins/${self}`, { disabled: true }))).toBe('LAST_ADMINISTRATOR');
    expect(errorCode(await t.admin.call('DELETE', `/admins/${self}`))).toBe('LAST_ADMINISTRATOR');
    const second = await adminWith('administrator');
    expect((await t.admin.call('PATCH', `/admins/${second.adminId}`, { role: 'readOnlyOperator' })).status).toBe(200);
    expect((await t.admin.call('PATCH', `/admins/${second.adminId}`, { disabled: true })).status).toBe(200);
    const disabled = await second.api.call('GET', '/me');
    expect(JSON.stringify(disabled.body)).toContain('revoked');
    expect(errorCode(await loginRaw(second.username, second.password))).toBe('LOGIN_FAILED');
    expect((await t.admin.call('DELETE', `/admins/${second.adminId}`)).status).toBe(204);
    expect(errorCode(await second.api.call('GET', '/me'))).toBe('ADMIN_UNAUTHORIZED');
  });

  it('refuses a short password and a username taken in another case', async () => {
    expect(errorCode(await t.admin.call('POST', '/admins', { username: 'short', role: 'readOnlyOperator', password: 'elevenchars' }))).toBe('SCHEMA_INVALID');
    expect(errorCode(await t.admin.call('POST', '/admins', { username: 'Admin', role: 'readOnlyOperator', password: 'twelve chars!' }))).toBe('CONFLICT');
  });
});

describe('admin reset', () => {
  it('gives the first Administrator a new password from the data dir and unlocks it', async () => {
    // Later in the day: the per-address login budget this file spent is back.
    t.setClockOffset(60 * 60_000);
    const before = await bootstrapPassword();
    for (let i = 0; i < 5; i++) await loginRaw('admin', 'wrong password here');
    expect(errorCode(await loginRaw('admin', before))).toBe('LOGIN_LOCKED');
    const result = await adminReset({ dataDir: t.dir }, createSilentLogger());
    expect(result).toEqual({ event: 'admin-reset', username: 'admin', created: false, passwordFile: join(t.dir, 'admin-password') });
    const after = await bootstrapPassword();
    expect(after).not.toBe(before);
    expect((await stat(result.passwordFile)).mode & 0o777).toBe(0o600);
    expect(errorCode(await loginRaw('admin', before))).toBe('LOGIN_FAILED');
    expect((await loginRaw('admin', after)).status).toBe(200);
    expect((await t.admin.call('GET', '/me')).status).toBe(200);
    t.setClockOffset(0);
  });
});
