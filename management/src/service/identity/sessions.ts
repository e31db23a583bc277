// Console login and logout (POST/DELETE /v1/session): password check with lockout after repeated failures, the same
// answer and about the same time for an unknown user as for a wrong password, and a new session id at every login.
import { randomBytes } from 'node:crypto';
import { AttacheError } from '../../../../common/errors.js';
import { validate } from '../../../../common/validation.js';
import { LoginRequest, type SessionInfo } from '../../../../policy-schemas/src/index.js';
import { tokenHash } from '../../pki/tokens.js';
import type { AdminRecord, AdminSessionRecord } from '../../store/admin-store.js';
import type { ServiceContext } from '../context.js';
import { type AdminAuthenticator, principalOf, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, storedRole } from './authenticate.js';
import { dummyPasswordHash, verifyPassword } from './passwords.js';
import { recordSecurityEvent } from './security-events.js';

/** Failed logins in a row that lock an account, and for how long. */
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MS = 15 * 60_000;
const LOGIN_FAILED_MESSAGE = 'wrong username or password';

type Ctx = Pick<ServiceContext, 'store' | 'clock' | 'logger'>;

/** A login that succeeded: the answer body and the cookie value (the session id, never stored). */
export interface LoginOutcome {
  readonly info: SessionInfo;
  readonly sessionId: string;
}

/** The body of POST/GET /v1/session. */
export function sessionInfo(admin: AdminRecord, session: Pick<AdminSessionRecord, 'csrfToken' | 'expiresAt'>): SessionInfo {
  return {
    admin: {
      adminId: admin.adminId,
      username: admin.username,
      displayName: admin.displayName,
      role: storedRole(admin),
      scopeGroupIds: admin.scopeGroupIds ? [...admin.scopeGroupIds] : null,
    },
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
  };
}

function lockedError(lockedUntil: string, now: number): AttacheError {
  const retryAfterMs = Math.max(1000, Date.parse(lockedUntil) - now);
  return new AttacheError('LOGIN_LOCKED', `account locked after ${LOCKOUT_THRESHOLD} failed logins until ${lockedUntil}`, { retryAfterMs });
}

/**
 * Checks the password and opens a session. `previousSessionId` (a cookie the browser still sent) is ended: a session
 * id planted before login never becomes an authenticated one (session fixation).
 */
export async function login(ctx: Ctx, body: unknown, sourceAddress: string, previousSessionId?: string): Promise<LoginOutcome> {
  const request = validate(LoginRequest, body ?? {}, 'login request');
  const now = ctx.clock.now();
  const at = new Date(now).toISOString();
  if (previousSessionId !== undefined) await ctx.store.deleteAdminSession(tokenHash(previousSessionId));
  const admin = await ctx.store.getAdminByUsername(request.username);
  if (!admin) {
    await verifyPassword(request.password, await dummyPasswordHash());
    recordSecurityEvent(ctx.logger, {
      action: 'session.loginFailed',
      actor: null,
      username: request.username,
      sourceAddress,
      at,
      outcome: 'failure',
      errorCode: 'LOGIN_FAILED',
    });
    throw new AttacheError('LOGIN_FAILED', LOGIN_FAILED_MESSAGE);
  }
  const actor = { adminId: admin.adminId, username: admin.username, role: storedRole(admin) };
  if (admin.lockedUntil !== null && Date.parse(admin.lockedUntil) > now) {
    recordSecurityEvent(ctx.logger, { action: 'session.loginFailed', actor, sourceAddress, at, outcome: 'failure', errorCode: 'LOGIN_LOCKED' });
    throw lockedError(admin.lockedUntil, now);
  }
  if (!(await verifyPassword(request.password, admin.passwordHash)) || admin.disabled) {
    await failed(ctx, admin, sourceAddress, now);
    throw new AttacheError('LOGIN_FAILED', LOGIN_FAILED_MESSAGE);
  }
  if (admin.failedLogins !== 0 || admin.lockedUntil !== null) await ctx.store.updateAdmin(admin.adminId, { failedLogins: 0, lockedUntil: null }, at);
  const sessionId = randomBytes(32).toString('base64url');
  const session: AdminSessionRecord = {
    sessionHash: tokenHash(sessionId),
    adminId: admin.adminId,
    csrfToken: randomBytes(32).toString('base64url'),
    createdAt: at,
    expiresAt: new Date(now + SESSION_IDLE_MS).toISOString(),
    absoluteExpiresAt: new Date(now + SESSION_ABSOLUTE_MS).toISOString(),
    sourceAddress,
  };
  await ctx.store.createAdminSession(session);
  recordSecurityEvent(ctx.logger, { action: 'session.login', actor, sourceAddress, at, outcome: 'success' });
  return { info: sessionInfo(admin, session), sessionId };
}

/** Counts a failed login; the LOCKOUT_THRESHOLD-th locks the account (and answers LOGIN_LOCKED). */
async function failed(ctx: Ctx, admin: AdminRecord, sourceAddress: string, now: number): Promise<void> {
  const at = new Date(now).toISOString();
  const actor = { adminId: admin.adminId, username: admin.username, role: storedRole(admin) };
  const failures = admin.failedLogins + 1;
  recordSecurityEvent(ctx.logger, { action: 'session.loginFailed', actor, sourceAddress, at, outcome: 'failure', errorCode: 'LOGIN_FAILED' });
  if (failures < LOCKOUT_THRESHOLD) {
    await ctx.store.updateAdmin(admin.adminId, { failedLogins: failures }, at);
    return;
  }
  const lockedUntil = new Date(now + LOCKOUT_MS).toISOString();
  await ctx.store.updateAdmin(admin.adminId, { failedLogins: 0, lockedUntil }, at);
  recordSecurityEvent(ctx.logger, { action: 'session.lockout', actor, sourceAddress, at, outcome: 'failure', errorCode: 'LOGIN_LOCKED' });
  throw lockedError(lockedUntil, now);
}

/** The body of GET /v1/session for a cookie; 401 when it names no live session. */
export async function currentSession(auth: AdminAuthenticator, sessionId: string | undefined): Promise<SessionInfo> {
  if (sessionId === undefined) throw new AttacheError('ADMIN_UNAUTHORIZED', 'not logged in');
  const { session, admin } = await auth.session(sessionId);
  principalOf(admin, { authMethod: 'session', sourceAddress: session.sourceAddress });
  return sessionInfo(admin, session);
}

/** Ends the session of the cookie (the caller has checked its CSRF token). */
export async function logout(
  ctx: Ctx,
  auth: AdminAuthenticator,
  sessionId: string | undefined,
  csrfToken: string | undefined,
  sourceAddress: string,
): Promise<void> {
  const principal = await auth.authenticate({
    ...(sessionId === undefined ? {} : { sessionId }),
    ...(csrfToken === undefined ? {} : { csrfToken }),
    method: 'DELETE',
    sourceAddress,
  });
  await ctx.store.deleteAdminSession(tokenHash(sessionId ?? ''));
  const at = new Date(ctx.clock.now()).toISOString();
  recordSecurityEvent(ctx.logger, { action: 'session.logout', actor: principal, sourceAddress, at, outcome: 'success' });
}
