// Test support: named admin accounts on a test endpoint — console login (session cookie + CSRF token) and an account
// with a role, optional scope groups and a personal API token.
import { TestAdmin } from './admin-api.js';
import { httpsRequest, type TestResponse } from './https-client.js';
import type { TestEndpoint } from './test-endpoint.js';

/** A console session: the Cookie header value and the CSRF token. */
export interface TestSession {
  readonly cookie: string;
  readonly csrf: string;
}

/** A named admin account and a TestAdmin calling with its personal API token. */
export interface TestAccount {
  readonly adminId: string;
  readonly username: string;
  readonly password: string;
  readonly api: TestAdmin;
}

/** POST /v1/session as is (optionally with a Cookie header). */
export function loginRaw(t: TestEndpoint, username: string, password: string, cookie?: string): Promise<TestResponse> {
  return httpsRequest(t.endpoint.url, t.ca, 'POST', '/v1/session', {
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ username, password }),
  });
}

/** A console session of `username`, or throws with the answer. */
export async function login(t: TestEndpoint, username: string, password: string, cookie?: string): Promise<TestSession> {
  const res = await loginRaw(t, username, password, cookie);
  if (res.status !== 200) throw new Error(`login ${username} → ${res.status} ${res.text}`);
  const setCookie = String(res.headers['set-cookie']);
  return { cookie: setCookie.split(';')[0] as string, csrf: (res.body as { csrfToken: string }).csrfToken };
}

/** A request with the session cookie (and its CSRF token unless `csrf` is false). */
export function withSession(t: TestEndpoint, s: TestSession, method: string, path: string, body?: unknown, csrf = true): Promise<TestResponse> {
  return httpsRequest(t.endpoint.url, t.ca, method, path, {
    headers: { cookie: s.cookie, ...(csrf ? { 'x-csrf-token': s.csrf } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

let accounts = 0;
/** A new admin account with `role` (and scope) created by the bootstrap Administrator, and a personal API token of it. */
export async function adminAccount(t: TestEndpoint, role: string, scopeGroupIds?: string[]): Promise<TestAccount> {
  const username = `user${++accounts}-${role}`;
  const password = `correct horse ${accounts} battery`;
  const { adminId } = await t.admin.ok<{ adminId: string }>('POST', '/admins', { username, role, password, ...(scopeGroupIds ? { scopeGroupIds } : {}) });
  const created = await withSession(t, await login(t, username, password), 'POST', '/v1/admin/api-tokens', { name: 'tests' });
  if (created.status !== 201) throw new Error(`api token of ${username} → ${created.status} ${created.text}`);
  return { adminId, username, password, api: new TestAdmin(t.endpoint.url, t.ca, (created.body as { token: string }).token) };
}
