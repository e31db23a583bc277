// Console login (/v1/session, contract 2): POST logs in (rate-limited per source address and per username before the
// password is checked), GET says who is logged in, DELETE logs out. The session lives in the __Host-attache_session cookie.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import type { ServiceContext } from '../service/context.js';
import { type AdminAuthenticator, CSRF_HEADER, SESSION_ABSOLUTE_MS, SESSION_COOKIE } from '../service/identity/authenticate.js';
import { UnknownUsernameLockout } from '../service/identity/password-attempts.js';
import { dummyPasswordHash } from '../service/identity/passwords.js';
import { currentSession, login, logout } from '../service/identity/sessions.js';
import { cookieValue, cookieValues, sessionCookie } from './admin-auth.js';
import { type RateLimit, TokenBuckets } from './rate-limit.js';

/**
 * Login attempts: per source address 20 at once then one every 3 s; per username (known or not) 10 at once then one
 * every 6 s. The account lockout (5 failures, service/identity/password-attempts.ts) stops guessing one password sooner.
 */
export const LOGIN_RATE_LIMITS: { readonly perAddress: RateLimit; readonly perUsername: RateLimit } = {
  perAddress: { burst: 20, perSecond: 1 / 3 },
  perUsername: { burst: 10, perSecond: 1 / 6 },
};

function usernameOf(body: unknown): string {
  const name = (body as { username?: unknown } | null)?.username;
  return typeof name === 'string' ? name.slice(0, 64).toLowerCase() : '';
}

function csrfOf(req: FastifyRequest): string | undefined {
  const value = req.headers[CSRF_HEADER];
  return typeof value === 'string' ? value : undefined;
}

/** Registers /v1/session on `app` (the root: no admin hook; these routes authenticate themselves). */
export function registerSessionRoutes(app: FastifyInstance, ctx: ServiceContext, auth: AdminAuthenticator, clock: Pick<Clock, 'now'> = ctx.clock): void {
  // Made now, off the event loop: the first login for an unknown username then takes one hash, like any other.
  dummyPasswordHash().catch((err: unknown) => ctx.logger.warn('dummy password hash failed', { component: 'identity', error: (err as Error).message }));
  const byAddress = new TokenBuckets(LOGIN_RATE_LIMITS.perAddress, { clock });
  const byUsername = new TokenBuckets(LOGIN_RATE_LIMITS.perUsername, { clock });
  const unknownNames = new UnknownUsernameLockout(clock);

  app.post('/v1/session', async (req, reply) => {
    for (const [buckets, key, what] of [
      [byAddress, req.ip, 'from this address'],
      [byUsername, usernameOf(req.body), 'for this username'],
    ] as const) {
      const decision = buckets.take(key);
      if (!decision.allowed) {
        reply.header('retry-after', String(decision.retryAfterSeconds));
        throw new AttacheError('RATE_LIMITED', `too many login attempts ${what}; retry after ${decision.retryAfterSeconds} s`);
      }
    }
    // Every session cookie sent is ended, however many: a login is how a browser gets out of a duplicate cookie.
    const outcome = await login(ctx, req.body, req.ip, cookieValues(req.headers.cookie, SESSION_COOKIE), unknownNames);
    // The browser keeps the cookie for the absolute lifetime; the endpoint enforces the sliding idle expiry.
    reply.header('set-cookie', sessionCookie(outcome.sessionId, SESSION_ABSOLUTE_MS / 1000));
    reply.header('cache-control', 'no-store');
    return outcome.info;
  });

  app.get('/v1/session', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    return currentSession(auth, cookieValue(req.headers.cookie, SESSION_COOKIE));
  });

  app.delete('/v1/session', async (req, reply) => {
    await logout(ctx, auth, cookieValue(req.headers.cookie, SESSION_COOKIE), csrfOf(req), req.ip);
    reply.header('set-cookie', sessionCookie('', 0));
    return reply.code(204).send();
  });
}
