// Bodies of the admin identity API (issue 15): console login (/v1/session), admin accounts, roles and personal API
// tokens (/v1/admin/me, /admins, /roles, /api-tokens). Secrets (passwords, tokens) appear only in requests and once
// in the answer that creates a token.
import { type Static, Type } from '@sinclair/typebox';
import { DisplayName, Timestamp, Uuid } from './primitives.js';

/** Built-in roles, modelled on Intune's (management/src/service/admin-principal.ts ADMIN_ROLES, docs/admin.md). */
export const AdminRoleName = Type.Union(
  [Type.Literal('administrator'), Type.Literal('endpointSecurityManager'), Type.Literal('helpDeskOperator'), Type.Literal('readOnlyOperator')],
  { description: 'Built-in role' },
);

/** Letters, digits and . _ @ -; starts with a letter or digit; unique regardless of case. */
export const Username = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$', description: 'Login name' });
/** At least 12 characters (NIST SP 800-63B allows long passphrases: up to 1024). */
export const Password = Type.String({ minLength: 12, maxLength: 1024, description: 'Password, at least 12 characters' });
const ScopeGroupIds = Type.Union([Type.Array(Uuid, { maxItems: 100, uniqueItems: true }), Type.Null()], {
  description: 'Device groups the admin is scoped to; null = every device',
});
const OptionalTime = Type.Union([Timestamp, Type.Null()]);

/** POST /v1/session. */
export const LoginRequest = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false, $id: 'urn:attache:login-request', title: 'Console login' },
);
export type LoginRequest = Static<typeof LoginRequest>;

const adminSummary = { adminId: Uuid, username: Username, displayName: DisplayName, role: AdminRoleName, scopeGroupIds: ScopeGroupIds };

/** POST|GET /v1/session: who is logged in, the CSRF token writes must carry (x-csrf-token) and when the session ends. */
export const SessionInfo = Type.Object(
  { admin: Type.Object(adminSummary, { additionalProperties: false }), csrfToken: Type.String(), expiresAt: Timestamp },
  { additionalProperties: false, $id: 'urn:attache:session-info', title: 'Console session' },
);
export type SessionInfo = Static<typeof SessionInfo>;

/** An admin account as listed (never the password hash). */
export const AdminAccount = Type.Object(
  { ...adminSummary, createdAt: Timestamp, updatedAt: Timestamp, disabled: Type.Boolean(), lockedUntil: OptionalTime },
  { additionalProperties: false, $id: 'urn:attache:admin-account', title: 'Admin account' },
);
export type AdminAccount = Static<typeof AdminAccount>;

/** GET /v1/admin/me: the caller's account, how it authenticated and what its role allows. */
export const AdminMe = Type.Object(
  {
    ...adminSummary,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    disabled: Type.Boolean(),
    lockedUntil: OptionalTime,
    authMethod: Type.Union([Type.Literal('apiToken'), Type.Literal('session')]),
    permissions: Type.Array(Type.String()),
    allowedRoutes: Type.Array(Type.String(), {
      description: "Every `METHOD /v1/admin/route` this admin may call: its role's permissions, minus what its group scope refuses",
    }),
  },
  { additionalProperties: false, $id: 'urn:attache:admin-me', title: 'Current admin' },
);
export type AdminMe = Static<typeof AdminMe>;

/** POST /v1/admin/admins. */
export const AdminCreateRequest = Type.Object(
  {
    username: Username,
    displayName: Type.Optional(DisplayName),
    role: AdminRoleName,
    scopeGroupIds: Type.Optional(ScopeGroupIds),
    password: Password,
  },
  { additionalProperties: false, $id: 'urn:attache:admin-create-request', title: 'Create admin' },
);
export type AdminCreateRequest = Static<typeof AdminCreateRequest>;

/** PATCH /v1/admin/admins/:id: absent fields are unchanged; `disabled: false` also unlocks. */
export const AdminUpdateRequest = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    role: Type.Optional(AdminRoleName),
    scopeGroupIds: Type.Optional(ScopeGroupIds),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1, $id: 'urn:attache:admin-update-request', title: 'Change admin' },
);
export type AdminUpdateRequest = Static<typeof AdminUpdateRequest>;

/** PUT /v1/admin/admins/:id/password. Changing one's own password needs the current one. */
export const PasswordSetRequest = Type.Object(
  { password: Password, currentPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) },
  { additionalProperties: false, $id: 'urn:attache:password-set-request', title: 'Set password' },
);
export type PasswordSetRequest = Static<typeof PasswordSetRequest>;

/** One role with what it may do (GET /v1/admin/roles). */
export const AdminRoleInfo = Type.Object(
  { role: AdminRoleName, displayName: Type.String(), description: Type.String(), permissions: Type.Array(Type.String()) },
  { additionalProperties: false, $id: 'urn:attache:admin-role', title: 'Admin role' },
);
export type AdminRoleInfo = Static<typeof AdminRoleInfo>;

/** POST /v1/admin/api-tokens: expiresInDays 1–365 (default 90). */
export const ApiTokenCreateRequest = Type.Object(
  { name: DisplayName, expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })) },
  { additionalProperties: false, $id: 'urn:attache:api-token-create-request', title: 'Create API token' },
);
export type ApiTokenCreateRequest = Static<typeof ApiTokenCreateRequest>;

const apiTokenProperties = {
  tokenId: Uuid,
  adminId: Uuid,
  name: Type.String(),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  revokedAt: OptionalTime,
  lastUsedAt: OptionalTime,
};

/** A personal API token as listed: never the token (only its SHA-256 is stored). */
export const ApiToken = Type.Object(apiTokenProperties, { additionalProperties: false, $id: 'urn:attache:api-token', title: 'API token' });
export type ApiToken = Static<typeof ApiToken>;

/** The answer to POST /v1/admin/api-tokens: the only time the token is shown. */
export const ApiTokenCreated = Type.Object(
  { ...apiTokenProperties, token: Type.String({ pattern: '^atp_[A-Za-z0-9_-]{43}$' }) },
  { additionalProperties: false, $id: 'urn:attache:api-token-created', title: 'Created API token' },
);
export type ApiTokenCreated = Static<typeof ApiTokenCreated>;

/** GET /v1/admin/admins. */
export const AdminList = Type.Object(
  { admins: Type.Array(AdminAccount) },
  { additionalProperties: false, $id: 'urn:attache:admin-list', title: 'Admin accounts' },
);
export type AdminList = Static<typeof AdminList>;

/** GET /v1/admin/roles. */
export const AdminRoleList = Type.Object(
  { roles: Type.Array(AdminRoleInfo) },
  { additionalProperties: false, $id: 'urn:attache:admin-role-list', title: 'Admin roles' },
);
export type AdminRoleList = Static<typeof AdminRoleList>;

/** GET /v1/admin/api-tokens. */
export const ApiTokenList = Type.Object(
  { apiTokens: Type.Array(ApiToken) },
  { additionalProperties: false, $id: 'urn:attache:api-token-list', title: 'API tokens' },
);
export type ApiTokenList = Static<typeof ApiTokenList>;
