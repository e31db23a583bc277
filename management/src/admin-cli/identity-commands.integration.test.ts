// Integration test of the admin CLI's identity commands against a real endpoint: whoami, role list, admin
// create/list/show/update/set-password/delete, token create/list/revoke, and a created token used with --token-file.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminAccount, AdminMe, AdminRoleInfo, ApiToken, ApiTokenCreated } from '../../../policy-schemas/src/index.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { adminCliRunner } from './testing/cli-runner.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t.close();
});

const { cli, json } = adminCliRunner(() => t.dir);

describe('attache-admin identity commands', () => {
  it('says who the admin token is and lists the roles', async () => {
    expect(await json<AdminMe>('whoami')).toMatchObject({ username: 'admin', role: 'administrator', authMethod: 'apiToken' });
    const { roles } = await json<{ roles: AdminRoleInfo[] }>('role', 'list');
    expect(roles.map((r) => r.role)).toContain('helpDeskOperator');
    expect((await cli('role', 'list')).out).toContain('Help Desk Operator');
  });

  it('creates, changes, re-passwords and deletes an admin account', async () => {
    const passwordFile = join(t.dir, 'new-admin-password');
    await writeFile(passwordFile, 'a long enough passphrase\n', { mode: 0o600 });
    const group = await t.admin.ok<{ groupId: string }>('POST', '/groups', { name: 'Desk-East' });
    const created = await json<AdminAccount>(
      'admin',
      'create',
      'Dana',
      '--role',
      'helpDeskOperator',
      '--password-file',
      passwordFile,
      '--scope-group',
      'Desk-East',
    );
    expect(created).toMatchObject({ username: 'Dana', role: 'helpDeskOperator', scopeGroupIds: [group.groupId] });
    expect((await cli('admin', 'list')).out).toMatch(/Dana\s+Dana\s+helpDeskOperator/);
    const updated = await json<AdminAccount>('admin', 'update', 'dana', '--role', 'readOnlyOperator', '--all-devices');
    expect(updated).toMatchObject({ role: 'readOnlyOperator', scopeGroupIds: null });
    await writeFile(passwordFile, 'another long passphrase\n');
    expect(await json('admin', 'set-password', 'dana', '--password-file', passwordFile)).toEqual({ adminId: created.adminId, passwordSet: true });
    expect((await cli('admin', 'show', created.adminId)).out).toContain('readOnlyOperator');
    expect(await json('admin', 'delete', 'Dana')).toEqual({ adminId: created.adminId, deleted: true });
    const gone = await cli('admin', 'show', created.adminId);
    expect([gone.code, gone.err]).toEqual([1, expect.stringContaining('NOT_FOUND')]);
  });

  it('refuses to demote the last Administrator with a clear error', async () => {
    const res = await cli('admin', 'update', 'admin', '--role', 'readOnlyOperator');
    expect(res.code).not.toBe(0);
    expect(res.err).toContain('LAST_ADMINISTRATOR');
  });

  it('creates a personal token that works with --token-file, lists it with its last use, and revokes it', async () => {
    const created = await json<ApiTokenCreated>('token', 'create', '--name', 'ci', '--expires-in-days', '30');
    expect(created.token).toMatch(/^atp_/);
    const tokenFile = join(t.dir, 'ci.token');
    await writeFile(tokenFile, `${created.token}\n`, { mode: 0o600 });
    expect((await json<AdminMe>('--token-file', tokenFile, 'whoami')).authMethod).toBe('apiToken');
    const { apiTokens } = await json<{ apiTokens: ApiToken[] }>('token', 'list');
    expect(apiTokens.find((k) => k.tokenId === created.tokenId)?.lastUsedAt).not.toBeNull();
    expect(await json('token', 'revoke', created.tokenId)).toEqual({ tokenId: created.tokenId, revoked: true });
    const refused = await cli('--token-file', tokenFile, 'whoami');
    expect(refused.err).toMatch(/ADMIN_UNAUTHORIZED: API token .* was revoked/);
    expect((await cli('token', 'create', '--name', 'x', '--expires-in-days', '400')).code).not.toBe(0);
  });
});
