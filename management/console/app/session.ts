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

/** What a role may change, mirroring the built-in roles (management/src/service/admin-principal.ts). */
export interface Abilities {
  readonly editPolicy: boolean;
  readonly deviceActions: boolean;
  readonly manageAdmins: boolean;
  readonly manageEnrollment: boolean;
}

export function abilitiesOf(role: string): Abilities {
  switch (role) {
    case 'administrator':
      return { editPolicy: true, deviceActions: true, manageAdmins: true, manageEnrollment: true };
    case 'endpointSecurityManager':
      return { editPolicy: true, deviceActions: true, manageAdmins: false, manageEnrollment: true };
    case 'helpDeskOperator':
      return { editPolicy: false, deviceActions: true, manageAdmins: false, manageEnrollment: false };
    default:
      return { editPolicy: false, deviceActions: false, manageAdmins: false, manageEnrollment: false };
  }
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
