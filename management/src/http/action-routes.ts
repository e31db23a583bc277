// Admin routes of the action center (behind the admin auth): one create route per action type as Defender's machine
// actions (POST /devices/:id/<type>), the list, one action, cancel, and the investigation package download (audited
// here: the audit hooks record writes only). Handlers only translate HTTP to ../service/actions/ calls.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { toAttacheError } from '../../../common/errors.js';
import { ACTION_TYPES } from '../../../policy-schemas/src/index.js';
import { cancelAction, createAction } from '../service/actions/action-create.js';
import { downloadPackage } from '../service/actions/action-packages.js';
import { listActions, showAction } from '../service/actions/action-views.js';
import { auditActorOf } from '../service/audit/audit-actor.js';
import type { ServiceContext } from '../service/context.js';

type IdParams = { Params: { id: string } };

/**
 * Action writes change no device's policy set: the admin scope keeps the cached sets for them (server.ts), so isolating
 * 1,000 devices does not recompute every set 1,000 times. Full route patterns, as fastify registers them.
 */
export const SET_NEUTRAL_WRITES: ReadonlySet<string> = new Set([
  ...ACTION_TYPES.map((type) => `POST /v1/admin/devices/:id/${type}`),
  'POST /v1/admin/actions/:id/cancel',
]);

/** The audit action of an admin's package download (docs/audit.md). */
export const PACKAGE_DOWNLOAD_AUDIT_ACTION = 'action.downloadPackage';

async function auditDownload(ctx: ServiceContext, req: FastifyRequest, actionId: string, errorCode: string | null, after: unknown): Promise<void> {
  await ctx.audit.record({
    actor: auditActorOf(req.admin),
    sourceAddress: req.ip,
    action: PACKAGE_DOWNLOAD_AUDIT_ACTION,
    target: { type: 'action', id: actionId },
    outcome: errorCode === null ? 'success' : 'failure',
    errorCode,
    after,
  });
}

/** Registers the action-center routes on `app`, the /v1/admin scope. */
export function registerActionRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  for (const type of ACTION_TYPES) {
    app.post<IdParams>(`/devices/:id/${type}`, async (req, reply) =>
      reply.code(201).send(await createAction(ctx, req.admin ?? undefined, req.params.id, type, req.body)),
    );
  }
  app.get('/actions', async (req) => listActions(ctx, req.admin ?? undefined, (req.query ?? {}) as Record<string, unknown>));
  app.get<IdParams>('/actions/:id', async (req) => showAction(ctx, req.admin ?? undefined, req.params.id));
  app.post<IdParams>('/actions/:id/cancel', async (req) => cancelAction(ctx, req.admin ?? undefined, req.params.id, req.body));
  app.get<IdParams>('/actions/:id/package', async (req, reply) => {
    let download: Awaited<ReturnType<typeof downloadPackage>>;
    try {
      download = await downloadPackage(ctx, req.admin ?? undefined, req.params.id);
    } catch (err) {
      await auditDownload(ctx, req, req.params.id, toAttacheError(err).code, null);
      throw err;
    }
    await auditDownload(ctx, req, req.params.id, null, { deviceId: download.record.deviceId, sha256: download.sha256, sizeBytes: download.sizeBytes });
    return reply
      .header('content-type', 'application/gzip')
      .header('content-length', String(download.sizeBytes))
      .header('x-attache-package-sha256', download.sha256)
      .header('content-disposition', `attachment; filename="${download.filename}"`)
      .send(Readable.from(download.chunks));
  });
}
