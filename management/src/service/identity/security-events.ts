// The one call site for security events of admin identity (logins, failed logins, lockouts, logouts): each is logged
// and recorded in the audit log (docs/audit.md), failing closed like every other audited action.
import { tokenHash } from '../../pki/tokens.js';
import type { AdminRole } from '../admin-principal.js';
import type { ServiceContext } from '../context.js';

/** One security event, shaped like an audit entry (contract 5): actor, source, action, target, outcome. */
export interface SecurityEvent {
  readonly action: 'session.login' | 'session.loginFailed' | 'session.lockout' | 'session.logout';
  /** Null for an anonymous failed login (unknown username). */
  readonly actor: { readonly adminId: string; readonly username: string; readonly role: AdminRole } | null;
  /**
   * The username tried for an unknown account (failed logins): only a digest of it is logged and stored (usernameDigest),
   * as it may be a password typed in the wrong field; repeated guesses of one name still show as one digest.
   */
  readonly username?: string;
  readonly sourceAddress: string;
  readonly at: string;
  readonly outcome: 'success' | 'failure';
  readonly errorCode?: string;
}

/** The first 16 hex digits of the SHA-256 of a username (lower case): enough to group guesses, not to read them. */
export function usernameDigest(username: string): string {
  return tokenHash(username.normalize('NFC').toLowerCase()).slice(0, 16);
}

/**
 * Logs a security event and appends it to the audit log (target: the admin account, or for an unknown username none,
 * with the digest of the username tried as `after`). An audit failure propagates: a login that cannot be audited is refused.
 */
export async function recordSecurityEvent(ctx: Pick<ServiceContext, 'logger' | 'audit'>, event: SecurityEvent): Promise<void> {
  const logger = ctx.logger;
  const { username, ...rest } = event;
  const tried = username === undefined ? null : { usernameSha256: usernameDigest(username) };
  const fields = { component: 'identity', ...rest, ...tried, actor: event.actor?.username ?? null, adminId: event.actor?.adminId };
  if (event.outcome === 'success') logger.info(event.action, fields);
  else logger.warn(event.action, fields);
  await ctx.audit.record({
    actor: event.actor ? { adminId: event.actor.adminId, username: event.actor.username, role: event.actor.role } : null,
    sourceAddress: event.sourceAddress,
    at: event.at,
    action: event.action,
    target: event.actor ? { type: 'admin', id: event.actor.adminId } : null,
    outcome: event.outcome,
    errorCode: event.errorCode ?? null,
    after: tried,
  });
}
