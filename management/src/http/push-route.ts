// GET /v1/device/push: the signed WebSocket of a device. Channel 1 carries `sync` nudges; channel 2 (`?channel=2` on
// the signed upgrade) also carries the device's signed set and its requests (reports, alerts, health, inventory, the
// check-in), answered through the same service functions and error codes as the HTTP routes. Messages are bound to the
// device by the signed upgrade and the TLS connection it was made on (docs/protocol.md, "Push channel").
// Type-only import: adds @fastify/websocket's `websocket: true` route option and (socket, request) handler to fastify's types.
import type {} from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { isoNow } from '../../../common/clock.js';
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import { parseJsonText } from '../../../common/json-text.js';
import { validate } from '../../../common/validation.js';
import { AgentPushMessage, PUSH_CHANNEL_VERSION, type ServerPushMessage } from '../../../policy-schemas/src/index.js';
import { PUSH_CLOSE } from '../push/push-hub.js';
import { acknowledgeActions, actionDelivery, markDelivered, pushActionsHere, upgradeStatesActions, withActions } from '../service/actions/action-delivery.js';
import { acceptActionUpdates } from '../service/actions/action-updates.js';
import { acceptAlertReport, acceptHealth, acceptInventory } from '../service/compliance/signals.js';
import type { ServiceContext } from '../service/context.js';
import { policiesResponse } from '../service/device-sets.js';
import { acceptReport, assignedPolicies } from '../service/device-sync.js';
import type { DeviceRecord } from '../store/store.js';
import type { DeviceAuthenticator } from './device-auth.js';
import { etagMatches, signer } from './device-routes.js';
import { errorEnvelope, toClientError } from './error-envelope.js';

type Request = Extract<AgentPushMessage, { type: 'request' }>;

/**
 * Requests one socket may have in progress; beyond that a request is answered ENDPOINT_BUSY at once. Keeps one device
 * from holding the endpoint's request budget (which paces set deliveries) or piling up answers it does not read.
 */
export const MAX_REQUESTS_PER_SOCKET = 32;

