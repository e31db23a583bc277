// The console session (POST/GET/DELETE /v1/session) and what the signed-in role may change. The API decides every
// request (a Help Desk operator gets 403 from it); the console only hides the controls a role cannot use.
import { api, setCsrfToken } from './api.js';

export interface SessionAdmin {
  readonly adminId: string;
  readonly username: string;
  readonly displayName?: string;
  readonly role: string;
  readonly scopeGroupIds: readonly string[] | null;
}

export interface Session {
  readonly admin: SessionAdmin;
  readonly csrfToken: string;
  readonly expiresAt: string;
}

/**
 * Which controls to show, from the routes GET /v1/admin/me lists as allowed for the signed-in admin: its role's
 * permissions minus what its group scope refuses, computed by the server (service/identity/roles.ts allowedRoutes).
 * The API decides every request all the same: a control shown by mistake gets 403 ADMIN_FORBIDDEN.
 */
export interface Abilities {
  readonly editPolicy: boolean;
  readonly whatIf: boolean;
  readonly assign: boolean;
  readonly createGroups: boolean;
  readonly editGroupRules: boolean;
  readonly deleteGroups: boolean;
  readonly editGroupMembers: boolean;
  readonly editCompliance: boolean;
  readonly sync: boolean;
  readonly revoke: boolean;
  /** Resolve, classify, assign and comment on alerts (issue 17). */
  readonly triageAlerts: boolean;
  readonly suppressAlerts: boolean;
  /** Response actions (issue 17): the action center, each action type, cancel, and the investigation package download. */
  readonly readActions: boolean;
  readonly isolate: boolean;
  readonly scan: boolean;
  readonly collect: boolean;
  readonly quarantine: boolean;
  readonly restore: boolean;
  readonly offboard: boolean;
  readonly cancelActions: boolean;
  readonly downloadPackages: boolean;
  /** Vulnerability management (issue 18): the fleet views and security tasks (unscoped admins), task changes, updateSoftware. */
  readonly readVulnerabilities: boolean;
  readonly readTasks: boolean;
  readonly writeTasks: boolean;
  readonly updateSoftware: boolean;
  readonly manageAdmins: boolean;
  readonly readAdmins: boolean;
  readonly manageEnrollment: boolean;
  readonly manageAccessTokens: boolean;
  readonly readAudit: boolean;
  /** The groups a scoped admin is limited to; null for an unscoped admin. */
  readonly scopeGroupIds: readonly string[] | null;
}

/** The part of GET /v1/admin/me the console reads. */
export interface AdminMe {
  readonly allowedRoutes: readonly string[];
  readonly scopeGroupIds: readonly string[] | null;
}

export function abilitiesOf(me: AdminMe): Abilities {
  const may = (route: string) => me.allowedRoutes.includes(route);
  return {
    editPolicy: may('PUT /v1/admin/policies/:id'),
    whatIf: may('POST /v1/admin/what-if'),
    assign: may('POST /v1/admin/assignments'),
    createGroups: may('POST /v1/admin/groups'),
    editGroupRules: may('PUT /v1/admin/groups/:id/rule'),
    deleteGroups: may('DELETE /v1/admin/groups/:id'),
    editGroupMembers: may('POST /v1/admin/groups/:id/members'),
    editCompliance: may('PUT /v1/admin/compliance-policies/:id'),
    sync: may('POST /v1/admin/devices/:id/sync'),
    revoke: may('POST /v1/admin/devices/:id/revoke'),
    triageAlerts: may('PATCH /v1/admin/devices/:id/alerts/:alertId'),
    suppressAlerts: may('POST /v1/admin/suppression-rules'),
    readActions: may('GET /v1/admin/actions'),
    isolate: may('POST /v1/admin/devices/:id/isolate'),
    scan: may('POST /v1/admin/devices/:id/runAntivirusScan'),
    collect: may('POST /v1/admin/devices/:id/collectInvestigationPackage'),
    quarantine: may('POST /v1/admin/devices/:id/stopAndQuarantineFile'),
    restore: may('POST /v1/admin/devices/:id/restoreFromQuarantine'),
    offboard: may('POST /v1/admin/devices/:id/offboard'),
    cancelActions: may('POST /v1/admin/actions/:id/cancel'),
    downloadPackages: may('GET /v1/admin/actions/:id/package'),
    readVulnerabilities: may('GET /v1/admin/vulnerabilities'),
    readTasks: may('GET /v1/admin/security-tasks'),
    writeTasks: may('POST /v1/admin/security-tasks'),
    updateSoftware: may('POST /v1/admin/devices/:id/updateSoftware'),
    manageAdmins: may('POST /v1/admin/admins'),
    readAdmins: may('GET /v1/admin/admins'),
    manageEnrollment: may('POST /v1/admin/onboarding-packages'),
    manageAccessTokens: may('POST /v1/admin/access-tokens'),
    readAudit: may('GET /v1/admin/audit'),
    scopeGroupIds: me.scopeGroupIds,
  };
}

/** What the signed-in admin may do (GET /v1/admin/me). */
export async function loadMe(): Promise<AdminMe> {
  return api<AdminMe>('GET', '/v1/admin/me');
}

function adopt(session: Session): Session {
  setCsrfToken(session.csrfToken);
  return session;
}

export async function login(username: string, password: string): Promise<Session> {
  return adopt(await api<Session>('POST', '/v1/session', { username, password }));
}

/** The current session, or null when there is none (401). */
export async function currentSession(): Promise<Session | null> {
  try {
    return adopt(await api<Session>('GET', '/v1/session'));
  } catch (err) {
    if ((err as { status?: number }).status === 401) return null;
    throw err;
  }
}

export async function logout(): Promise<void> {
  await api('DELETE', '/v1/session');
  setCsrfToken(null);
}
