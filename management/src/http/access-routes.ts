// GET /v1/access/devices/:id: the access decision API of a conditional-access gateway. Authorized by an access-service
// token or the admin token (`Authorization: Bearer …`); answers the decision precomputed at the device's last
// evaluation as ready-made JSON, so the request path is one hash, one set lookup and one map lookup.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AttacheError } from '../../../common/errors.js';
import type { ServiceContext } from '../service/context.js';

const BEARER_RE = /^Bearer ([!-~]{1,512})$/i;

/** A fastify onRequest hook accepting the admin token or an unrevoked access token. */
export function accessAuthHook(ctx: ServiceContext): (req: FastifyRequest) => Promise<void> {
  return async (req) => {
    const match = BEARER_RE.exec(req.headers.authorization ?? '');
    if (!match?.[1] || !ctx.accessTokens.accepts(match[1])) throw new AttacheError('ACCESS_UNAUTHORIZED', 'missing, wrong or revoked access token');
  };
}

/** Registers the access API on `app`, the /v1/access scope. */
export function registerAccessRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get<{ Params: { id: string } }>('/devices/:id', async (req, reply) => {
    const json = ctx.compliance.decisionJson(req.params.id.toLowerCase());
    if (json === undefined) throw new AttacheError('NOT_FOUND', `device ${req.params.id} is not enrolled`);
    return reply.type('application/json').send(json);
  });
}
