// Device API routes: POST /v1/enroll (unsigned, rate-limited) and the signed /v1/device/policies, /v1/device/reports and
// /v1/device/key (device-key rotation).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AttacheError } from '../../../common/errors.js';
import { actionDelivery, CAPABILITIES_HEADER, markDelivered, statesActions, withActions } from '../service/actions/action-delivery.js';
import type { ServiceContext } from '../service/context.js';
import { rotateOwnDeviceKey } from '../service/device-keys.js';
import { policiesResponse } from '../service/device-sets.js';
import { acceptReport, assignedPolicies } from '../service/device-sync.js';
import { enrollDevice } from '../service/enrollment.js';
import type { DeviceRecord } from '../store/store.js';
import { toClientError } from './error-envelope.js';
import { DEFAULT_ENROLL_RATE_LIMITS, EnrollmentLimiter, type EnrollRateLimits } from './rate-limit.js';

/** The authenticated device of a signed request (the device-auth preHandler has run). */
export function signer(req: FastifyRequest): DeviceRecord {
  if (!req.device) throw new AttacheError('INTERNAL', 'device route reached without authentication');
  return req.device;
}

/** True when an If-None-Match header names `etag` (a list, weak validators and `*` are understood). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

/**
 * POST /v1/enroll, rate-limited per source address and in total before the body is read (RATE_LIMITED, 429 with
 * Retry-After). Each failed enrollment is logged once with its code and source address, never the token; a run of
 * refusals by the limiter is logged once when it starts.
 */
export function registerEnrollRoute(app: FastifyInstance, ctx: ServiceContext, limits: EnrollRateLimits | false = DEFAULT_ENROLL_RATE_LIMITS): void {
  const limiter = limits === false ? undefined : new EnrollmentLimiter(limits, { clock: ctx.clock });
  const log = ctx.logger.child({ component: 'enrollment' });
  app.post(
    '/v1/enroll',
    {
      onRequest: async (req, reply) => {
        const decision = limiter?.take(req.ip);
        if (!decision || decision.allowed) return;
        if (decision.firstRefusal)
          log.warn('enrollment rate limited', { sourceAddress: req.ip, scope: decision.scope, retryAfterSeconds: decision.retryAfterSeconds });
        reply.header('retry-after', String(decision.retryAfterSeconds));
        const what = decision.scope === 'address' ? 'from this address' : 'on this endpoint';
        throw new AttacheError('RATE_LIMITED', `too many enrollments ${what}; retry after ${decision.retryAfterSeconds} s`);
      },
      onError: async (req, _reply, err) => {
        const { code } = toClientError(err);
        if (code !== 'RATE_LIMITED') log.warn('enrollment failed', { code, sourceAddress: req.ip });
      },
    },
    async (req, reply) => {
      const response = await enrollDevice(ctx, req.body);
      return reply.code(201).send(response);
    },
  );
}

/** GET /v1/device/policies and POST /v1/device/reports; `app` is the signed /v1/device scope. */
export function registerDeviceRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/policies', async (req, reply) => {
    const device = signer(req);
    const view = await assignedPolicies(ctx, device);
    // Only an agent that states the `actions` capability gets actions (and their part of the etag).
    const delivery = statesActions(req.headers[CAPABILITIES_HEADER]) ? await actionDelivery(ctx, device.deviceId, view.etag) : undefined;
    const etag = delivery?.etag ?? view.etag;
    reply.header('etag', etag);
    if (etagMatches(req.headers['if-none-match'], etag)) return reply.code(304).send();
    const body = policiesResponse(device.deviceId, view);
    if (!delivery) return reply.send(body);
    await markDelivered(ctx, delivery.undelivered);
    return reply.send(withActions(body, delivery));
  });

  app.post('/reports', async (req) => acceptReport(ctx, signer(req).deviceId, req.body));
  app.post('/key', async (req) => rotateOwnDeviceKey(ctx, signer(req), req.body));
}
