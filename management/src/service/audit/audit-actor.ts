// Who an audit entry names as the actor of an admin request: the one place that turns the request's principal into
// the audit's actor. The bootstrap admin token authenticates as the first Administrator's account, so it has one too.
import type { AuditActor } from '../../../../policy-schemas/src/index.js';
import type { AdminPrincipal } from '../admin-principal.js';

/** The actor recorded should an admin request ever reach the audit without a principal (authentication runs first). */
export const BOOTSTRAP_ACTOR: AuditActor = { adminId: 'bootstrap', username: 'admin', role: 'administrator' };

/**
 * The audit actor of an authenticated admin request. Anonymous entries (a failed login) pass `actor: null` to
 * AuditLog.record directly instead of coming through here.
 */
export function auditActorOf(admin: AdminPrincipal | null): AuditActor {
  if (!admin) return BOOTSTRAP_ACTOR;
  return { adminId: admin.adminId, username: admin.username, role: admin.role };
}
