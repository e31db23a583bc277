// Admin accounts (GET|POST /v1/admin/admins, GET|PATCH|DELETE /v1/admin/admins/:id, PUT …/:id/password, GET
// /v1/admin/me): validation, password hashing, and the rule that at least one enabled Administrator always remains.
import { randomUUID } from 'node:crypto';
import { AttacheError } from '../../../../common/errors.js';
import { validate } from '../../../../common/validation.js';
import { type AdminAccount, AdminCreateRequest, type AdminMe, AdminUpdateRequest, PasswordSetRequest } from '../../../../policy-schemas/src/index.js';
import type { AdminChanges, AdminRecord } from '../../store/admin-store.js';
import type { AdminPrincipal } from '../admin-principal.js';
import type { ServiceContext } from '../context.js';
import { revokeAllApiTokens } from './api-tokens.js';
import { storedRole } from './authenticate.js';
import { checkPasswordAttempt } from './password-attempts.js';
import { hashPassword } from './passwords.js';
import { allowedRoutes, ROLES, roleAllows } from './roles.js';

type Ctx = Pick<ServiceContext, 'store' | 'clock' | 'logger'>;

/** An account as the API shows it (never the password hash). */
export function accountView(a: AdminRecord): AdminAccount {
  return {
    adminId: a.adminId,
    username: a.username,
    displayName: a.displayName,
    role: storedRole(a),
    scopeGroupIds: a.scopeGroupIds ? [...a.scopeGroupIds] : null,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    disabled: a.disabled,
    lockedUntil: a.lockedUntil,
  };
}

function isActiveAdministrator(a: Pick<AdminRecord, 'role' | 'disabled'>): boolean {
  return a.role === 'administrator' && !a.disabled;
}

/** A store guard: LAST_ADMINISTRATOR when replacing `current` by `next` (undefined = deleting it) leaves no active Administrator. */
export function keepsAnAdministrator(next: ((current: AdminRecord) => AdminRecord) | undefined) {
  return (current: AdminRecord, all: AdminRecord[]): void => {
    const after = all.flatMap((a) => (a.adminId !== current.adminId ? [a] : next ? [next(current)] : []));
    if (isActiveAdministrator(current) && !after.some(isActiveAdministrator)) {
      throw new AttacheError('LAST_ADMINISTRATOR', `${current.username} is the last enabled Administrator: create or enable another first`);
    }
  };
}

async function requireAdmin(ctx: Ctx, adminId: string): Promise<AdminRecord> {
  const admin = await ctx.store.getAdmin(adminId);
  if (!admin) throw new AttacheError('NOT_FOUND', `admin ${adminId} does not exist`);
  return admin;
}

async function requireGroups(ctx: Ctx, groupIds: readonly string[] | null | undefined): Promise<void> {
  if (!groupIds) return;
  const known = new Set((await ctx.store.listGroups()).groups.map((g) => g.groupId));
  const missing = groupIds.filter((id) => !known.has(id));
  if (missing.length > 0) throw new AttacheError('NOT_FOUND', `scope group ${missing.join(', ')} does not exist`);
}

export async function listAdminAccounts(ctx: Ctx): Promise<{ admins: AdminAccount[] }> {
  return { admins: (await ctx.store.listAdmins()).map(accountView) };
}

export async function getAdminAccount(ctx: Ctx, adminId: string): Promise<AdminAccount> {
  return accountView(await requireAdmin(ctx, adminId));
}

/** GET /v1/admin/me: the caller's account, how it authenticated and what its role allows. */
export async function me(ctx: Ctx, principal: AdminPrincipal): Promise<AdminMe> {
  return {
    ...(await getAdminAccount(ctx, principal.adminId)),
    authMethod: principal.authMethod,
    permissions: [...ROLES[principal.role].permissions],
    allowedRoutes: allowedRoutes(principal),
  };
}