function text(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function send(socket: WebSocket, message: ServerPushMessage): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

/** The id of a request that failed its schema, when it has a readable one (its answer can then name it). */
function requestIdOf(raw: string): string | undefined {
  try {
    const m = JSON.parse(raw) as { type?: unknown; id?: unknown } | null;
    return m?.type === 'request' && typeof m.id === 'string' && /^[0-9a-f-]{36}$/i.test(m.id) ? m.id : undefined;
  } catch {
    return undefined;
  }
}

/** Parses one agent message; throws MESSAGE_INVALID. */
export function parseAgentMessage(raw: string): AgentPushMessage {
  return validate(AgentPushMessage, parseJsonText(raw, 'push message', 'MESSAGE_INVALID'), 'push message', 'MESSAGE_INVALID');
}

/** The channel version the upgrade asked for (its query is part of the signed path). */
export function requestedChannel(url: string): 1 | 2 {
  const query = url.includes('?') ? new URLSearchParams(url.slice(url.indexOf('?') + 1)) : undefined;
  return query?.get('channel') === String(PUSH_CHANNEL_VERSION) ? 2 : 1;
}

/**
 * Runs one channel request as its HTTP route would, from the device's current record: refused when the device was
 * revoked or its key rotated since the upgrade was signed (the socket is then closed).
 */
async function answer(
  ctx: ServiceContext,
  auth: DeviceAuthenticator,
  signer: Pick<DeviceRecord, 'deviceId' | 'publicKey'>,
  request: Request,
  capabilities: { readonly actions: boolean },
): Promise<unknown> {
  const { deviceId } = signer;
  const device = await ctx.store.getDevice(deviceId);
  if (!device) throw new AttacheError('DEVICE_UNKNOWN', 'unknown device');
  if (device.revoked) throw new AttacheError('DEVICE_REVOKED', 'this device was revoked; enroll again');
  if (device.offboardedAt) throw new AttacheError('DEVICE_OFFBOARDED', 'this device was offboarded; enroll again to manage it');
  if (device.publicKey !== signer.publicKey) {
    throw new AttacheError('REQUEST_SIGNATURE_INVALID', 'the device key this channel was opened with was rotated; reconnect with the new key');
  }
  await auth.seen(deviceId);
  await ctx.compliance.onCheckin(deviceId);
  switch (request.method) {
    case 'getPolicies': {
      const view = await assignedPolicies(ctx, device);
      // The socket's capability (from its signed upgrade) says whether actions go with the answer.
      const delivery = capabilities.actions ? await actionDelivery(ctx, deviceId, view.etag) : undefined;
      const etag = delivery?.etag ?? view.etag;
      if (request.etag !== undefined && etagMatches(request.etag, etag)) return { notModified: true };
      if (!delivery) return policiesResponse(deviceId, view);
      await markDelivered(ctx, delivery.undelivered);
      return withActions(policiesResponse(deviceId, view), delivery);
    }
    case 'postActionUpdates':
      return acceptActionUpdates(ctx, deviceId, request.body);
    case 'postReport':
      return acceptReport(ctx, deviceId, request.body, device);
    case 'postAlerts':
      return acceptAlertReport(ctx, deviceId, request.body);
    case 'postHealth':
      await acceptHealth(ctx, deviceId, request.body);
      return {};
    case 'postInventory':
      await acceptInventory(ctx, deviceId, request.body);
      return {};
  }
}

/** Told of each answered channel-2 request: its method, whether it succeeded, seconds from receipt to answer (metrics). */
export type PushRequestObserver = (method: Request['method'], outcome: 'ok' | 'error', seconds: number) => void;

/** Registers the push route in the signed /v1/device scope (the preHandler authenticates the upgrade). */
export function registerPushRoute(app: FastifyInstance, ctx: ServiceContext, auth: DeviceAuthenticator, observe?: PushRequestObserver): void {
  const log = ctx.logger.child({ component: 'push' });
  app.get('/push', { websocket: true }, (socket, req) => {
    // Only what the socket needs of the upgrade is kept (not the request): the device id and the key it was signed with.
    const { deviceId, publicKey } = signer(req);
    const upgradeSigner = { deviceId, publicKey };
    const channel = requestedChannel(req.url);
    const capabilities = { actions: upgradeStatesActions(req.url) };
    let inProgress = 0;
    // A peer that does not read its answers is dropped, as the hub drops one that does not read its deliveries.
    const answerWith = (message: ServerPushMessage) => {
      if (ctx.hub.keepUp(deviceId, { socket })) send(socket, message);
    };
    const refuse = (raw: string, err: unknown) => {
      const e = toAttacheError(err, 'MESSAGE_INVALID');
      log.debug('push message rejected', { deviceId, message: e.message });
      const id = channel === 2 ? requestIdOf(raw) : undefined;
      // A malformed request whose id can be read is answered as a request, so the agent does not wait for it.
      if (id) answerWith({ type: 'response', id, error: { code: 'MESSAGE_INVALID', message: e.message.slice(0, 4096) } });
      else answerWith({ type: 'error', code: 'MESSAGE_INVALID', message: e.message.slice(0, 2048) });
    };
    // Handlers first: messages that arrive while we register must not be dropped.
    socket.on('message', (data) => {
      const raw = text(data);
      let message: AgentPushMessage;
      try {
        message = parseAgentMessage(raw);
        if (message.type === 'request' && channel !== 2) throw new AttacheError('MESSAGE_INVALID', 'requests need push channel 2 (?channel=2)');
      } catch (err) {
        return refuse(raw, err);
      }
      if (message.type === 'ack') {
        log.debug('push message acknowledged', { deviceId, requestId: message.requestId });
        if (capabilities.actions)
          acknowledgeActions(ctx, deviceId, message.requestId).catch((err: unknown) => log.warn('action ack failed', { deviceId, error: String(err) }));
        return;
      }
      const { id } = message;
      if (inProgress >= MAX_REQUESTS_PER_SOCKET) {
        const busy = new AttacheError('ENDPOINT_BUSY', `more than ${MAX_REQUESTS_PER_SOCKET} requests in progress on this channel; wait for their answers`);
        return answerWith({ type: 'response', id, error: errorEnvelope(busy).error });
      }
      inProgress++;
      const done = ctx.hub.requestStarted();
      const receivedAt = ctx.clock.now();
      let outcome: 'ok' | 'error' = 'error';
      answer(ctx, auth, upgradeSigner, message, capabilities)
        .then((result) => {
          outcome = 'ok';
          answerWith({ type: 'response', id, result });
        })
        .catch((err: unknown) => {
          const e = toClientError(err);
          if (e.code === 'INTERNAL') log.error('push request failed', { deviceId, method: message.method, error: (err as Error)?.message });
          answerWith({ type: 'response', id, error: errorEnvelope(e).error });
          if (e.code === 'DEVICE_REVOKED' || e.code === 'DEVICE_UNKNOWN' || e.code === 'DEVICE_OFFBOARDED') socket.close(PUSH_CLOSE.revoked, e.code);
          if (e.code === 'REQUEST_SIGNATURE_INVALID') socket.close(PUSH_CLOSE.keyRotated, 'device key rotated');
        })
        .finally(() => {
          inProgress--;
          done();
          observe?.(message.method, outcome, (ctx.clock.now() - receivedAt) / 1000);
        });
    });
    socket.on('pong', () => ctx.hub.markAlive(deviceId, socket));
    socket.on('close', () => ctx.hub.detach(deviceId, socket));
    ctx.hub.attach(deviceId, socket, channel, capabilities);
    send(socket, { type: 'hello', deviceId, serverTime: isoNow(ctx.clock), ...(channel === 2 ? { channel } : {}) });
    // Actions created while the device was away go out at once (they also ride on every policies answer).
    if (capabilities.actions) pushActionsHere(ctx, [deviceId]).catch((err: unknown) => log.warn('action push failed', { deviceId, error: String(err) }));
  });
}
