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
import { checkPasswordAttempt, type UnknownUsernameLockout } from './password-attempts.js';
import { dummyPasswordHash, verifyPassword } from './passwords.js';
import { recordSecurityEvent } from './security-events.js';

const LOGIN_FAILED_MESSAGE = 'wrong username or password';

type Ctx = Pick<ServiceContext, 'store' | 'clock' | 'logger' | 'audit'>;

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

/**
 * Checks the password and opens a session. `previousSessionIds` (cookies the browser still sent) are ended: a session
 * id planted before login never becomes an authenticated one (session fixation).
 */
export async function login(
  ctx: Ctx,
  body: unknown,
  sourceAddress: string,
  previousSessionIds: readonly string[],
  unknownNames: UnknownUsernameLockout,
): Promise<LoginOutcome> {
  const request = validate(LoginRequest, body ?? {}, 'login request');
  const now = ctx.clock.now();
  const at = new Date(now).toISOString();
  for (const previous of previousSessionIds) await ctx.store.deleteAdminSession(tokenHash(previous));
  const admin = await ctx.store.getAdminByUsername(request.username);
  if (!admin) {
    // An unknown username answers as an account would: LOGIN_FAILED, and LOGIN_LOCKED past the threshold.
    const failed = { action: 'session.loginFailed', actor: null, username: request.username, sourceAddress, at, outcome: 'failure' } as const;
    try {
      unknownNames.assertNotLocked(request.username);
    } catch (err) {
      await recordSecurityEvent(ctx, { ...failed, errorCode: 'LOGIN_LOCKED' });
      throw err;
    }
    await verifyPassword(request.password, await dummyPasswordHash());
    await recordSecurityEvent(ctx, { ...failed, errorCode: 'LOGIN_FAILED' });
    unknownNames.countFailure(request.username);
    throw new AttacheError('LOGIN_FAILED', LOGIN_FAILED_MESSAGE);
  }
  const actor = { adminId: admin.adminId, username: admin.username, role: storedRole(admin) };
  if (!(await checkPasswordAttempt(ctx, admin, request.password, sourceAddress))) throw new AttacheError('LOGIN_FAILED', LOGIN_FAILED_MESSAGE);
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
  await sweepExpiredSessions(ctx);
  await recordSecurityEvent(ctx, { action: 'session.login', actor, sourceAddress, at, outcome: 'success' });
  return { info: sessionInfo(admin, session), sessionId };
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
  await recordSecurityEvent(ctx, { action: 'session.logout', actor: principal, sourceAddress, at, outcome: 'success' });
}

/**
 * Deletes sessions past their idle or absolute expiry (they are refused when presented anyway; this frees their rows).
 * Run at each login, the only way sessions are made, so the table holds at most the last 12 h of logins and no timer
 * is needed. A failure is logged and left to the next login.
 */
async function sweepExpiredSessions(ctx: Ctx): Promise<void> {
  try {
    const removed = await ctx.store.sweepAdminSessions(new Date(ctx.clock.now()).toISOString());
    if (removed > 0) ctx.logger.debug('expired console sessions removed', { component: 'identity', removed });
  } catch (err) {
    ctx.logger.warn('console session sweep failed', { component: 'identity', error: (err as Error).message });
  }
}
