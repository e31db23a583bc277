// Integration test of the dynamic group rule preview (POST /v1/admin/groups/preview) over HTTPS: it names the devices
// saving the rule gives the group, pages by hostname, refuses a bad rule or query as PUT …/rule and the device list do,
// keeps to a scoped admin's groups, needs groups.write, and stores and audits nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import { type DynamicGroupRule, type Group, GroupRulePreview } from '../../../policy-schemas/src/index.js';
import { adminAccount } from '../testing/admin-accounts.js';
import type { TestAdmin } from '../testing/admin-api.js';
import { errorCode, type TestDevice } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t?.close();
});

/** The preview's answer, checked against its schema. */
async function preview(api: TestAdmin, rule: DynamicGroupRule, query = ''): Promise<GroupRulePreview> {
  return validate(GroupRulePreview, await api.ok('POST', `/groups/preview${query}`, { rule }), 'group rule preview');
}

/** Devices tagged with a fresh tag: hostnames `<tag>-0…`, Linux unless `windows` says how many are Windows. */
async function tagged(count: number, windows = 0): Promise<{ tag: string; devices: TestDevice[] }> {
  const tag = `pv-${randomUUID().slice(0, 8)}`;
  const devices: TestDevice[] = [];
  for (let i = 0; i < count; i++) {
    const platform = i < windows ? 'windows' : 'linux';
    devices.push(await t.enrolledDevice({ facts: { hostname: `${tag}-${i}`, platform, osVersion: platform === 'linux' ? '6.8' : '10.0.22631' }, tags: [tag] }));
  }
  return { tag, devices };
}

describe('dynamic group rule preview', () => {
  it('names the devices saving the rule makes members (revoked devices left out), without storing anything', async () => {
    const { tag, devices } = await tagged(4, 2);
    await t.admin.ok('POST', `/devices/${devices[3]?.deviceId}/revoke`);
    const rule: DynamicGroupRule = {
      match: 'all',
      conditions: [
        { attribute: 'tags', contains: tag.toUpperCase() },
        { attribute: 'platform', equals: 'linux' },
      ],
    };
    const groupsBefore = await t.admin.ok<{ groups: Group[] }>('GET', '/groups');
    const answer = await preview(t.admin, rule);
    expect(answer.devices.map((d) => d.hostname)).toEqual([`${tag}-2`]);
    expect(answer).toMatchObject({ total: 1, nextCursor: null, problems: [] });
    expect(await t.admin.ok('GET', '/groups')).toEqual(groupsBefore);

    const group = await t.admin.ok<Group>('POST', '/groups', { name: tag, rule });
    const members = (await t.admin.ok<{ devices: { deviceId: string; groups: string[] }[] }>('GET', '/devices')).devices.filter((d) => d.groups.includes(tag));
    expect(members.map((d) => d.deviceId)).toEqual(answer.devices.map((d) => d.deviceId));
    expect(group.memberCount).toBe(answer.total);
    // `any`: either condition; the preview follows the rule it is given, not the saved one.
    expect((await preview(t.admin, { ...rule, match: 'any' })).devices.map((d) => d.hostname)).toContain(`${tag}-0`);
  });

  it('pages by hostname with limit and cursor, the total on every page', async () => {
    const { tag } = await tagged(5);
    const rule: DynamicGroupRule = { match: 'all', conditions: [{ attribute: 'tags', contains: tag }] };
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    do {
      const page = await preview(t.admin, rule, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.total).toBe(5);
      seen.push(...page.devices.map((d) => d.hostname));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => `${tag}-${i}`));
  });

  it.each([
    [{ rule: { match: 'all', conditions: [{ attribute: 'osVersion', startsWith: '' }] } }, '', 'SCHEMA_INVALID', '/rule/conditions/0/startsWith'],
    [{ rule: { match: 'all', conditions: [] } }, '', 'SCHEMA_INVALID', '/rule/conditions'],
    [{ rule: { match: 'all', conditions: [{ attribute: 'os', equals: 'windowsClient' }] } }, '', 'SCHEMA_INVALID', '/rule/conditions/0'],
    [{ match: 'all', conditions: [{ attribute: 'platform', equals: 'linux' }] }, '', 'SCHEMA_INVALID', 'rule'],
    [{ rule: { match: 'all', conditions: [{ attribute: 'platform', equals: 'linux' }] } }, '?limit=0', 'QUERY_INVALID', 'limit'],
    [{ rule: { match: 'all', conditions: [{ attribute: 'platform', equals: 'linux' }] } }, '?cursor=nope!', 'QUERY_INVALID', 'cursor'],
    [{ rule: { match: 'all', conditions: [{ attribute: 'platform', equals: 'linux' }] } }, '?sort=hostname', 'QUERY_INVALID', 'sort'],
  ])('refuses %j%s with 400 %s naming %s', async (body, query, code, named) => {
    const res = await t.admin.call('POST', `/groups/preview${query}`, body);
    expect([res.status, errorCode(res)]).toEqual([400, code]);
    expect(JSON.stringify(res.body)).toContain(named);
  });

  it("keeps to a scoped admin's groups, and needs groups.write", async () => {
    const { tag, devices } = await tagged(3);
    const scope = await t.admin.ok<Group>('POST', '/groups', { name: `${tag}-scope` });
    await t.admin.ok('POST', `/groups/${scope.groupId}/members`, { deviceId: devices[1]?.deviceId });
    const rule: DynamicGroupRule = { match: 'all', conditions: [{ attribute: 'tags', contains: tag }] };
    const manager = await adminAccount(t, 'endpointSecurityManager', [scope.groupId]);
    const scoped = await preview(manager.api, rule);
    expect(scoped.devices.map((d) => d.deviceId)).toEqual([devices[1]?.deviceId]);
    expect(scoped.total).toBe(1);
    expect((await preview(t.admin, rule)).total).toBe(3);

    const helpDesk = await adminAccount(t, 'helpDeskOperator');
    const refused = await helpDesk.api.call('POST', '/groups/preview', { rule });
    expect([refused.status, errorCode(refused)]).toEqual([403, 'ADMIN_FORBIDDEN']);
    expect(JSON.stringify(refused.body)).toContain('groups.write');
  });

  it('is not recorded in the audit log (a read)', async () => {
    const count = async () => (await t.admin.ok<{ entries: unknown[] }>('GET', '/audit?limit=500')).entries.length;
    const before = await count();
    await preview(t.admin, { match: 'any', conditions: [{ attribute: 'os', equals: 'windowsServer' }] });
    expect(await count()).toBe(before);
  });
});
