// Tests of the built-in roles and route permissions: what each role may do, deny by default, and 403 messages that
// name the missing permission.
import { describe, expect, it } from 'vitest';
import { AttacheError } from '../../../../common/errors.js';
import { ADMIN_ROLES, type AdminRole } from '../admin-principal.js';
import { allowedRoutes, authorizeRoute, PERMISSIONS, ROLES, ROUTE_PERMISSIONS, roleAllows, routePermission, SCOPE_SAFE_WRITES } from './roles.js';

function refusal(role: AdminRole, method: string, route: string, scopeGroupIds: readonly string[] | null = null): string | undefined {
  try {
    authorizeRoute({ role, scopeGroupIds }, method, route);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(AttacheError);
    expect((err as AttacheError).code).toBe('ADMIN_FORBIDDEN');
    return (err as AttacheError).message;
  }
}

describe('roles', () => {
  it('defines every built-in role, and the Administrator has every permission', () => {
    expect(Object.keys(ROLES)).toEqual([...ADMIN_ROLES]);
    for (const p of PERMISSIONS) expect(roleAllows('administrator', p)).toBe(true);
  });

  it('maps only known permissions', () => {
    for (const p of Object.values(ROUTE_PERMISSIONS)) expect(PERMISSIONS).toContain(p);
  });

  it('lets a Read Only Operator use GET routes only', () => {
    for (const [key, permission] of Object.entries(ROUTE_PERMISSIONS)) {
      const method = key.split(' ')[0] as string;
      const allowed = roleAllows('readOnlyOperator', permission);
      if (method !== 'GET' && permission !== 'self') expect([key, allowed]).toEqual([key, false]);
    }
    expect(refusal('readOnlyOperator', 'GET', '/v1/admin/devices/:id')).toBeUndefined();
  });

  it('lets a Help Desk Operator sync and rotate device keys but change no policy, assignment or group', () => {
    expect(refusal('helpDeskOperator', 'POST', '/v1/admin/devices/:id/sync')).toBeUndefined();
    expect(refusal('helpDeskOperator', 'POST', '/v1/admin/devices/:id/rotate-key')).toBeUndefined();
    expect(refusal('helpDeskOperator', 'POST', '/v1/admin/policies')).toContain('policies.write');
    expect(refusal('helpDeskOperator', 'POST', '/v1/admin/assignments')).toContain('assignments.write');
    expect(refusal('helpDeskOperator', 'PUT', '/v1/admin/groups/:id/rule')).toContain('groups.write');
    expect(refusal('helpDeskOperator', 'POST', '/v1/admin/devices/:id/revoke')).toContain('devices.revoke');
  });

  it('lets an Endpoint Security Manager change policy but not admins, onboarding or the signing key', () => {
    expect(refusal('endpointSecurityManager', 'POST', '/v1/admin/policies')).toBeUndefined();
    expect(refusal('endpointSecurityManager', 'POST', '/v1/admin/what-if')).toBeUndefined();
    expect(refusal('endpointSecurityManager', 'POST', '/v1/admin/admins')).toContain('admins.write');
    expect(refusal('endpointSecurityManager', 'POST', '/v1/admin/onboarding-packages')).toContain('onboarding.write');
    expect(refusal('endpointSecurityManager', 'POST', '/v1/admin/signing-key/rotate')).toContain('signingKey.rotate');
  });

  it('reserves an unmapped route to the Administrator and treats HEAD as GET', () => {
    expect(refusal('administrator', 'POST', '/v1/admin/something-new')).toBeUndefined();
    expect(refusal('endpointSecurityManager', 'POST', '/v1/admin/something-new')).toContain('reserved to the Administrator');
    expect(routePermission('HEAD', '/v1/admin/devices')).toBe('devices.read');
  });

  it('refuses tenant-wide writes and the audit log to a scoped admin, and allows the scope-safe writes', () => {
    const scope = ['00000000-0000-4000-8000-000000000001'];
    for (const [method, route] of [
      ['POST', '/v1/admin/policies'],
      ['PUT', '/v1/admin/policies/:id'],
      ['DELETE', '/v1/admin/policies/:id'],
      ['POST', '/v1/admin/compliance-policies'],
      ['PUT', '/v1/admin/compliance-policies/:id'],
      ['DELETE', '/v1/admin/compliance-policies/:id'],
      ['POST', '/v1/admin/groups'],
      ['PUT', '/v1/admin/groups/:id/rule'],
      ['DELETE', '/v1/admin/groups/:id'],
    ] as const) {
      expect([route, refusal('endpointSecurityManager', method, route, scope)]).toEqual([route, expect.stringContaining('scoped admins may not')]);
      expect(refusal('endpointSecurityManager', method, route)).toBeUndefined();
    }
    expect(refusal('readOnlyOperator', 'GET', '/v1/admin/audit', scope)).toContain('scoped admins may not use audit.read');
    expect(refusal('readOnlyOperator', 'GET', '/v1/admin/devices', scope)).toBeUndefined();
    for (const key of Object.keys(SCOPE_SAFE_WRITES)) {
      const [method, route] = key.split(' ') as [string, string];
      expect(ROUTE_PERMISSIONS[key]).toBeDefined();
      expect([key, refusal('administrator', method, route, scope)]).toEqual([key, undefined]);
    }
  });

  it('lists the routes an admin may call: role permissions, minus what its scope refuses', () => {
    const scope = ['00000000-0000-4000-8000-000000000001'];
    const unscoped = allowedRoutes({ role: 'endpointSecurityManager', scopeGroupIds: null });
    const scoped = allowedRoutes({ role: 'endpointSecurityManager', scopeGroupIds: scope });
    expect(unscoped).toEqual(expect.arrayContaining(['PUT /v1/admin/policies/:id', 'POST /v1/admin/groups', 'GET /v1/admin/audit']));
    expect(unscoped).not.toContain('POST /v1/admin/admins');
    expect(scoped).toEqual(expect.arrayContaining(['POST /v1/admin/devices/:id/sync', 'POST /v1/admin/assignments', 'GET /v1/admin/policies']));
    for (const key of ['POST /v1/admin/policies', 'PUT /v1/admin/policies/:id', 'POST /v1/admin/groups', 'GET /v1/admin/audit']) {
      expect(scoped).not.toContain(key);
    }
    expect(allowedRoutes({ role: 'administrator', scopeGroupIds: null })).toEqual(Object.keys(ROUTE_PERMISSIONS));
  });
});
