// Updates from the agent (POST /v1/device/actions/updates, channel method postActionUpdates): stored in one transaction
// before the answer. common/action-state.ts updateEffect decides apply | late | stale; a result must match its type's
// schema (400 SCHEMA_INVALID naming the field); collect succeeds only over a complete package with the same SHA-256 and
// size; offboard succeeded marks the device offboarded; the device's terminal update on a cancelled action ends the
// cancel delivery.

import type { ValidateFunction } from 'ajv/dist/2020.js';
import { updateEffect } from '../../../../common/action-state.js';
import { AttacheError } from '../../../../common/errors.js';
import { createAjv } from '../../../../common/schema-validators.js';
import { describeErrors, validate } from '../../../../common/validation.js';
import { type ActionResultOf, ActionResults, type ActionUpdate, type ActionUpdatesAck, ActionUpdatesRequest } from '../../../../policy-schemas/src/index.js';
import type { ActionChange, ActionRecord, UpdateDecision } from '../../store/action-store.js';
import type { ServiceContext } from '../context.js';

type Indexed = ActionUpdate & { readonly index: number };

// ActionResults' per-type schemas carry no $id (they sit inside the ActionResult union): compiled here once each.
let resultAjv: ReturnType<typeof createAjv> | undefined;
const resultValidators = new Map<string, ValidateFunction>();

/** SCHEMA_INVALID naming the field when the result is not the one of the action's type (the union let it through). */
function checkResult(current: ActionRecord, update: Indexed): void {
  if (update.result === undefined) return;
  let fn = resultValidators.get(current.type);
  if (!fn) {
    resultAjv ??= createAjv();
    fn = resultAjv.compile(ActionResults[current.type]);
    resultValidators.set(current.type, fn);
  }
  if (fn(update.result)) return;
  const prefix = `/updates/${update.index}/result`;
  const details = describeErrors(fn.errors).map((d) => ({ path: `${prefix}${d.path === '/' ? '' : d.path}`, message: d.message }));
  const first = details[0];
  throw new AttacheError('SCHEMA_INVALID', `action updates are invalid: ${first?.path ?? prefix} ${first?.message ?? `is not a ${current.type} result`}`, {
    details,
  });
}

/** Why a collect `succeeded` cannot stand (undefined: the stored package is complete with the reported hash and size). */
function packageProblem(current: ActionRecord, update: ActionUpdate): string | undefined {
  const result = update.result as ActionResultOf<'collectInvestigationPackage'> | undefined;
  const stored = current.package;
  if (!result) return 'the update carries no package result';
  if (!stored?.complete) return 'the endpoint holds no complete package for this action';
  if (stored.sha256 !== result.sha256 || stored.sizeBytes !== result.sizeBytes) return 'the stored package has another sha256 or size than the result';
  return undefined;
}

function applied(current: ActionRecord, update: ActionUpdate, now: string): UpdateDecision {
  const base: ActionChange = {
    updatedAt: now,
    lastSequence: update.sequence,
    ...(update.progress !== undefined ? { progress: update.progress } : {}),
    // The device had it before it said anything about it: the push ack or policies answer may be stored later.
    ...(current.deliveredAt === null ? { deliveredAt: update.at } : {}),
  };
  switch (update.status) {
    case 'inProgress':
      return { change: { ...base, status: 'inProgress', startedAt: current.startedAt ?? update.at }, status: 'inProgress' };
    case 'succeeded': {
      const problem = current.type === 'collectInvestigationPackage' ? packageProblem(current, update) : undefined;
      if (problem) {
        const error = { code: 'PACKAGE_HASH_MISMATCH', message: problem };
        return { change: { ...base, status: 'failed', completedAt: update.at, error }, status: 'failed', discardPackage: true };
      }
      const change: ActionChange = { ...base, status: 'succeeded', completedAt: update.at, progress: 100, result: update.result ?? null };
      return { change, status: 'succeeded', offboardDevice: current.type === 'offboard' };
    }
    case 'failed':
      return { change: { ...base, status: 'failed', completedAt: update.at, error: update.error ?? null }, status: 'failed' };
    case 'cancelled':
      return { change: { ...base, status: 'cancelled', completedAt: update.at }, status: 'cancelled' };
  }
}

/** What one update does to its action, from the row read inside the store's transaction. */
export function decideUpdate(current: ActionRecord, update: Indexed, now: string): UpdateDecision {
  checkResult(current, update);
  // The device's final word on the target (cancelled, or the outcome it had reached): it needs the cancel no more. No
  // time comparison: `at` is the device's clock, in any ISO form (review 17b #3, #17). An inProgress does not count:
  // the device may have started before the cancel reached it, and a running scan must still get it.
  const cancelSeen = current.cancelPending && update.status !== 'inProgress';
  const seen: Partial<ActionChange> = cancelSeen ? { cancelPending: false } : {};
  const effect = updateEffect(current, update);
  if (effect.kind === 'stale') return { change: cancelSeen ? { ...seen, updatedAt: now } : null, status: current.status };
  if (effect.kind === 'late') {
    // The device's own `cancelled` of a cancelled action only confirms it: no late outcome to show.
    const outcome = update.status !== 'inProgress' && !(current.status === 'cancelled' && update.status === 'cancelled');
    const lateResult = {
      status: update.status,
      at: update.at,
      ...(update.result ? { result: update.result } : {}),
      ...(update.error ? { error: update.error } : {}),
    };
    return {
      change: { ...seen, updatedAt: now, lastSequence: update.sequence, ...(outcome ? { lateResult } : {}) },
      status: current.status,
      // The device really left management: its identity is gone whatever the action center says.
      offboardDevice: current.type === 'offboard' && update.status === 'succeeded',
    };
  }
  const decision = applied(current, update, now);
  return { ...decision, change: decision.change ? { ...decision.change, ...seen } : null };
}

/** Stores a device's updates (all or none) and answers each action's status at the endpoint now. */
export async function acceptActionUpdates(ctx: ServiceContext, deviceId: string, body: unknown): Promise<ActionUpdatesAck> {
  const request = validate(ActionUpdatesRequest, body, 'action updates');
  const updates: Indexed[] = request.updates.map((u, index) => ({ ...u, index }));
  const foreign = updates.find((u) => u.deviceId !== deviceId);
  if (foreign) {
    throw new AttacheError('ACTION_NOT_FOUND', `no action ${foreign.actionId} for this device`, {
      details: [{ path: `/updates/${foreign.index}/deviceId`, message: foreign.actionId }],
    });
  }
  const now = new Date(ctx.clock.now()).toISOString();
  const decisions = await ctx.store.applyActionUpdates(deviceId, updates, (current, update) => decideUpdate(current, update, now));
  const offboarded = decisions.some((d) => d.offboardDevice);
  if (offboarded) {
    ctx.logger.info('device offboarded', { component: 'actions', deviceId });
    // An offboarded device is out of management: its access decision blocks as a revoked one's does.
    await ctx.compliance.evaluate(deviceId, 'revocation');
  }
  ctx.logger.info('action updates received', { component: 'actions', deviceId, updates: updates.length });
  return { acks: updates.map((u, i) => ({ actionId: u.actionId, sequence: u.sequence, status: decisions[i]?.status ?? 'pending' })) };
}
