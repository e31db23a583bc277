// Admin identity routes (/v1/admin scope, behind adminAuthHook): the caller (/me), admin accounts, roles and personal
// API tokens. Handlers only translate HTTP to ../service/identity/ calls.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AdminPrincipal } from '../service/admin-principal.js';
import type { ServiceContext } from '../service/context.js';
import {
  createAdminAccount,
  deleteAdminAccount,
  getAdminAccount,
  listAdminAccounts,
  me,
  setAdminPassword,
  updateAdminAccount,
} from '../service/identity/admins.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../service/identity/api-tokens.js';
import { ROLES } from '../service/identity/roles.js';

type IdParams = { Params: { id: string } };

/** req.admin, which adminAuthHook has set on every request of this scope. */
export function principal(req: FastifyRequest): AdminPrincipal {
  if (!req.admin) throw new Error('admin route reached without an authenticated admin');
  return req.admin;
}

/** Registers the identity routes on `app`, the /v1/admin scope. */
export function registerIdentityRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/me', async (req) => me(ctx, principal(req)));
  app.get('/roles', async () => ({ roles: Object.values(ROLES).map((r) => ({ ...r, permissions: [...r.permissions] })) }));

  app.get('/admins', async () => listAdminAccounts(ctx));
  app.post('/admins', async (req, reply) => reply.code(201).send(await createAdminAccount(ctx, req.body)));
  app.get<IdParams>('/admins/:id', async (req) => getAdminAccount(ctx, req.params.id));
  app.patch<IdParams>('/admins/:id', async (req) => updateAdminAccount(ctx, req.params.id, req.body));
  app.delete<IdParams>('/admins/:id', async (req, reply) => {
    await deleteAdminAccount(ctx, req.params.id);
    return reply.code(204).send();
  });
  app.put<IdParams>('/admins/:id/password', async (req, reply) => {
    await setAdminPassword(ctx, principal(req), req.params.id, req.body, req.ip);
    return reply.code(204).send();
  });

  app.get('/api-tokens', async (req) => listApiTokens(ctx, principal(req)));
  app.post('/api-tokens', async (req, reply) => reply.code(201).send(await createApiToken(ctx, principal(req), req.body)));
  app.delete<IdParams>('/api-tokens/:id', async (req, reply) => {
    await revokeApiToken(ctx, principal(req), req.params.id);
    return reply.code(204).send();
  });
}