export async function createAdminAccount(ctx: Ctx, body: unknown): Promise<AdminAccount> {
  const request = validate(AdminCreateRequest, body ?? {}, 'admin account');
  await requireGroups(ctx, request.scopeGroupIds);
  const at = new Date(ctx.clock.now()).toISOString();
  const record: AdminRecord = {
    adminId: randomUUID(),
    username: request.username,
    displayName: request.displayName ?? request.username,
    role: request.role,
    scopeGroupIds: request.scopeGroupIds ?? null,
    passwordHash: await hashPassword(request.password),
    createdAt: at,
    updatedAt: at,
    disabled: false,
    failedLogins: 0,
    lockedUntil: null,
  };
  await ctx.store.createAdmin(record);
  ctx.logger.info('admin account created', { component: 'identity', adminId: record.adminId, username: record.username, role: record.role });
  return accountView(record);
}

/** PATCH: role, display name, scope, disabled. Enabling also unlocks; disabling ends the admin's sessions and revokes its API tokens. */
export async function updateAdminAccount(ctx: Ctx, adminId: string, body: unknown): Promise<AdminAccount> {
  const request = validate(AdminUpdateRequest, body ?? {}, 'admin account change');
  await requireGroups(ctx, request.scopeGroupIds);
  const changes: AdminChanges = {
    ...(request.displayName === undefined ? {} : { displayName: request.displayName }),
    ...(request.role === undefined ? {} : { role: request.role }),
    ...(request.scopeGroupIds === undefined ? {} : { scopeGroupIds: request.scopeGroupIds }),
    ...(request.disabled === undefined ? {} : { disabled: request.disabled }),
    ...(request.disabled === false ? { failedLogins: 0, lockedUntil: null } : {}),
  };
  const at = new Date(ctx.clock.now()).toISOString();
  const updated = await ctx.store.updateAdmin(
    adminId,
    changes,
    at,
    keepsAnAdministrator((c) => ({ ...c, ...changes })),
  );
  if (!updated) throw new AttacheError('NOT_FOUND', `admin ${adminId} does not exist`);
  if (request.disabled === true) {
    await ctx.store.deleteAdminSessions(adminId);
    await revokeAllApiTokens(ctx.store, adminId, at);
  }
  ctx.logger.info('admin account changed', { component: 'identity', adminId, fields: Object.keys(changes) });
  return accountView(updated);
}

export async function deleteAdminAccount(ctx: Ctx, adminId: string): Promise<void> {
  if (!(await ctx.store.deleteAdmin(adminId, keepsAnAdministrator(undefined)))) throw new AttacheError('NOT_FOUND', `admin ${adminId} does not exist`);
  ctx.logger.info('admin account deleted', { component: 'identity', adminId });
}

/**
 * PUT /v1/admin/admins/:id/password. One's own needs the current password; another's needs admins.write. Unlocks the
 * account and ends its console sessions; set by another admin, it also revokes the account's API tokens.
 */
export async function setAdminPassword(
  ctx: Ctx & Pick<ServiceContext, 'audit'>,
  principal: AdminPrincipal,
  adminId: string,
  body: unknown,
  sourceAddress: string,
): Promise<void> {
  const request = validate(PasswordSetRequest, body ?? {}, 'password change');
  const own = principal.adminId === adminId;
  if (!own && !roleAllows(principal.role, 'admins.write')) {
    throw new AttacheError('ADMIN_FORBIDDEN', `setting another admin's password needs the permission admins.write`);
  }
  const admin = own || roleAllows(principal.role, 'admins.read') ? await requireAdmin(ctx, adminId) : undefined;
  if (!admin) throw new AttacheError('NOT_FOUND', `admin ${adminId} does not exist`);
  // A wrong current password counts as a failed login (same counter and lockout): a stolen API token or session
  // cannot be used to guess it.
  if (own && !(request.currentPassword !== undefined && (await checkPasswordAttempt(ctx, admin, request.currentPassword, sourceAddress)))) {
    throw new AttacheError('LOGIN_FAILED', 'changing your own password needs your current password (currentPassword), and it is wrong or missing');
  }
  const at = new Date(ctx.clock.now()).toISOString();
  await ctx.store.updateAdmin(adminId, { passwordHash: await hashPassword(request.password), failedLogins: 0, lockedUntil: null }, at);
  await ctx.store.deleteAdminSessions(adminId);
  // Set by someone else (recovery of an account that may be compromised): its API tokens go too.
  if (!own) await revokeAllApiTokens(ctx.store, adminId, at);
  ctx.logger.info('admin password set', { component: 'identity', adminId, by: principal.adminId });
}
