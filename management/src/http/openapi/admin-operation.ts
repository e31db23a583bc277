// What the document says about each /v1/admin operation beyond its entry, read from the tables the endpoint enforces:
// the permission it needs (ROUTE_PERMISSIONS, service/identity/roles.ts) and the audit action it records with the
// errors of the audit hooks (AUDITED_ROUTES, ../audit-actions.ts). Nothing here is copied, so the two cannot drift.
import type { ErrorCode } from '../../../../common/errors.js';
import { type Permission, routePermission, scopeRule } from '../../service/identity/roles.js';
import { auditedRoute } from '../audit-actions.js';

/** The prefix of the admin API (server.ts registers its routes under it). */
export const ADMIN_PREFIX = '/v1/admin';

/** `/v1/admin/policies/{id}` (OpenAPI) → `/v1/admin/policies/:id` (fastify's route pattern, the key of both tables). */
export function fastifyPath(openApiPath: string): string {
  return openApiPath.replace(/\{([^}]+)\}/g, ':$1');
}

/** Whether `path` is an admin API path. */
export function isAdminPath(path: string): boolean {
  return path.startsWith(`${ADMIN_PREFIX}/`);
}

/** The permission `METHOD path` needs; undefined when nobody mapped it (then it is Administrator-only). */
export function adminPermission(method: string, path: string): Permission | undefined {
  return routePermission(method, fastifyPath(path));
}

/**
 * The audit action `METHOD path` records (audit-hooks.ts): none for a read or a read-only write (what-if), the
 * action of AUDITED_ROUTES otherwise (an unmapped write is recorded as `<METHOD> <route>`).
 */
export function adminAuditAction(method: string, path: string): string | undefined {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return undefined;
  const route = auditedRoute(method, fastifyPath(path).slice(ADMIN_PREFIX.length));
  return 'readOnly' in route ? undefined : route.action;
}

/** The errors of an audited write: refused while the audit log cannot be written, or its entry not written. */
export function adminAuditErrors(method: string, path: string): readonly ErrorCode[] {
  return adminAuditAction(method, path) === undefined ? [] : ['AUDIT_UNAVAILABLE', 'AUDIT_WRITE_FAILED'];
}

/** What scoped admins get (SCOPE_SAFE_WRITES, service/identity/roles.ts): `refused`, a scope check, or undefined for a read. */
export function adminScopeRule(method: string, path: string): string | undefined {
  return scopeRule(method, fastifyPath(path));
}

/**
 * The vendor extensions of an admin operation: `x-attache-permission`, when it records one `x-attache-audit-action`,
 * and for writes and refused reads `x-attache-scoped-admins` (what a scoped admin gets).
 */
export function adminExtensions(method: string, path: string): Record<`x-${string}`, string> {
  const permission = adminPermission(method, path);
  const action = adminAuditAction(method, path);
  const scoped = adminScopeRule(method, path);
  return {
    ...(permission ? { 'x-attache-permission': permission } : {}),
    ...(action ? { 'x-attache-audit-action': action } : {}),
    ...(scoped ? { 'x-attache-scoped-admins': scoped } : {}),
  };
}

/** One sentence for the operation's description (OpenAPI viewers hide `x-` extensions). */
export function adminNote(method: string, path: string): string {
  const permission = adminPermission(method, path);
  const action = adminAuditAction(method, path);
  const needs = permission ? `Needs the permission \`${permission}\`` : 'Administrator only (no permission is mapped to it)';
  const scoped = adminScopeRule(method, path);
  const scope = scoped === undefined ? '' : scoped === 'refused' ? ' Refused to scoped admins.' : ' Scoped admins: only within their scope groups and devices.';
  return `${needs}${action ? `; recorded in the audit log as \`${action}\`` : ''}.${scope}`;
}
