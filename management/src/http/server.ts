// The HTTPS server of the endpoint (fastify 5): body parsing that keeps the exact bytes, one error envelope,
// device routes behind request signatures, admin routes behind the admin token, the access decision API behind an
// access-service (or admin) token, and the push WebSocket.
import { systemClock } from '../../../common/clock.js';
import './request-context.js';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest, type RouteOptions } from 'fastify';
import { AttacheError } from '../../../common/errors.js';
import { parseJsonText } from '../../../common/json-text.js';
import { errorFields } from '../logging.js';
import type { ServiceContext } from '../service/context.js';
import { AdminAuthenticator } from '../service/identity/authenticate.js';
import { accessAuthHook, registerAccessRoutes } from './access-routes.js';
import { registerActionRoutes, SET_NEUTRAL_WRITES } from './action-routes.js';
import { adminAuthHook, adminAuthorizeHook, adminScopeHook } from './admin-auth.js';
import { registerAdminRoutes } from './admin-routes.js';
import { type AdmissionController, registerAdmission } from './admission.js';
import { isReadOnlyWrite } from './audit-actions.js';
import { registerAuditHooks } from './audit-hooks.js';
import { registerAuditRoutes } from './audit-routes.js';
import { clientErrorHandler, frameworkErrors, requireHostHeader } from './client-errors.js';
import { registerComplianceAdminRoutes } from './compliance-admin-routes.js';
import { registerConsoleRoutes } from './console-routes.js';
import { registerDeviceActionRoutes } from './device-action-routes.js';
import { DeviceAuthenticator } from './device-auth.js';
import { registerDeviceRoutes, registerEnrollRoute } from './device-routes.js';
import { errorEnvelope, toClientError } from './error-envelope.js';
import { registerIdentityRoutes } from './identity-routes.js';
import type { EndpointMetrics } from './metrics.js';
import { registerOpenApiRoute } from './openapi/openapi-route.js';
import { registerPushRoute } from './push-route.js';
import { PUSH_WS_OPTIONS, releaseUpgradeRequest } from './push-socket-memory.js';
import type { EnrollRateLimits } from './rate-limit.js';
import { registerSecurityTaskRoutes, TASK_SET_NEUTRAL_WRITES } from './security-task-routes.js';
import { registerSessionRoutes } from './session-routes.js';
import { registerSignalRoutes } from './signal-routes.js';
import { registerTriageRoutes } from './triage-routes.js';
import { registerDeviceSoftwareRoute, registerVulnerabilityRoutes, VULNERABILITY_SET_NEUTRAL_WRITES } from './vulnerability-routes.js';

/** Request bodies are limited to 1 MiB (docs/protocol.md, "Errors"). */
export const BODY_LIMIT = 1024 * 1024;
/** Push channel ping interval. */
export const PING_INTERVAL_MS = 30_000;

/** TLS material and limits of the server. */
export interface HttpServerOptions {
  readonly tlsKeyPem: string;
  readonly tlsCertPem: string;
  readonly bodyLimit?: number;
  /** Enrollment rate limits (default DEFAULT_ENROLL_RATE_LIMITS); false turns them off (simulator, benchmarks). */
  readonly enrollRateLimits?: EnrollRateLimits | false;
  /** Admission control of the device API (admission.ts); none when absent (tests). */
  readonly admission?: AdmissionController;
  /** Device request and push channel metrics (metrics.ts); none when metrics are off. */
  readonly metrics?: EndpointMetrics;
  /** Called for every route as it is registered (tests: every admin route has a permission). */
  readonly onRoute?: (route: RouteOptions) => void;
}

