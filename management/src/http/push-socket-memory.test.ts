// Unit test of what an open push socket lets go after the upgrade: the upgrade's ServerResponse, and
// @fastify/websocket's 'error' listener (a closure over the request), swapped for terminateOnError.
import { EventEmitter } from 'node:events';
import { type IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { releaseUpgradeRequest, terminateOnError } from './push-socket-memory.js';

function upgraded(): { ws: WebSocket & EventEmitter; req: IncomingMessage; socket: Socket & { _httpMessage?: unknown } } {
  const socket = new Socket() as Socket & { _httpMessage?: unknown };
  const req = { socket } as IncomingMessage;
  const res = new ServerResponse(req);
  res.assignSocket(socket);
  const ws = Object.assign(new EventEmitter(), { terminate: vi.fn() }) as unknown as WebSocket & EventEmitter;
  return { ws, req, socket };
}

describe('releaseUpgradeRequest', () => {
  it('detaches the upgrade response from the socket', () => {
    const { ws, req, socket } = upgraded();
    expect(socket._httpMessage).toBeInstanceOf(ServerResponse);
    releaseUpgradeRequest(ws, req);
    expect(socket._httpMessage).toBeNull();
    socket.destroy();
  });

  it("swaps the plugin's error listener (the first added after the event) for terminateOnError, keeping the others", async () => {
    const { ws, req, socket } = upgraded();
    const earlier = vi.fn();
    const plugin = vi.fn();
    const handlers = vi.fn();
    ws.on('error', earlier);
    releaseUpgradeRequest(ws, req);
    ws.on('error', plugin);
    ws.on('error', handlers);
    await nextTurn();
    expect(ws.listeners('error')).toEqual([earlier, handlers, terminateOnError]);
    ws.emit('error', new Error('ECONNRESET'));
    expect(plugin).not.toHaveBeenCalled();
    expect(handlers).toHaveBeenCalledOnce();
    expect(ws.terminate).toHaveBeenCalledOnce();
    socket.destroy();
  });

  it('leaves the listeners alone when none was added after the event', async () => {
    const { ws, req, socket } = upgraded();
    releaseUpgradeRequest(ws, req);
    await nextTurn();
    expect(ws.listenerCount('error')).toBe(0);
    socket.destroy();
  });
});
