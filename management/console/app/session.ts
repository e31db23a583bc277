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
 * Which controls to show, from the permissions GET /v1/admin/me lists for the signed-in role (service/identity/roles.ts).
 * The API decides every request all the same: a control shown by mistake gets 403 ADMIN_FORBIDDEN.
 */
export interface Abilities {
  readonly editPolicy: boolean;
  readonly whatIf: boolean;
  readonly assign: boolean;
  readonly editGroups: boolean;
  readonly editCompliance: boolean;
  readonly sync: boolean;
  readonly revoke: boolean;
  readonly manageAdmins: boolean;
  readonly readAdmins: boolean;
  readonly manageEnrollment: boolean;
  readonly manageAccessTokens: boolean;
}

export function abilitiesOf(permissions: readonly string[]): Abilities {
  const has = (p: string) => permissions.includes(p);
  return {
    editPolicy: has('policies.write'),
    whatIf: has('whatIf.run'),
    assign: has('assignments.write'),
    editGroups: has('groups.write'),
    editCompliance: has('compliancePolicies.write'),
    sync: has('devices.sync'),
    revoke: has('devices.revoke'),
    manageAdmins: has('admins.write'),
    readAdmins: has('admins.read'),
    manageEnrollment: has('onboarding.write'),
    manageAccessTokens: has('accessTokens.write'),
  };
}

/** The signed-in admin's permissions (GET /v1/admin/me). */
export async function loadPermissions(): Promise<string[]> {
  return (await api<{ permissions: string[] }>('GET', '/v1/admin/me')).permissions;
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
