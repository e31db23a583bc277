// Each /v1/admin operation of the document carries the permission ROUTE_PERMISSIONS gives its route and the audit action
// AUDITED_ROUTES records for it; every audited write lists the audit errors; a route nobody mapped shows as unmapped.
import { describe, expect, it } from 'vitest';
import { PERMISSIONS, ROUTE_PERMISSIONS } from '../../service/identity/roles.js';
import { AUDITED_ROUTES } from '../audit-actions.js';
import { adminNote, fastifyPath } from './admin-operation.js';
import { buildOpenApiDocument, parseRouteKey, ROUTE_DOCS } from './document.js';

type Operation = {
  'x-attache-permission'?: string;
  'x-attache-audit-action'?: string;
  'x-attache-scoped-admins'?: string;
  description?: string;
  responses: Record<string, unknown>;
};
const paths = buildOpenApiDocument().paths as Record<string, Record<string, Operation>>;

/** Every admin operation of the document, as `METHOD /path` and the operation. */
const adminOperations = Object.keys(ROUTE_DOCS)
  .map((key) => ({ key, ...parseRouteKey(key) }))
  .filter(({ path }) => path.startsWith('/v1/admin/'))
  .map(({ key, method, path }) => ({ key, method, path, op: paths[path]?.[method.toLowerCase()] as Operation }));

describe('admin operations in the OpenAPI document', () => {
  it('each names the permission ROUTE_PERMISSIONS gives its route', () => {
    expect(adminOperations.length).toBeGreaterThan(50);
    const unmapped = adminOperations.filter(({ op }) => op['x-attache-permission'] === undefined).map(({ key }) => key);
    expect(unmapped, `admin routes without a permission: add them to ROUTE_PERMISSIONS (service/identity/roles.ts)\n${unmapped.join('\n')}`).toEqual([]);
    for (const { key, method, path, op } of adminOperations) {
      expect(op['x-attache-permission'], key).toBe(ROUTE_PERMISSIONS[`${method} ${fastifyPath(path)}`]);
      expect(PERMISSIONS, key).toContain(op['x-attache-permission']);
      expect(op.description, key).toContain(`\`${op['x-attache-permission']}\``);
    }
  });

  it('each write names the audit action AUDITED_ROUTES records for it and answers the audit errors; reads record none', () => {
    let writes = 0;
    for (const { key, method, path, op } of adminOperations) {
      const audited = AUDITED_ROUTES[`${method} ${fastifyPath(path).slice('/v1/admin'.length)}`];
      if (method === 'GET') {
        expect(op['x-attache-audit-action'], key).toBeUndefined();
        continue;
      }
      const action = audited && 'action' in audited ? audited.action : undefined;
      expect(op['x-attache-audit-action'], key).toBe(action);
      if (audited && 'readOnly' in audited) continue;
      expect(action, `${key} has no audit action in AUDITED_ROUTES (../audit-actions.ts)`).toBeDefined();
      writes++;
      expect(JSON.stringify(op.responses['500']), key).toContain('AUDIT_WRITE_FAILED');
      expect(JSON.stringify(op.responses['503']), key).toContain('AUDIT_UNAVAILABLE');
    }
    expect(writes).toBeGreaterThan(25);
    expect(paths['/v1/admin/what-if']?.post?.['x-attache-audit-action']).toBeUndefined();
    expect(paths['/v1/admin/policies/{id}']?.put?.['x-attache-audit-action']).toBe('policy.update');
  });

  it('says what scoped admins get: tenant-wide writes and the audit log refused, scope-safe writes checked', () => {
    expect(paths['/v1/admin/policies']?.post?.['x-attache-scoped-admins']).toBe('refused');
    expect(paths['/v1/admin/groups/{id}/rule']?.put?.['x-attache-scoped-admins']).toBe('refused');
    expect(paths['/v1/admin/audit']?.get?.['x-attache-scoped-admins']).toBe('refused');
    expect(paths['/v1/admin/assignments']?.post?.['x-attache-scoped-admins']).toBe('bodyGroups');
    expect(paths['/v1/admin/assignments']?.post?.description).toContain('Scoped admins: only within their scope');
    expect(paths['/v1/admin/devices']?.get?.['x-attache-scoped-admins']).toBeUndefined();
  });

  it('shows a route nobody mapped as unmapped (Administrator only), and an unmapped write as recorded under its route', () => {
    const built = buildOpenApiDocument({ 'POST /v1/admin/nowhere/{id}': { summary: 's', tag: 'Devices', security: 'admin', responses: {}, errors: [] } });
    const op = (built.paths as Record<string, Record<string, Operation>>)['/v1/admin/nowhere/{id}']?.post;
    expect(op?.['x-attache-permission']).toBeUndefined();
    expect(op?.['x-attache-audit-action']).toBe('POST /nowhere/:id');
    expect(adminNote('POST', '/v1/admin/nowhere/{id}')).toMatch(
      /^Administrator only .*recorded in the audit log as `POST \/nowhere\/:id`\. Refused to scoped admins\.$/,
    );
    expect(op?.['x-attache-scoped-admins']).toBe('refused');
  });

  it('needs no CSRF token or audit entry for a read, and a session cookie write needs the CSRF header', () => {
    const me = paths['/v1/admin/me']?.get as unknown as { security: unknown; responses: Record<string, unknown> };
    expect(me.security).toEqual([{ adminToken: [] }, { consoleSession: [] }]);
    expect(JSON.stringify(me.responses['403'])).not.toContain('CSRF_FAILED');
    const create = paths['/v1/admin/admins']?.post as unknown as { security: unknown; responses: Record<string, unknown> };
    expect(create.security).toEqual([{ adminToken: [] }, { consoleSession: [], csrfToken: [] }]);
    expect(JSON.stringify(create.responses['403'])).toEqual(expect.stringMatching(/ADMIN_FORBIDDEN.*CSRF_FAILED|CSRF_FAILED.*ADMIN_FORBIDDEN/));
  });
});
