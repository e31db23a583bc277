// Admin identity across two endpoint replicas on one PostgreSQL database: one bootstrap Administrator (its password
// written by the first replica only), sessions, API tokens, revocation and lockout take effect on both at once.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAdmin } from '../testing/admin-api.js';
import { errorCode, httpsRequest, type TestResponse } from '../testing/https-client.js';
import { type ReplicaPair, startReplicaPair } from '../testing/replica-pair.js';
import type { TestEndpoint } from '../testing/test-endpoint.js';

let pair: ReplicaPair;
let a: TestEndpoint;
let b: TestEndpoint;

beforeAll(async () => {
  pair = await startReplicaPair();
  ({ a, b } = pair);
});

afterAll(async () => {
  await pair?.close();
});

function loginOn(t: TestEndpoint, username: string, password: string): Promise<TestResponse> {
  return httpsRequest(t.endpoint.url, t.ca, 'POST', '/v1/session', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

describe('admin identity on two replicas', () => {
  it('has one bootstrap Administrator whose password only the first replica wrote', async () => {
    await expect(access(join(b.dir, 'admin-password'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await a.admin.ok<{ admins: unknown[] }>('GET', '/admins')).admins).toHaveLength(1);
    expect(await b.admin.ok('GET', '/me')).toMatchObject({ username: 'admin' });
  });

  it('accepts a session made on one replica on the other, and a logout on either ends it on both', async () => {
    const res = await loginOn(a, 'admin', (await readFile(join(a.dir, 'admin-password'), 'utf8')).trim());
    expect(res.status).toBe(200);
    const cookie = String(res.headers['set-cookie']).split(';')[0] as string;
    const csrf = (res.body as { csrfToken: string }).csrfToken;
    expect((await httpsRequest(b.endpoint.url, b.ca, 'GET', '/v1/admin/devices', { headers: { cookie } })).status).toBe(200);
    expect((await httpsRequest(b.endpoint.url, b.ca, 'DELETE', '/v1/session', { headers: { cookie, 'x-csrf-token': csrf } })).status).toBe(204);
    expect(errorCode(await httpsRequest(a.endpoint.url, a.ca, 'GET', '/v1/admin/devices', { headers: { cookie } }))).toBe('ADMIN_UNAUTHORIZED');
  });

  it('refuses on one replica a token revoked through the other, at once', async () => {
    const created = await a.admin.ok<{ tokenId: string; token: string }>('POST', '/api-tokens', { name: 'replicas' });
    const onB = new TestAdmin(b.endpoint.url, b.ca, created.token);
    expect((await onB.call('GET', '/me')).status).toBe(200);
    expect((await b.admin.call('DELETE', `/api-tokens/${created.tokenId}`)).status).toBe(204);
    expect(JSON.stringify((await new TestAdmin(a.endpoint.url, a.ca, created.token).call('GET', '/me')).body)).toContain('revoked');
  });

  it('counts failed logins on both replicas toward one lockout', async () => {
    await a.admin.ok('POST', '/admins', { username: 'shared', role: 'readOnlyOperator', password: 'a good long password' });
    const codes: (string | undefined)[] = [];
    for (const t of [a, b, a, b, a]) codes.push(errorCode(await loginOn(t, 'shared', 'wrong wrong wrong')));
    expect(codes.at(-1)).toBe('LOGIN_LOCKED');
    expect(errorCode(await loginOn(b, 'shared', 'a good long password'))).toBe('LOGIN_LOCKED');
  });
});
