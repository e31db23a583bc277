// Admin routes of security tasks (issue 18 §5): create from a recommendation, list, one task with per-device progress,
// and status changes (with remediation through updateSoftware actions). Handlers only translate HTTP to
// ../service/tasks/ calls; the audit hook records the writes (audit-actions.ts).
import type { FastifyInstance } from 'fastify';
import { adminOf, createAction } from '../service/actions/action-create.js';
import type { ServiceContext } from '../service/context.js';
import { authorizeRoute } from '../service/identity/roles.js';
import type { SecurityTaskService, UpdateSoftwareCreator } from '../service/tasks/security-tasks.js';

type IdParams = { Params: { id: string } };

/** Task writes change no device's policy set (server.ts keeps the cached sets for them); full route patterns. */
export const TASK_SET_NEUTRAL_WRITES: ReadonlySet<string> = new Set(['POST /v1/admin/security-tasks', 'POST /v1/admin/security-tasks/:id/status']);

/** Registers the security-task routes on `app`, the /v1/admin scope. */
export function registerSecurityTaskRoutes(app: FastifyInstance, ctx: ServiceContext, tasks: SecurityTaskService): void {
  app.post('/security-tasks', async (req, reply) => reply.code(201).send(await tasks.create(req.body, adminOf(req.admin ?? undefined))));
  app.get('/security-tasks', async (req) => tasks.list((req.query ?? {}) as Record<string, unknown>));
  app.get<IdParams>('/security-tasks/:id', async (req) => tasks.detail(req.params.id));
  app.post<IdParams>('/security-tasks/:id/status', async (req) => {
    const admin = req.admin ?? undefined;
    const remediate = (req.body as { remediate?: unknown } | undefined)?.remediate === true;
    // Remediating creates updateSoftware actions: it needs that permission too, checked before anything changes.
    if (remediate && admin) authorizeRoute(admin, 'POST', '/v1/admin/devices/:id/updateSoftware');
    const createUpdate: UpdateSoftwareCreator = (deviceId, body, taskId) => createAction(ctx, admin, deviceId, 'updateSoftware', body, { taskId });
    return tasks.changeStatus(req.params.id, req.body, adminOf(admin), createUpdate);
  });
}
