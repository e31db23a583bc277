// What each open push socket keeps alive, kept small (bench:push-connections, BENCHMARKS.md): the ws server options,
// and the upgrade request's HTTP objects, let go once the socket is open.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ServerOptions, WebSocket } from 'ws';

/**
 * ws server options of the push route. No compression (a per-socket zlib context is ~300 KB once used; our messages
 * are small JSON and a set's shared bytes would be compressed per socket), and no client set: the push hub already holds
 * each device's one socket. The message size limit is set by the server (request body limit + envelope).
 */
export const PUSH_WS_OPTIONS = { perMessageDeflate: false, clientTracking: false } as const satisfies ServerOptions;

/** The 'error' listener an open push socket keeps: a socket error (reset, bad frame) ends the socket, as before. */
export function terminateOnError(this: WebSocket): void {
  this.terminate();
}

/**
 * On 'connection' of the ws server, before the route handler runs. Two references keep the upgrade's HTTP objects
 * (fastify Request and Reply, IncomingMessage with its headers, ServerResponse: ~4 KB of heap) alive for the socket's
 * whole life:
 * - node's `socket._httpMessage`, the ServerResponse @fastify/websocket assigned for the upgrade (finished: ws wrote
 *   the 101); detached here;
 * - the 'error' listener @fastify/websocket 11 adds right after this event, a closure over (request, reply) that only
 *   logs (our fastify has no logger) and terminates. It is swapped for terminateOnError in a microtask, which runs after
 *   the plugin's synchronous chain (this event, its listener, the route handler); listeners the handler adds stay.
 */
export function releaseUpgradeRequest(ws: WebSocket, req: IncomingMessage): void {
  const socket = req.socket as Socket & { _httpMessage?: ServerResponse | null };
  socket._httpMessage?.detachSocket(socket);
  const pluginListenerAt = ws.listenerCount('error');
  queueMicrotask(() => {
    const pluginListener = ws.listeners('error')[pluginListenerAt] as ((err: Error) => void) | undefined;
    if (pluginListener === undefined) return;
    ws.off('error', pluginListener);
    ws.on('error', terminateOnError);
  });
}
