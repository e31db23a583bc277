// Cheap refusals for POST /v1/device/software (8 MiB bodies, review 18 H1), decided in onRequest before the body is
// read: the sender must name an enrolled, active device with a fresh time header, and at most `limit` uploads are read
// at once (beyond: 503 ENDPOINT_BUSY with Retry-After). The full signature check still runs in preHandler.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AttacheError } from '../../../common/errors.js';
import type { DeviceAuthenticator } from './device-auth.js';

/** Retry-After of a refused upload (uploads are rare: no need to come back fast; the agent adds up to half again at random). */
export const UPLOAD_RETRY_AFTER_SECONDS = 30;

/** An onRequest hook for the upload route: identifies the sender, then takes one of `limit` slots until the response closes. */
export function softwareUploadGate(deviceAuth: DeviceAuthenticator, limit: number) {
  let inFlight = 0;
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await deviceAuth.identify(req);
    if (inFlight >= limit) {
      reply.header('retry-after', String(UPLOAD_RETRY_AFTER_SECONDS));
      throw new AttacheError('ENDPOINT_BUSY', `endpoint at capacity (${limit} software uploads in flight); retry after ${UPLOAD_RETRY_AFTER_SECONDS} s`);
    }
    inFlight += 1;
    let released = false;
    reply.raw.once('close', () => {
      if (released) return;
      released = true;
      inFlight -= 1;
    });
  };
}
