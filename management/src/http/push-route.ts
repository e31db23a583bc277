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
import { acceptAlertReport, acceptHealth, acceptInventory } from '../service/compliance/signals.js';
import type { ServiceContext } from '../service/context.js';
import { policiesResponse } from '../service/device-sets.js';
import { acceptReport, assignedPolicies } from '../service/device-sync.js';
import type { DeviceAuthenticator } from './device-auth.js';
import { etagMatches, signer } from './device-routes.js';
import { errorEnvelope, toClientError } from './error-envelope.js';

type Request = Extract<AgentPushMessage, { type: 'request' }>;

function text(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function send(socket: WebSocket, message: ServerPushMessage): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
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

/** Runs one channel request as its HTTP route would, from the device's current record (a revoked one is refused). */
async function answer(ctx: ServiceContext, auth: DeviceAuthenticator, deviceId: string, request: Request): Promise<unknown> {
  const device = await ctx.store.getDevice(deviceId);
  if (!device) throw new AttacheError('DEVICE_UNKNOWN', 'unknown device');
  if (device.revoked) throw new AttacheError('DEVICE_REVOKED', 'this device was revoked; enroll again');
  await auth.seen(deviceId);
  await ctx.compliance.onCheckin(deviceId);
  switch (request.method) {
    case 'getPolicies': {
      const view = await assignedPolicies(ctx, device);
      return request.etag !== undefined && etagMatches(request.etag, view.etag) ? { notModified: true } : policiesResponse(deviceId, view);
    }
    case 'postReport':
      return acceptReport(ctx, deviceId, request.body);
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

/** Registers the push route in the signed /v1/device scope (the preHandler authenticates the upgrade). */
export function registerPushRoute(app: FastifyInstance, ctx: ServiceContext, auth: DeviceAuthenticator): void {
  const log = ctx.logger.child({ component: 'push' });
  app.get('/push', { websocket: true }, (socket, req) => {
    const { deviceId } = signer(req);
    const channel = requestedChannel(req.url);
    const refuse = (err: unknown) => {
      const e = toAttacheError(err, 'MESSAGE_INVALID');
      log.debug('push message rejected', { deviceId, message: e.message });
      send(socket, { type: 'error', code: 'MESSAGE_INVALID', message: e.message.slice(0, 2048) });
    };
    // Handlers first: messages that arrive while we register must not be dropped.
    socket.on('message', (data) => {
      let message: AgentPushMessage;
      try {
        message = parseAgentMessage(text(data));
        if (message.type === 'request' && channel !== 2) throw new AttacheError('MESSAGE_INVALID', 'requests need push channel 2 (?channel=2)');
      } catch (err) {
        return refuse(err);
      }
      if (message.type === 'ack') return log.debug('sync acknowledged', { deviceId, requestId: message.requestId });
      const { id } = message;
      const done = ctx.hub.requestStarted();
      answer(ctx, auth, deviceId, message)
        .then((result) => send(socket, { type: 'response', id, result }))
        .catch((err: unknown) => {
          const e = toClientError(err);
          if (e.code === 'INTERNAL') log.error('push request failed', { deviceId, method: message.method, error: (err as Error)?.message });
          send(socket, { type: 'response', id, error: errorEnvelope(e).error });
          if (e.code === 'DEVICE_REVOKED' || e.code === 'DEVICE_UNKNOWN') socket.close(PUSH_CLOSE.revoked, e.code);
        })
        .finally(done);
    });
    socket.on('pong', () => ctx.hub.markAlive(deviceId, socket));
    socket.on('close', () => ctx.hub.detach(deviceId, socket));
    ctx.hub.attach(deviceId, socket, channel);
    send(socket, { type: 'hello', deviceId, serverTime: isoNow(ctx.clock), ...(channel === 2 ? { channel } : {}) });
  });
}
