// Recovering an account over real HTTPS on loopback: disabling it, an Administrator setting its password and the
// offline reset revoke its personal API tokens, so none outlives the recovery or comes back when it is enabled again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../logging.js';
import { adminReset } from '../service/identity/reset-command.js';
import { adminAccount } from '../testing/admin-accounts.js';
import { errorCode } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

let t: TestEndpoint;

beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t?.close();
});

describe('API tokens on account recovery', () => {
  it('revokes them when the account is disabled: enabling it again does not revive them', async () => {
    const account = await adminAccount(t, 'readOnlyOperator');
    await t.admin.ok('PATCH', `/admins/${account.adminId}`, { disabled: true });
    await t.admin.ok('PATCH', `/admins/${account.adminId}`, { disabled: false });
    const res = await account.api.call('GET', '/me');
    expect([res.status, errorCode(res)]).toEqual([401, 'ADMIN_UNAUTHORIZED']);
    expect(JSON.stringify(res.body)).toContain('revoked');
  });

  it('revokes them when an Administrator sets the password, not when the admin changes its own', async () => {
    const account = await adminAccount(t, 'helpDeskOperator');
    await account.api.ok('PUT', `/admins/${account.adminId}/password`, { currentPassword: account.password, password: 'my own new password' });
    expect((await account.api.call('GET', '/me')).status).toBe(200);
    await t.admin.ok('PUT', `/admins/${account.adminId}/password`, { password: 'set by the administrator' });
    expect(errorCode(await account.api.call('GET', '/me'))).toBe('ADMIN_UNAUTHORIZED');
  });

  it('revokes them at the offline reset', async () => {
    const account = await adminAccount(t, 'administrator');
    await adminReset({ dataDir: t.dir, username: account.username }, createSilentLogger());
    expect(errorCode(await account.api.call('GET', '/me'))).toBe('ADMIN_UNAUTHORIZED');
    expect((await t.admin.call('GET', '/me')).status).toBe(200);
  });
});
