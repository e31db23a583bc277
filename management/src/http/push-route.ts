// GET /v1/device/push: the signed WebSocket over which the endpoint nudges a device to sync. Messages from the agent
// are validated; a malformed one gets an `error` message and the connection stays open.
// Type-only import: adds @fastify/websocket's `websocket: true` route option and (socket, request) handler to fastify's types.
import type {} from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { isoNow } from '../../../common/clock.js';
import { toAttacheError } from '../../../common/errors.js';
import { parseJsonText } from '../../../common/json-text.js';
import { validate } from '../../../common/validation.js';
import { AgentPushMessage, type ServerPushMessage } from '../../../policy-schemas/src/index.js';
import type { ServiceContext } from '../service/context.js';
import { signer } from './device-routes.js';

function text(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function send(socket: WebSocket, message: ServerPushMessage): void {
  socket.send(JSON.stringify(message));
}

/** Parses one agent message; throws MESSAGE_INVALID. */
export function parseAgentMessage(raw: string): AgentPushMessage {
  return validate(AgentPushMessage, parseJsonText(raw, 'push message', 'MESSAGE_INVALID'), 'push message', 'MESSAGE_INVALID');
}

/** Registers the push route in the signed /v1/device scope (the preHandler authenticates the upgrade). */
export function registerPushRoute(app: FastifyInstance, ctx: ServiceContext): void {
  const log = ctx.logger.child({ component: 'push' });
  app.get('/push', { websocket: true }, (socket, req) => {
    const { deviceId } = signer(req);
    // Handlers first: messages that arrive while we register must not be dropped.
    socket.on('message', (data) => {
      try {
        const message = parseAgentMessage(text(data));
        log.debug('sync acknowledged', { deviceId, requestId: message.requestId });
      } catch (err) {
        const e = toAttacheError(err, 'MESSAGE_INVALID');
        log.debug('push message rejected', { deviceId, message: e.message });
        if (socket.readyState === socket.OPEN) send(socket, { type: 'error', code: 'MESSAGE_INVALID', message: e.message.slice(0, 2048) });
      }
    });
    socket.on('pong', () => ctx.hub.markAlive(deviceId, socket));
    socket.on('close', () => ctx.hub.detach(deviceId, socket));
    ctx.hub.attach(deviceId, socket);
    send(socket, { type: 'hello', deviceId, serverTime: isoNow(ctx.clock) });
  });
}
