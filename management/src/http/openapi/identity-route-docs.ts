// OpenAPI entries of admin identity (session-routes.ts, identity-routes.ts): console login and logout (/v1/session), the
// calling admin, admin accounts, roles and personal API tokens. One entry per route, keyed `METHOD /full/path/{param}`.
import {
  AdminAccount,
  AdminCreateRequest,
  AdminList,
  AdminMe,
  AdminRoleList,
  AdminUpdateRequest,
  ApiTokenCreated,
  ApiTokenCreateRequest,
  ApiTokenList,
  LoginRequest,
  PasswordSetRequest,
  SessionInfo,
} from '../../../../policy-schemas/src/index.js';
import { SESSION_ABSOLUTE_MS } from '../../service/identity/authenticate.js';
import { LOCKOUT_MS, LOCKOUT_THRESHOLD } from '../../service/identity/password-attempts.js';
import { sessionCookie } from '../admin-auth.js';
import { NO_CONTENT, type RouteDocs } from './route-doc.js';

const admin = 'admin' as const;
const SESSION_AUDIT = 'Recorded in the audit log (session.login, session.loginFailed, session.lockout, session.logout).';

/** The identity API. */
export const IDENTITY_ROUTE_DOCS: RouteDocs = {
  'POST /v1/session': {
    summary: 'Log in to the console: sets the __Host-attache_session cookie and answers the CSRF token writes must carry',
    description: `Rate-limited per source address and per username; ${LOCKOUT_THRESHOLD} failed logins in a row lock the account for \
${LOCKOUT_MS / 60_000} minutes. ${SESSION_AUDIT}`,
    tag: 'Session',
    security: 'none',
    body: LoginRequest,
    responses: {
      200: {
        description: 'Logged in.',
        schema: SessionInfo,
        headers: { 'Set-Cookie': sessionCookie('<session id>', SESSION_ABSOLUTE_MS / 1000) },
      },
    },
    errors: ['LOGIN_FAILED', 'LOGIN_LOCKED', 'RATE_LIMITED', 'AUDIT_WRITE_FAILED', 'DATABASE_UNAVAILABLE'],
  },
  'GET /v1/session': {
    summary: 'Who is logged in with this session cookie (401 when none)',
    tag: 'Session',
    security: 'session',
    responses: { 200: SessionInfo },
    errors: [],
  },
  'DELETE /v1/session': {
    summary: 'Log out: ends the session and clears the cookie',
    description: SESSION_AUDIT,
    tag: 'Session',
    security: 'session',
    responses: { 204: { description: 'Logged out; no body.', headers: { 'Set-Cookie': `${sessionCookie('', 0)} (clears the cookie)` } } },
    errors: ['AUDIT_WRITE_FAILED'],
  },

  'GET /v1/admin/me': {
    summary: "The caller's account, how it authenticated and what its role allows",
    tag: 'Admins',
    security: admin,
    responses: { 200: AdminMe },
    errors: [],
  },
  'GET /v1/admin/admins': { summary: 'List admin accounts', tag: 'Admins', security: admin, responses: { 200: AdminList }, errors: [] },
  'POST /v1/admin/admins': {
    summary: 'Create an admin account with a role and optional device-group scope',
    tag: 'Admins',
    security: admin,
    body: AdminCreateRequest,
    responses: { 201: AdminAccount },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  'GET /v1/admin/admins/{id}': { summary: 'Get an admin account', tag: 'Admins', security: admin, responses: { 200: AdminAccount }, errors: [] },
  'PATCH /v1/admin/admins/{id}': {
    summary: "Change an admin's display name, role, scope or disabled flag (enabling also unlocks)",
    tag: 'Admins',
    security: admin,
    body: AdminUpdateRequest,
    responses: { 200: AdminAccount },
    errors: ['LAST_ADMINISTRATOR'],
  },
  'DELETE /v1/admin/admins/{id}': {
    summary: 'Delete an admin account (its sessions and API tokens with it)',
    tag: 'Admins',
    security: admin,
    responses: NO_CONTENT,
    errors: ['LAST_ADMINISTRATOR'],
  },
  'PUT /v1/admin/admins/{id}/password': {
    summary: "Set an admin's password (one's own needs currentPassword; another's needs admins.write); ends its sessions",
    description: `A wrong currentPassword counts as a failed login: ${LOCKOUT_THRESHOLD} in a row lock the account for \
${LOCKOUT_MS / 60_000} minutes (LOGIN_LOCKED).`,
    tag: 'Admins',
    security: admin,
    body: PasswordSetRequest,
    responses: NO_CONTENT,
    errors: ['LOGIN_FAILED', 'LOGIN_LOCKED'],
  },
  'GET /v1/admin/roles': {
    summary: 'The built-in roles, each with its permissions',
    tag: 'Admins',
    security: admin,
    responses: { 200: AdminRoleList },
    errors: [],
  },
  'GET /v1/admin/api-tokens': {
    summary: "List personal API tokens: one's own (an Administrator: everyone's), never the tokens",
    tag: 'Admins',
    security: admin,
    responses: { 200: ApiTokenList },
    errors: [],
  },
  'POST /v1/admin/api-tokens': {
    summary: 'Create a personal API token of the caller (shown once)',
    tag: 'Admins',
    security: admin,
    body: ApiTokenCreateRequest,
    responses: { 201: ApiTokenCreated },
    errors: [],
  },
  'DELETE /v1/admin/api-tokens/{id}': {
    summary: "Revoke a personal API token (one's own; an Administrator: anyone's)",
    tag: 'Admins',
    security: admin,
    responses: NO_CONTENT,
    errors: [],
  },
};
