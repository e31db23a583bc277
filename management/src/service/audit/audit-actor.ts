// Who an audit entry names as the actor of an admin request. The one place that turns the request's principal into
// the audit's actor: until named admins exist, a request authenticated by the shared admin token has no principal.
import type { AuditActor } from '../../../../policy-schemas/src/index.js';
import type { AdminPrincipal } from '../admin-principal.js';

/** The actor recorded for a request the shared (bootstrap) admin token authenticated without a principal. */
export const BOOTSTRAP_ACTOR: AuditActor = { adminId: 'bootstrap', username: 'admin', role: 'administrator' };

/**
 * The audit actor of an authenticated admin request. `admin` is null while the admin authentication hook sets no
 * principal (the shared admin token): that is the bootstrap administrator. Anonymous entries (a failed login) pass
 * `actor: null` to AuditLog.record directly instead of coming through here.
 */
export function auditActorOf(admin: AdminPrincipal | null): AuditActor {
  if (!admin) return BOOTSTRAP_ACTOR;
  return { adminId: admin.adminId, username: admin.username, role: admin.role };
}
