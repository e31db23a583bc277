// Signed device routes of issue 5: alert reports, health and inventory uploads, and the device's own access decision.
// Handlers only translate HTTP to ../service/compliance/ calls.
import type { FastifyInstance } from 'fastify';
import { AttacheError } from '../../../common/errors.js';
import { acceptAlertReport, acceptHealth, acceptInventory } from '../service/compliance/signals.js';
import type { ServiceContext } from '../service/context.js';
import { signer } from './device-routes.js';

/** POST /alerts, /health, /inventory and GET /access; `app` is the signed /v1/device scope. */
export function registerSignalRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/alerts', async (req) => acceptAlertReport(ctx, signer(req).deviceId, req.body));
  app.post('/health', async (req, reply) => {
    await acceptHealth(ctx, signer(req).deviceId, req.body);
    return reply.code(204).send();
  });
  app.post('/inventory', async (req, reply) => {
    await acceptInventory(ctx, signer(req).deviceId, req.body);
    return reply.code(204).send();
  });
  app.get('/access', async (req, reply) => {
    const { deviceId } = signer(req);
    const json = ctx.compliance.decisionJson(deviceId);
    if (json === undefined) throw new AttacheError('NOT_FOUND', `no access decision for device ${deviceId} yet`);
    return reply.type('application/json').send(json);
  });
}
