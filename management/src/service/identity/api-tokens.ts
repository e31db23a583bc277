// Personal API tokens of admins (GET|POST /v1/admin/api-tokens, DELETE …/:id): `atp_` + 32 random bytes, stored as
// SHA-256 only, expiring within a year, revocable, listed with their last use. An admin sees and revokes its own;
// an Administrator (admins.write) sees and revokes everyone's.
import { randomUUID } from 'node:crypto';
import { AttacheError } from '../../../../common/errors.js';
import { validate } from '../../../../common/validation.js';
import { type ApiToken, ApiTokenCreated, ApiTokenCreateRequest } from '../../../../policy-schemas/src/index.js';
import { newSecretToken, tokenHash } from '../../pki/tokens.js';
import type { AdminApiTokenRecord } from '../../store/admin-store.js';
import type { AdminPrincipal } from '../admin-principal.js';
import type { ServiceContext } from '../context.js';
import { API_TOKEN_PREFIX } from './authenticate.js';
import { roleAllows } from './roles.js';

type Ctx = Pick<ServiceContext, 'store' | 'clock' | 'logger'>;

/** Lifetime of a token when the request names none. */
export const DEFAULT_API_TOKEN_DAYS = 90;

/** A personal API token as the API shows it (never the token or its hash). */
export function apiTokenView(r: AdminApiTokenRecord): ApiToken {
  return {
    tokenId: r.tokenId,
    adminId: r.adminId,
    name: r.name,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    revokedAt: r.revokedAt,
    lastUsedAt: r.lastUsedAt,
  };
}

function seesAll(principal: AdminPrincipal): boolean {
  return roleAllows(principal.role, 'admins.write');
}

/** Creates a token of the calling admin; the answer is the only place the token ever appears. */
export async function createApiToken(ctx: Ctx, principal: AdminPrincipal, body: unknown): Promise<ApiTokenCreated> {
  const request = validate(ApiTokenCreateRequest, body ?? {}, 'API token request');
  const now = ctx.clock.now();
  const token = newSecretToken(API_TOKEN_PREFIX);
  const record: AdminApiTokenRecord = {
    tokenId: randomUUID(),
    adminId: principal.adminId,
    name: request.name,
    tokenHash: tokenHash(token),
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + (request.expiresInDays ?? DEFAULT_API_TOKEN_DAYS) * 86_400_000).toISOString(),
    revokedAt: null,
    lastUsedAt: null,
  };
  await ctx.store.createAdminApiToken(record);
  ctx.logger.info('API token created', { component: 'identity', tokenId: record.tokenId, adminId: principal.adminId });
  return validate(ApiTokenCreated, { ...apiTokenView(record), token }, 'API token', 'INTERNAL');
}

export async function listApiTokens(ctx: Ctx, principal: AdminPrincipal): Promise<{ apiTokens: ApiToken[] }> {
  const records = await ctx.store.listAdminApiTokens(seesAll(principal) ? undefined : principal.adminId);
  return { apiTokens: records.map(apiTokenView) };
}

/** Revokes at once; NOT_FOUND when unknown, already revoked, or another admin's (unless Administrator). */
export async function revokeApiToken(ctx: Ctx, principal: AdminPrincipal, tokenId: string): Promise<void> {
  const own = await ctx.store.listAdminApiTokens(seesAll(principal) ? undefined : principal.adminId);
  const found = own.some((t) => t.tokenId === tokenId);
  if (!found || !(await ctx.store.revokeAdminApiToken(tokenId, new Date(ctx.clock.now()).toISOString()))) {
    throw new AttacheError('NOT_FOUND', `API token ${tokenId} does not exist or is already revoked`);
  }
  ctx.logger.info('API token revoked', { component: 'identity', tokenId, by: principal.adminId });
}

/**
 * Revokes every live API token of an admin (its password was set by someone else or reset, or it was disabled: a
 * token made before must not outlive that, nor come back when the account is enabled again). Answers how many.
 */
export async function revokeAllApiTokens(
  store: Pick<ServiceContext['store'], 'listAdminApiTokens' | 'revokeAdminApiToken'>,
  adminId: string,
  at: string,
): Promise<number> {
  let revoked = 0;
  for (const token of await store.listAdminApiTokens(adminId)) {
    if (token.revokedAt === null && (await store.revokeAdminApiToken(token.tokenId, at))) revoked++;
  }
  return revoked;
}
