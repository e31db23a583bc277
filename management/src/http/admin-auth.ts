// Authentication and authorization of /v1/admin/*: a bearer token (admin.token or a personal API token) or the console
// session cookie (+ x-csrf-token on writes) becomes req.admin; then the route's permission (service/identity/roles.ts)
// is checked against the admin's role, and a scoped admin reaches only devices in its groups.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AttacheError } from '../../../common/errors.js';
import type { ServiceContext } from '../service/context.js';
import { type AdminAuthenticator, CSRF_HEADER, SESSION_COOKIE } from '../service/identity/authenticate.js';
import { authorizeRoute, type ScopeCheck, scopeCheckOf } from '../service/identity/roles.js';
import { requireDeviceInScope, requireGroupsInScope } from '../service/identity/scope.js';

const BEARER_RE = /^Bearer ([!-~]{1,512})$/i;
const COOKIE_VALUE_RE = /^[A-Za-z0-9_-]{1,128}$/;

/** Every value of cookie `name` in a Cookie header, in order (malformed values count as absent). */
export function cookieValues(header: string | undefined, name: string): string[] {
  const values: string[] = [];
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      if (COOKIE_VALUE_RE.test(value)) values.push(value);
    }
  }
  return values;
}

/**
 * The value of cookie `name` in a Cookie header; ADMIN_UNAUTHORIZED when it is sent more than once (one of them was
 * set by someone else: the endpoint does not guess which is the real session).
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  const values = cookieValues(header, name);
  if (values.length > 1)
    throw new AttacheError('ADMIN_UNAUTHORIZED', `the ${name} cookie was sent ${values.length} times; clear the site's cookies and log in again`);
  return values[0];
}

/** The session cookie as Set-Cookie: HttpOnly, Secure, SameSite=Strict, Path=/ (contract 1); empty value + Max-Age=0 clears it. */
export function sessionCookie(value: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${value}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
}

/** The credentials a request presents, for AdminAuthenticator. */
export function credentialsOf(req: FastifyRequest) {
  const authorization = req.headers.authorization;
  const match = BEARER_RE.exec(authorization ?? '');
  if (authorization !== undefined && !match) throw new AttacheError('ADMIN_UNAUTHORIZED', 'the Authorization header is not "Bearer <token>"');
  const sessionId = cookieValue(req.headers.cookie, SESSION_COOKIE);
  const csrf = req.headers[CSRF_HEADER];
  return {
    ...(match?.[1] === undefined ? {} : { bearer: match[1] }),
    ...(sessionId === undefined ? {} : { sessionId }),
    ...(typeof csrf === 'string' ? { csrfToken: csrf } : {}),
    method: req.method,
    sourceAddress: req.ip,
  };
}

/** A fastify onRequest hook: sets req.admin or answers 401 (or 403 CSRF_FAILED for a session write without its token). */
export function adminAuthHook(auth: AdminAuthenticator): (req: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (req) => {
    req.admin = await auth.authenticate(credentialsOf(req));
  };
}

/**
 * A fastify onRequest hook after adminAuthHook (and after the audit hooks, so a refused write is recorded): answers 403
 * ADMIN_FORBIDDEN naming the permission unless the admin's role grants what the route needs.
 */
export async function adminAuthorizeHook(req: FastifyRequest): Promise<void> {
  // An unknown path has no route pattern: it gets the 404 of the not-found handler, not a 403.
  const route = req.routeOptions.url;
  if (route !== undefined && req.admin) authorizeRoute(req.admin, req.method, route);
}

/** Routes acting on one device named by `:id` (every one under /devices/:id, whoever adds it). */
const DEVICE_ROUTE_RE = /^\/v1\/admin\/devices\/:id(\/|$)/;

/** The devices a request names: `:id` under /devices, any `:deviceId` parameter, a `deviceId` in a JSON body. */
function namedDevices(req: FastifyRequest): string[] {
  const params = (req.params ?? {}) as Record<string, unknown>;
  const body = req.body as { deviceId?: unknown } | null | undefined;
  const named = [DEVICE_ROUTE_RE.test(req.routeOptions.url ?? '') ? params.id : undefined, params.deviceId, body?.deviceId];
  return named.filter((id): id is string => typeof id === 'string');
}

/** The groups a scope-safe write touches (SCOPE_SAFE_WRITES in service/identity/roles.ts). */
async function namedGroups(ctx: ServiceContext, req: FastifyRequest, check: ScopeCheck | undefined): Promise<string[]> {
  const params = (req.params ?? {}) as Record<string, unknown>;
  const id = typeof params.id === 'string' ? params.id : '';
  const body = (req.body ?? {}) as { groupId?: unknown; assignments?: unknown };
  switch (check) {
    case 'group':
      return [id];
    case 'bodyGroups': {
      const listed = Array.isArray(body.assignments) ? body.assignments.map((a) => (a as { groupId?: unknown } | null)?.groupId) : [];
      return [body.groupId, ...listed].filter((g): g is string => typeof g === 'string');
    }
    case 'assignment': {
      const found = (await ctx.store.listAssignments()).find((a) => a.assignmentId === id);
      return found ? [found.groupId] : [];
    }
    case 'complianceAssignment': {
      const found = (await ctx.store.listComplianceAssignments()).find((a) => a.assignmentId === id);
      return found ? [found.groupId] : [];
    }
    default:
      return [];
  }
}

/**
 * A `self` write of a scoped admin names its own account or one of its own API tokens: a scoped Administrator setting
 * another admin's password (and logging in as it) would leave its scope.
 */
async function requireOwn(ctx: ServiceContext, req: FastifyRequest, adminId: string): Promise<void> {
  const id = ((req.params ?? {}) as { id?: unknown }).id;
  if (typeof id !== 'string') return;
  const own = (req.routeOptions.url ?? '').startsWith('/v1/admin/api-tokens/')
    ? (await ctx.store.listAdminApiTokens(adminId)).some((t) => t.tokenId === id)
    : id === adminId;
  if (!own) throw new AttacheError('ADMIN_FORBIDDEN', 'scoped admins may only change their own password and API tokens');
}

/**
 * A fastify preHandler (after the body is read): a scoped admin gets NOT_FOUND for a device outside its groups on
 * every route that names one (per-device routes, group membership), and ADMIN_FORBIDDEN for a write touching a group
 * outside its scope (group membership, assignments, what-if). Listings filter through service/identity/scope.ts.
 */
export function adminScopeHook(ctx: ServiceContext): (req: FastifyRequest) => Promise<void> {
  return async (req) => {
    const admin = req.admin;
    const scope = admin?.scopeGroupIds ?? null;
    if (!admin || scope === null) return;
    const check = scopeCheckOf(admin, req.method, req.routeOptions.url ?? '');
    if (check === 'self') await requireOwn(ctx, req, admin.adminId);
    requireGroupsInScope(await namedGroups(ctx, req, check), scope);
    for (const deviceId of namedDevices(req)) await requireDeviceInScope(ctx, deviceId, scope);
  };
}
