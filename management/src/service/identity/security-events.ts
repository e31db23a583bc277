// The one call site for security events of admin identity (logins, failed logins, lockouts, logouts): each is logged
// and recorded in the audit log (docs/audit.md), failing closed like every other audited action.
import type { AdminRole } from '../admin-principal.js';
import type { ServiceContext } from '../context.js';

/** One security event, shaped like an audit entry (contract 5): actor, source, action, target, outcome. */
export interface SecurityEvent {
  readonly action: 'session.login' | 'session.loginFailed' | 'session.lockout' | 'session.logout';
  /** Null for an anonymous failed login (unknown username). */
  readonly actor: { readonly adminId: string; readonly username: string; readonly role: AdminRole } | null;
  /** The username tried (failed logins), so repeated guesses show in the log. */
  readonly username?: string;
  readonly sourceAddress: string;
  readonly at: string;
  readonly outcome: 'success' | 'failure';
  readonly errorCode?: string;
}

/**
 * Logs a security event and appends it to the audit log (target: the admin account, or for an unknown username none,
 * with the username tried as `after`). An audit failure propagates: a login that cannot be audited is refused.
 */
export async function recordSecurityEvent(ctx: Pick<ServiceContext, 'logger' | 'audit'>, event: SecurityEvent): Promise<void> {
  const logger = ctx.logger;
  const fields = { component: 'identity', ...event, actor: event.actor?.username ?? null, adminId: event.actor?.adminId };
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
    after: event.username === undefined ? null : { username: event.username },
  });
}
