// Device routes of response actions (signed /v1/device scope): the agent's updates, and the investigation package upload
// in chunks (application/octet-stream, ≤ 1 MiB, the query signed with the path) with its resume point.
import type { FastifyInstance } from 'fastify';
import { PACKAGE_CHUNK_MAX_BYTES } from '../service/actions/action-envelope.js';
import { packageUploadState, uploadPackageChunk } from '../service/actions/action-packages.js';
import { acceptActionUpdates } from '../service/actions/action-updates.js';
import type { ServiceContext } from '../service/context.js';
import { signer } from './device-routes.js';
import { keepRawBody } from './raw-body.js';

type IdParams = { Params: { id: string } };

/** Registers the routes on `app`, the signed /v1/device scope. */
export function registerDeviceActionRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  // A chunk's bytes are kept as read: the request signature hashes exactly them (rawBody).
  keepRawBody(app, ['application/octet-stream'], PACKAGE_CHUNK_MAX_BYTES);
  app.post('/actions/updates', async (req) => acceptActionUpdates(ctx, signer(req).deviceId, req.body));
  app.get<IdParams>('/actions/:id/package', async (req) => packageUploadState(ctx, signer(req), req.params.id));
  app.put<IdParams>('/actions/:id/package', async (req) =>
    uploadPackageChunk(ctx, signer(req), req.params.id, (req.query ?? {}) as Record<string, unknown>, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)),
  );
}
