// Delivery of response actions to an agent that states the `actions` capability (header x-attache-capabilities on
// GET /v1/device/policies, `capabilities=actions` on the push upgrade): the device's pending and inProgress envelopes and
// its unacknowledged cancels (≤ MAX_DELIVERED_ACTIONS, oldest first) in every policies answer, with an etag that covers
// their ids, and an `actions` push message at once (to the socket on any replica, as sync nudges travel).
import { isoNow } from '../../../../common/clock.js';
import { sha256Hex } from '../../../../common/signing.js';
import { MAX_DELIVERED_ACTIONS, type PoliciesResponse, type SignedAction } from '../../../../policy-schemas/src/index.js';
import type { ServiceContext } from '../context.js';
import { currentEnvelope } from './action-envelope.js';

/** The request header an agent that runs response actions sends (comma-separated capabilities). */
export const CAPABILITIES_HEADER = 'x-attache-capabilities';
/** The capability that turns action delivery on. */
export const ACTIONS_CAPABILITY = 'actions';

/** Whether a capabilities list (header value or `capabilities` query value) names `actions`. */
export function statesActions(value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return values.some((v) => typeof v === 'string' && v.split(',').some((c) => c.trim() === ACTIONS_CAPABILITY));
}

/** Whether a push upgrade URL asked for actions (`capabilities=actions`; the query is part of the signed path). */
export function upgradeStatesActions(url: string): boolean {
  const query = url.includes('?') ? new URLSearchParams(url.slice(url.indexOf('?') + 1)) : undefined;
  return statesActions(query?.getAll('capabilities') ?? []);
}

/** What a policies answer adds for a capable agent. */
export interface ActionDelivery {
  readonly actions: SignedAction[];
  /** The etag of the whole answer: the set's etag when no action is carried (so older agents see no change). */
  readonly etag: string;
  /** Carried actions not yet marked delivered (marked when a 200 answer carries them). */
  readonly undelivered: readonly string[];
}

async function deliverable(ctx: ServiceContext, deviceId: string) {
  const rows = await ctx.store.deliverableActions(deviceId, isoNow(ctx.clock), MAX_DELIVERED_ACTIONS);
  return rows.map((row) => ({ ...row, envelope: currentEnvelope(row.envelope, ctx.signingKeys) }));
}

/** The actions a policies answer of the device carries, and its etag including their ids. */
export async function actionDelivery(ctx: ServiceContext, deviceId: string, setEtag: string): Promise<ActionDelivery> {
  const rows = await deliverable(ctx, deviceId);
  if (rows.length === 0) return { actions: [], etag: setEtag, undelivered: [] };
  const digest = rows.map((r) => `${r.kind}:${r.envelope.payload.actionId}:${r.envelope.keyId}`).join(',');
  return {
    actions: rows.map((r) => r.envelope),
    etag: `"${sha256Hex(`${setEtag}:actions:${digest}`)}"`,
    undelivered: rows.filter((r) => r.deliveredAt === null && r.kind === 'action').map((r) => r.actionId),
  };
}

/** A policies answer with the delivery added (etag replaced); unchanged without actions. */
export function withActions(response: PoliciesResponse, delivery: ActionDelivery): PoliciesResponse {
  return delivery.actions.length === 0 ? response : { ...response, etag: delivery.etag, actions: delivery.actions };
}

/** Sets deliveredAt of the actions a 200 answer (or an acknowledged push message) carried. */
export async function markDelivered(ctx: ServiceContext, actionIds: readonly string[]): Promise<void> {
  if (actionIds.length > 0) await ctx.store.markActionsDelivered(actionIds, isoNow(ctx.clock));
}

/** Sends each device connected here with the capability its deliverable actions in one `actions` message. */
export async function pushActionsHere(ctx: ServiceContext, deviceIds: readonly string[]): Promise<void> {
  for (const deviceId of ctx.hub.actionsCapableHere(deviceIds)) {
    const rows = await deliverable(ctx, deviceId);
    if (rows.length === 0) continue;
    ctx.hub.sendActions(
      deviceId,
      rows.map((r) => r.envelope),
      rows.filter((r) => r.kind === 'action').map((r) => r.actionId),
    );
  }
}

/** Pushes the device's actions now: from here when its socket is here, else through the other replicas. */
export async function pushActions(ctx: ServiceContext, deviceId: string): Promise<void> {
  if (ctx.hub.isConnected(deviceId)) await pushActionsHere(ctx, [deviceId]);
  else ctx.hub.publishActions([deviceId]);
}

/** An `ack` from the device's socket: the actions of that message are delivered. */
export async function acknowledgeActions(ctx: ServiceContext, deviceId: string, requestId: string): Promise<void> {
  const actionIds = ctx.hub.takeActionAck(deviceId, requestId);
  if (actionIds) await markDelivered(ctx, actionIds);
}
