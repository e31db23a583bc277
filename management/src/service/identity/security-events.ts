// The one call site for security events of admin identity (logins, failed logins, lockouts, logouts). Until the audit
// log is merged it only logs; the lead wires it to ctx.audit.record (issue 15 contract 5) here and nowhere else.
import type { Logger } from '../../logging.js';
import type { AdminRole } from '../admin-principal.js';

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

/** Records a security event. TODO(issue 15 contract 5): also `ctx.audit.record(...)` once the audit part is merged. */
export function recordSecurityEvent(logger: Logger, event: SecurityEvent): void {
  const fields = { component: 'identity', ...event, actor: event.actor?.username ?? null, adminId: event.actor?.adminId };
  if (event.outcome === 'success') logger.info(event.action, fields);
  else logger.warn(event.action, fields);
}