/** Builds the fastify instance with every route; the caller listens and closes it. */
export async function createHttpServer(options: HttpServerOptions, ctx: ServiceContext): Promise<FastifyInstance> {
  const log = ctx.logger.child({ component: 'http' });
  const bodyLimit = options.bodyLimit ?? BODY_LIMIT;
  const app = Fastify({
    // Node's own Host check answers without a body: requireHostHeader (client-errors.ts) answers with the envelope.
    https: { key: options.tlsKeyPem, cert: options.tlsCertPem, requireHostHeader: false },
    bodyLimit,
    logger: false,
    requestTimeout: 30_000,
    forceCloseConnections: true,
    return503OnClosing: true,
    clientErrorHandler,
    frameworkErrors,
  });
  app.addHook('onRequest', requireHostHeader);
  if (options.onRoute) app.addHook('onRoute', options.onRoute);

  app.decorateRequest('rawBody', null);
  app.decorateRequest('device', null);
  app.decorateRequest('admin', null);

  // Bodies are read as bytes: request signatures hash exactly what was sent. Every schema check uses common/validation.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (req, body, done) => {
    const bytes = body as Buffer;
    req.rawBody = bytes;
    if (bytes.length === 0) return done(null, undefined);
    try {
      done(null, parseJsonText(bytes.toString('utf8'), 'request body', 'BODY_MALFORMED'));
    } catch (err) {
      done(err as AttacheError, undefined);
    }
  });

  app.setErrorHandler((err, req, reply) => {
    const clientError = toClientError(err);
    if (clientError.code === 'INTERNAL') log.error('request failed', { method: req.method, url: req.url, ...errorFields(err), stack: (err as Error)?.stack });
    else log.debug('request rejected', { method: req.method, url: req.url, code: clientError.code });
    // The database will be back: agents (which honour Retry-After) come back in a few seconds, not at once.
    if (clientError.code === 'DATABASE_UNAVAILABLE') reply.header('retry-after', '5');
    if (clientError.code === 'ENDPOINT_BUSY' && !reply.hasHeader('retry-after')) reply.header('retry-after', '2');
    if (clientError.retryAfterMs !== undefined && !reply.hasHeader('retry-after'))
      reply.header('retry-after', String(Math.ceil(clientError.retryAfterMs / 1000)));
    return reply.code(clientError.status).send(errorEnvelope(clientError));
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send(errorEnvelope(new AttacheError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`))));
  app.addHook('onResponse', async (req, reply) => {
    log.debug('request', {
      method: req.method,
      url: req.url,
      statusCode: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime),
      deviceId: req.device?.deviceId,
      adminId: req.admin?.adminId,
    });
  });

  // A channel-2 request carries what an HTTP body would (≤ bodyLimit) plus its envelope; a larger message closes the socket (1009).
  await app.register(websocket, { options: { ...PUSH_WS_OPTIONS, maxPayload: bodyLimit + 16 * 1024 } });
  app.websocketServer.on('connection', releaseUpgradeRequest);
  if (options.admission) registerAdmission(app, options.admission);
  options.metrics?.instrument(app);

  registerEnrollRoute(app, ctx, options.enrollRateLimits);
  registerOpenApiRoute(app);
  const deviceAuth = new DeviceAuthenticator({ store: ctx.store, clock: ctx.clock, logger: ctx.logger });
  await app.register(
    async (scope) => {
      scope.addHook('preHandler', deviceAuth.preHandler);
      // Any signed request is a check-in: a device noncompliant only for not checking in is re-evaluated at once.
      scope.addHook('preHandler', async (req) => {
        if (req.device) await ctx.compliance.onCheckin(req.device.deviceId);
      });
      registerDeviceRoutes(scope, ctx);
      registerSignalRoutes(scope, ctx);
      registerDeviceActionRoutes(scope, ctx);
      registerDeviceSoftwareRoute(scope, ctx, deviceAuth);
      registerPushRoute(scope, ctx, deviceAuth, options.metrics?.pushRequestAnswered);
    },
    { prefix: '/v1/device' },
  );
  const adminAuth = new AdminAuthenticator({ store: ctx.store, clock: ctx.clock, adminTokenHash: ctx.identity.adminTokenHash });
  registerSessionRoutes(app, ctx, adminAuth);
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', adminAuthHook(adminAuth));
      // After authentication, before authorization: every admin write is recorded with its actor, including one the
      // admin's role refuses (audit-hooks.ts).
      const audit = registerAuditHooks(scope, ctx);
      scope.addHook('onRequest', adminAuthorizeHook);
      scope.addHook('preHandler', adminScopeHook(ctx));
      scope.addHook('preHandler', audit.readBeforeState);
      // Any admin write may change which policies devices get: cached sets are dropped before the handler runs and
      // again once it answered, so a set computed from data the handler was changing is never kept. A POST that changes
      // nothing (what-if, rule preview) keeps them: every device's set would otherwise be recomputed for a preview; so do
      // the response-action writes (SET_NEUTRAL_WRITES), which change no set.
      const invalidate = async (req: FastifyRequest) => {
        const route = req.routeOptions.url ?? '';
        if (
          req.method === 'GET' ||
          req.method === 'HEAD' ||
          isReadOnlyWrite(req.method, route) ||
          SET_NEUTRAL_WRITES.has(`${req.method} ${route}`) ||
          TASK_SET_NEUTRAL_WRITES.has(`${req.method} ${route}`) ||
          VULNERABILITY_SET_NEUTRAL_WRITES.has(`${req.method} ${route}`)
        )
          return;
        ctx.sets.invalidateAll();
      };
      scope.addHook('preHandler', invalidate);
      scope.addHook('onResponse', invalidate);
      registerAdminRoutes(scope, ctx);
      registerComplianceAdminRoutes(scope, ctx);
      registerTriageRoutes(scope, ctx);
      registerActionRoutes(scope, ctx);
      registerIdentityRoutes(scope, ctx);
      registerAuditRoutes(scope, ctx);
      registerSecurityTaskRoutes(scope, ctx, ctx.securityTasks);
      registerVulnerabilityRoutes(scope, ctx);
    },
    { prefix: '/v1/admin' },
  );
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', accessAuthHook(ctx));
      registerAccessRoutes(scope, ctx);
    },
    { prefix: '/v1/access' },
  );
  registerConsoleRoutes(app);

  const heartbeat = systemClock.every(PING_INTERVAL_MS, () => ctx.hub.heartbeat());
  app.addHook('preClose', async () => {
    heartbeat.cancel();
    ctx.hub.closeAll();
  });
  return app;
}
