// Requests that hold much memory (8 MiB software uploads, 512 MiB advisory files) are refused cheaply in onRequest,
// before the body is read: a slot limit per process (beyond it 503 ENDPOINT_BUSY with Retry-After), and for the software
// upload (review 18 H1) a sender that must name an enrolled, active device with a fresh time header. The full signature
// check still runs in preHandler.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AttacheError } from '../../../common/errors.js';
import type { DeviceAuthenticator } from './device-auth.js';

/** Retry-After of a refused request (uploads and imports are rare: no need to come back fast; the agent adds jitter). */
export const BUSY_RETRY_AFTER_SECONDS = 30;

/**
 * An onRequest hook taking one of `limit` slots from before the body is read until the response closes; `busy` says
 * what is at capacity in the refusal.
 */
export function inFlightLimit(limit: number, busy: string) {
  let inFlight = 0;
  return async (_req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (inFlight >= limit) {
      reply.header('retry-after', String(BUSY_RETRY_AFTER_SECONDS));
      throw new AttacheError('ENDPOINT_BUSY', `${busy}; retry after ${BUSY_RETRY_AFTER_SECONDS} s`);
    }
    inFlight += 1;
    reply.raw.once('close', () => {
      inFlight -= 1;
    });
  };
}

/** The software upload route's hook: identifies the sender, then takes one of `limit` upload slots. */
export function softwareUploadGate(deviceAuth: DeviceAuthenticator, limit: number) {
  const slot = inFlightLimit(limit, `endpoint at capacity (${limit} software uploads in flight)`);
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await deviceAuth.identify(req);
    await slot(req, reply);
  };
}
