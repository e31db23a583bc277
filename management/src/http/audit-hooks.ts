// Records every admin write in the audit log: as the request arrives the attempt is noted (and writes are refused while
// the audit log cannot be written); once the admin is authorized for the target, its state is read; once the answer is
// ready and before it is sent, the entry is appended with the outcome and the state after. When that append fails the
// admin gets AUDIT_WRITE_FAILED instead of the answer.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AttacheError } from '../../../common/errors.js';
import { auditActorOf } from '../service/audit/audit-actor.js';
import { hasSnapshot, loadSnapshot } from '../service/audit/audit-snapshots.js';
import type { ServiceContext } from '../service/context.js';
import { AUDITED_ROUTES, adminRoute, answerField, auditedRoute } from './audit-actions.js';
import { errorEnvelope } from './error-envelope.js';

interface PendingEntry {
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly answerIdField: string | undefined;
  /** The target's state, read only once the admin passed authorization and scope (null until then, or for a create). */
  before: unknown;
}

function isRead(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/**
 * Adds the audit hooks to the /v1/admin scope. Register after the authentication hook: a request that fails
 * authentication is not recorded here (the identity part records failed logins).
 */
export function registerAuditHooks(scope: FastifyInstance, ctx: ServiceContext): { readBeforeState: (req: FastifyRequest) => Promise<void> } {
  const pending = new WeakMap<FastifyRequest, PendingEntry>();
  const log = ctx.logger.child({ component: 'audit' });

  // A write route without a name in AUDITED_ROUTES is still recorded (as "<METHOD> <route>"), but said at start-up.
  scope.addHook('onRoute', (route) => {
    const url = adminRoute(route.url);
    for (const method of [route.method].flat()) {
      if (!isRead(method) && !AUDITED_ROUTES[`${method} ${url}`]) log.warn('admin write route has no audit action', { route: `${method} ${url}` });
    }
  });

  scope.addHook('onRequest', async (req, reply) => {
    if (isRead(req.method)) return;
    const route = auditedRoute(req.method, adminRoute(req.routeOptions.url ?? ''));
    if ('readOnly' in route) return;
    try {
      ctx.audit.assertWritable();
    } catch (err) {
      if (err instanceof AttacheError && err.retryAfterMs !== undefined) reply.header('retry-after', String(Math.ceil(err.retryAfterMs / 1000)));
      throw err;
    }
    const params = (req.params ?? {}) as Record<string, string | undefined>;
    const { targetId } = route;
    const fromQuery = typeof targetId === 'object' && 'query' in targetId ? (req.query as Record<string, unknown>)[targetId.query] : undefined;
    pending.set(req, {
      action: route.action,
      targetType: route.targetType,
      // A query value is recorded as sent (cut to 255 characters) before the handler checks it.
      targetId: targetId === 'param' ? (params.id ?? null) : typeof fromQuery === 'string' ? fromQuery.slice(0, 255) : null,
      answerIdField: typeof targetId === 'object' && 'answer' in targetId ? targetId.answer : undefined,
      before: null,
    });
  });

  scope.addHook('onSend', async (req, reply, payload) => {
    const entry = pending.get(req);
    if (!entry) return payload;
    pending.delete(req);
    const body = jsonOf(payload);
    const failed = reply.statusCode >= 400;
    const errorCode = failed ? (answerField(body, 'error.code') ?? 'INTERNAL') : null;
    const targetId = entry.targetId ?? (entry.answerIdField && !failed ? answerField(body, entry.answerIdField) : null);
    try {
      await ctx.audit.record({
        actor: auditActorOf(req.admin),
        sourceAddress: req.ip,
        action: entry.action,
        target: { type: entry.targetType, id: targetId },
        outcome: failed ? 'failure' : 'success',
        errorCode,
        before: entry.before,
        // A rejected request changed nothing: no after. Otherwise the target as it is now, or the answer (secrets
        // removed by record) for targets the audit cannot read back (onboarding packages).
        after: failed ? null : await stateAfter(ctx, entry.targetType, targetId, body),
      });
    } catch (err) {
      return replaceAnswer(reply, err);
    }
    return payload;
  });

  // A preHandler the caller adds after authorization and the scope check: a refused or out-of-scope attempt never gets
  // here, so it cannot turn into a read of its target through the audit log. A create has no target yet (no read).
  const readBeforeState = async (req: FastifyRequest): Promise<void> => {
    const entry = pending.get(req);
    if (entry && hasSnapshot(entry.targetType)) entry.before = await loadSnapshot(ctx, entry.targetType, entry.targetId);
  };
  return { readBeforeState };
}

async function stateAfter(ctx: ServiceContext, targetType: string, targetId: string | null, body: unknown): Promise<unknown> {
  if (hasSnapshot(targetType)) return loadSnapshot(ctx, targetType, targetId);
  return body ?? null;
}

// The answer is not sent when its audit entry could not be written: the admin sees the failure, not a success.
function replaceAnswer(reply: FastifyReply, err: unknown): string {
  const error = err instanceof AttacheError ? err : new AttacheError('AUDIT_WRITE_FAILED', 'the audit log could not be written', { cause: err });
  reply.code(error.status);
  reply.header('content-type', 'application/json; charset=utf-8');
  return JSON.stringify(errorEnvelope(error));
}

function jsonOf(payload: unknown): unknown {
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
