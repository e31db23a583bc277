// Admin routes of issue 5 (behind the admin token): compliance policies and assignments, access tokens, and per device
// its alerts, health, inventory and compliance. Handlers only translate HTTP to ../service/compliance/ calls.
import type { FastifyInstance } from 'fastify';
import {
  assignCompliancePolicy,
  createCompliancePolicy,
  deleteCompliancePolicy,
  requireCompliancePolicy,
  unassignCompliancePolicy,
  updateCompliancePolicy,
} from '../service/compliance/compliance-policies.js';
import { getComplianceOverview, getDeviceCompliance, getDeviceHealth, getDeviceInventory } from '../service/compliance/device-signals-views.js';
import type { ServiceContext } from '../service/context.js';

type IdParams = { Params: { id: string } };

/** Registers the compliance admin routes on `app`, the /v1/admin scope. */
export function registerComplianceAdminRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/compliance-policies', async (req, reply) => reply.code(201).send(await createCompliancePolicy(ctx, req.body)));
  app.get('/compliance-policies', async () => ctx.store.listCompliancePolicies());
  app.get<IdParams>('/compliance-policies/:id', async (req) => requireCompliancePolicy(ctx, req.params.id));
  app.put<IdParams>('/compliance-policies/:id', async (req) => updateCompliancePolicy(ctx, req.params.id, req.body));
  app.delete<IdParams>('/compliance-policies/:id', async (req, reply) => {
    await deleteCompliancePolicy(ctx, req.params.id);
    return reply.code(204).send();
  });
  app.post<IdParams>('/compliance-policies/:id/assignments', async (req, reply) =>
    reply.code(201).send(await assignCompliancePolicy(ctx, req.params.id, req.body)),
  );
  app.get('/compliance/devices', async (req) => getComplianceOverview(ctx, req.admin?.scopeGroupIds));
  app.get('/compliance-assignments', async () => ({ assignments: await ctx.store.listComplianceAssignments() }));
  app.delete<IdParams>('/compliance-assignments/:id', async (req, reply) => {
    await unassignCompliancePolicy(ctx, req.params.id);
    return reply.code(204).send();
  });

  app.post('/access-tokens', async (req, reply) => reply.code(201).send(await ctx.accessTokens.create(req.body)));
  app.get('/access-tokens', async () => ({ accessTokens: await ctx.accessTokens.list() }));
  app.delete<IdParams>('/access-tokens/:id', async (req, reply) => {
    await ctx.accessTokens.revoke(req.params.id);
    return reply.code(204).send();
  });

  app.get<IdParams>('/devices/:id/health', async (req) => getDeviceHealth(ctx, req.params.id));
  app.get<IdParams>('/devices/:id/inventory', async (req) => getDeviceInventory(ctx, req.params.id));
  app.get<IdParams>('/devices/:id/compliance', async (req) => getDeviceCompliance(ctx, req.params.id));
}
