// Admin routes of alert triage (issue 17 §5, behind the admin auth): a device's alerts with their triage, one alert's
// triage and comments, and suppression rules. Handlers only translate HTTP to ../service/compliance/ calls.
import type { FastifyInstance } from 'fastify';
import { commentOnAlert, getAlertTriageView, getDeviceAlerts, patchAlertTriage } from '../service/compliance/alert-triage.js';
import {
  createSuppressionRule,
  deleteSuppressionRule,
  getSuppressionRule,
  listSuppressionRules,
  updateSuppressionRule,
} from '../service/compliance/suppressions.js';
import type { ServiceContext } from '../service/context.js';

type IdParams = { Params: { id: string } };
type AlertParams = { Params: { id: string; alertId: string } };

/** Registers the triage routes on `app`, the /v1/admin scope. */
export function registerTriageRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get<IdParams>('/devices/:id/alerts', async (req) => getDeviceAlerts(ctx, req.params.id));
  app.get<AlertParams>('/devices/:id/alerts/:alertId', async (req) => getAlertTriageView(ctx, req.params.id, req.params.alertId));
  app.patch<AlertParams>('/devices/:id/alerts/:alertId', async (req) =>
    patchAlertTriage(ctx, req.admin ?? undefined, req.params.id, req.params.alertId, req.body),
  );
  app.post<AlertParams>('/devices/:id/alerts/:alertId/comments', async (req, reply) =>
    reply.code(201).send(await commentOnAlert(ctx, req.admin ?? undefined, req.params.id, req.params.alertId, req.body)),
  );
  app.post('/suppression-rules', async (req, reply) => reply.code(201).send(await createSuppressionRule(ctx, req.admin ?? undefined, req.body)));
  app.get('/suppression-rules', async (req) => listSuppressionRules(ctx, req.admin ?? undefined));
  app.get<IdParams>('/suppression-rules/:id', async (req) => getSuppressionRule(ctx, req.admin ?? undefined, req.params.id));
  app.patch<IdParams>('/suppression-rules/:id', async (req) => updateSuppressionRule(ctx, req.params.id, req.body));
  app.delete<IdParams>('/suppression-rules/:id', async (req, reply) => {
    await deleteSuppressionRule(ctx, req.params.id);
    return reply.code(204).send();
  });
}
