// Test support: named admin accounts over real HTTPS on a test endpoint: console login (session cookie and CSRF token),
// requests made with that session, and a new account with a role (and scope) holding a personal API token.
import { TestAdmin } from './admin-api.js';
import { httpsRequest, type TestResponse } from './https-client.js';
import type { TestEndpoint } from './test-endpoint.js';

/** A console session: the cookie to send and its CSRF token. */
export interface TestSession {
  readonly cookie: string;
  readonly csrf: string;
}

/** A new admin account and an API client holding its personal API token. */
export interface TestAccount {
  readonly adminId: string;
  readonly username: string;
  readonly password: string;
  readonly api: TestAdmin;
}

/** The account helpers of the endpoint `endpoint()` returns (read at each call: test files start it in beforeAll). */
export function adminAccounts(endpoint: () => TestEndpoint) {
  let accounts = 0;
  const loginRaw = (username: string, password: string, cookie?: string): Promise<TestResponse> => {
    const t = endpoint();
    return httpsRequest(t.endpoint.url, t.ca, 'POST', '/v1/session', {
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ username, password }),
    });
  };
  const login = async (username: string, password: string, cookie?: string): Promise<TestSession> => {
    const res = await loginRaw(username, password, cookie);
    if (res.status !== 200) throw new Error(`login ${username} → ${res.status} ${res.text}`);
    const setCookie = String(res.headers['set-cookie']);
    return { cookie: setCookie.split(';')[0] as string, csrf: (res.body as { csrfToken: string }).csrfToken };
  };
  const withSession = (s: TestSession, method: string, path: string, body?: unknown, csrf = true): Promise<TestResponse> => {
    const t = endpoint();
    return httpsRequest(t.endpoint.url, t.ca, method, path, {
      headers: { cookie: s.cookie, ...(csrf ? { 'x-csrf-token': s.csrf } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  };
  /** A new admin account with `role` (and scope) and a personal API token of it. */
  const adminWith = async (role: string, scopeGroupIds?: string[]): Promise<TestAccount> => {
    const t = endpoint();
    const username = `user${++accounts}-${role}`;
    const password = `correct horse ${accounts} battery`;
    const { adminId } = await t.admin.ok<{ adminId: string }>('POST', '/admins', { username, role, password, ...(scopeGroupIds ? { scopeGroupIds } : {}) });
    const created = await withSession(await login(username, password), 'POST', '/v1/admin/api-tokens', { name: 'tests' });
    if (created.status !== 201) throw new Error(`creating an API token for ${username} → ${created.status} ${created.text}`);
    return { adminId, username, password, api: new TestAdmin(t.endpoint.url, t.ca, (created.body as { token: string }).token) };
  };
  return { loginRaw, login, withSession, adminWith };
}
