// Who is calling /v1/admin/*: a bearer token (the bootstrap admin.token, or a personal API token `atp_…`) or a
// console session cookie with, for writes, its CSRF token. Answers an AdminPrincipal or says exactly why not.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import { tokenHash } from '../../pki/tokens.js';
import type { AdminRecord, AdminSessionRecord } from '../../store/admin-store.js';
import type { ManagementStore } from '../../store/store.js';
import { ADMIN_ROLES, type AdminPrincipal, type AdminRole } from '../admin-principal.js';

/** Name of the console session cookie (contract 1). */
export const SESSION_COOKIE = '__Host-attache_session';
/** Header carrying the session's CSRF token on writes. */
export const CSRF_HEADER = 'x-csrf-token';
/** Prefix of personal API tokens. */
export const API_TOKEN_PREFIX = 'atp_';
/** Idle session lifetime (sliding) and absolute lifetime. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3_600_000;
/** Writes of "last used" and of the sliding expiry happen at most this often per token or session. */
export const TOUCH_INTERVAL_MS = 60_000;

/** What a request presents. */
export interface AdminCredentials {
  readonly bearer?: string;
  readonly sessionId?: string;
  readonly csrfToken?: string;
  readonly method: string;
  readonly sourceAddress: string;
}

export interface AuthenticatorDeps {
  readonly store: ManagementStore;
  readonly clock: Pick<Clock, 'now'>;
  /** SHA-256 hex of admin.token: the bootstrap Administrator's token. */
  readonly adminTokenHash: string;
}

function unauthorized(why: string): AttacheError {
  return new AttacheError('ADMIN_UNAUTHORIZED', why);
}

/** Constant-time equality of two strings (by their SHA-256, so lengths leak nothing either). */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** The role of a stored admin; a row with an unknown role has none (it authenticates nobody). */
export function storedRole(admin: AdminRecord): AdminRole {
  if (!(ADMIN_ROLES as readonly string[]).includes(admin.role))
    throw new AttacheError('STORE_CORRUPT', `admin ${admin.adminId} has an unknown role ${JSON.stringify(admin.role)}`);
  return admin.role as AdminRole;
}

/** The principal of an admin account, or 401 when it is disabled. */
export function principalOf(admin: AdminRecord, via: Pick<AdminPrincipal, 'authMethod' | 'tokenId' | 'sourceAddress'>): AdminPrincipal {
  if (admin.disabled) throw unauthorized(`admin account ${admin.username} is disabled`);
  return {
    adminId: admin.adminId,
    username: admin.username,
    role: storedRole(admin),
    scopeGroupIds: admin.scopeGroupIds,
    authMethod: via.authMethod,
    ...(via.tokenId === undefined ? {} : { tokenId: via.tokenId }),
    sourceAddress: via.sourceAddress,
  };
}

/** Authenticates admin requests against the store (every replica sees the same accounts, tokens and sessions). */
export class AdminAuthenticator {
  private readonly adminTokenHash: Buffer;

  constructor(private readonly deps: AuthenticatorDeps) {
    this.adminTokenHash = Buffer.from(deps.adminTokenHash, 'hex');
  }

  /** The principal, or ADMIN_UNAUTHORIZED (why), or CSRF_FAILED for a cookie write without its CSRF token. */
  async authenticate(c: AdminCredentials): Promise<AdminPrincipal> {
    if (c.bearer !== undefined) return this.byToken(c.bearer, c.sourceAddress);
    if (c.sessionId !== undefined) return this.bySession(c);
    throw unauthorized('no admin credentials: send Authorization: Bearer <token> or log in to the console');
  }

  private async byToken(token: string, sourceAddress: string): Promise<AdminPrincipal> {
    const hash = tokenHash(token);
    const presented = Buffer.from(hash, 'hex');
    if (presented.length === this.adminTokenHash.length && timingSafeEqual(presented, this.adminTokenHash)) {
      const adminId = await this.deps.store.getMeta('bootstrapAdminId');
      const admin = adminId === undefined ? undefined : await this.deps.store.getAdmin(adminId);
      if (!admin) throw unauthorized('the admin token belongs to the bootstrap Administrator account, which was deleted');
      return principalOf(admin, { authMethod: 'apiToken', sourceAddress });
    }
    // Looked up by SHA-256: timing reveals nothing about stored tokens, only about hashes the caller chose.
    const record = token.startsWith(API_TOKEN_PREFIX) ? await this.deps.store.getAdminApiTokenByHash(hash) : undefined;
    if (!record) throw unauthorized('unknown admin token');
    if (record.revokedAt !== null) throw unauthorized(`API token ${record.tokenId} was revoked at ${record.revokedAt}`);
    const now = this.deps.clock.now();
    if (Date.parse(record.expiresAt) <= now) throw unauthorized(`API token ${record.tokenId} expired at ${record.expiresAt}`);
    const admin = await this.deps.store.getAdmin(record.adminId);
    if (!admin) throw unauthorized('unknown admin token');
    const principal = principalOf(admin, { authMethod: 'apiToken', tokenId: record.tokenId, sourceAddress });
    await this.deps.store.touchAdminApiToken(record.tokenId, new Date(now).toISOString(), new Date(now - TOUCH_INTERVAL_MS).toISOString());
    return principal;
  }

  private async bySession(c: AdminCredentials): Promise<AdminPrincipal> {
    const { session, admin } = await this.session(c.sessionId ?? '');
    if (c.method !== 'GET' && c.method !== 'HEAD' && !(c.csrfToken !== undefined && constantTimeEqual(c.csrfToken, session.csrfToken))) {
      throw new AttacheError('CSRF_FAILED', `a console-session ${c.method} needs the ${CSRF_HEADER} header of its session`);
    }
    return principalOf(admin, { authMethod: 'session', sourceAddress: c.sourceAddress });
  }

  /** The live session of a cookie value and its admin (sliding its idle expiry at most once a minute), or 401. */
  async session(sessionId: string): Promise<{ session: AdminSessionRecord; admin: AdminRecord }> {
    const sessionHash = tokenHash(sessionId);
    const session = await this.deps.store.getAdminSession(sessionHash);
    if (!session) throw unauthorized('unknown or ended console session: log in again');
    const now = this.deps.clock.now();
    if (Date.parse(session.expiresAt) <= now || Date.parse(session.absoluteExpiresAt) <= now) {
      await this.deps.store.deleteAdminSession(sessionHash);
      throw unauthorized('console session expired: log in again');
    }
    const admin = await this.deps.store.getAdmin(session.adminId);
    if (!admin) throw unauthorized('unknown or ended console session: log in again');
    const idle = now + SESSION_IDLE_MS;
    let expiresAt = session.expiresAt;
    if (idle - Date.parse(session.expiresAt) >= TOUCH_INTERVAL_MS) {
      expiresAt = new Date(Math.min(idle, Date.parse(session.absoluteExpiresAt))).toISOString();
      await this.deps.store.extendAdminSession(sessionHash, expiresAt);
    }
    return { session: { ...session, expiresAt }, admin };
  }
}
