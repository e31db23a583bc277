// The push hub: which device has an open push WebSocket, and the nudges sent over it. It never sends policy, only
// `sync` requests; the agent then runs a normal signed sync (docs/protocol.md, "GET /v1/device/push").
import { randomUUID } from 'node:crypto';
import type { ServerPushMessage } from '../../../policy-schemas/src/index.js';
import type { Logger } from '../logging.js';

/** Why a device is asked to sync. */
export type SyncReason = Extract<ServerPushMessage, { type: 'sync' }>['reason'];

/** The part of a `ws` WebSocket the hub uses (a fake implements it in tests). */
export interface PushSocket {
  readonly readyState: number;
  send(data: string): void;
  ping(): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

/** ws readyState of an open socket. */
const OPEN = 1;

/** Close codes the endpoint uses (4000–4999 are application-defined). */
export const PUSH_CLOSE = { replaced: 4001, revoked: 4003, keyRotated: 4004, shutdown: 1001 } as const;

interface Connection {
  readonly socket: PushSocket;
  alive: boolean;
}

/** Maps deviceId → its one push socket. A newer connection of a device replaces (and closes) the older one. */
export class PushHub {
  private readonly connections = new Map<string, Connection>();
  private readonly log: Logger;

  constructor(deps: { logger: Logger }) {
    this.log = deps.logger.child({ component: 'push' });
  }

  /** Registers the device's socket, closing any older one. */
  attach(deviceId: string, socket: PushSocket): void {
    const previous = this.connections.get(deviceId);
    this.connections.set(deviceId, { socket, alive: true });
    if (previous && previous.socket !== socket) previous.socket.close(PUSH_CLOSE.replaced, 'replaced by a newer connection');
    this.log.info('push connected', { deviceId, replaced: previous !== undefined });
  }

  /** Forgets the socket when it closes; a no-op when a newer socket already replaced it. */
  detach(deviceId: string, socket: PushSocket): void {
    if (this.connections.get(deviceId)?.socket !== socket) return;
    this.connections.delete(deviceId);
    this.log.info('push disconnected', { deviceId });
  }

  /** Marks a socket alive (on pong). */
  markAlive(deviceId: string, socket: PushSocket): void {
    const conn = this.connections.get(deviceId);
    if (conn?.socket === socket) conn.alive = true;
  }

  isConnected(deviceId: string): boolean {
    return this.connections.get(deviceId)?.socket.readyState === OPEN;
  }

  /** Sends a `sync` nudge to each connected device; returns how many were delivered to an open socket. */
  nudge(deviceIds: Iterable<string>, reason: SyncReason): number {
    let delivered = 0;
    for (const deviceId of new Set(deviceIds)) {
      const conn = this.connections.get(deviceId);
      if (!conn || conn.socket.readyState !== OPEN) continue;
      const message: ServerPushMessage = { type: 'sync', requestId: randomUUID(), reason };
      try {
        conn.socket.send(JSON.stringify(message));
        delivered++;
        this.log.debug('sync nudge sent', { deviceId, reason, requestId: message.requestId });
      } catch (err) {
        this.log.warn('sync nudge failed', { deviceId, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return delivered;
  }

  /** Closes the device's socket (revocation). */
  disconnect(deviceId: string, code: number, reason: string): void {
    const conn = this.connections.get(deviceId);
    if (!conn) return;
    this.connections.delete(deviceId);
    conn.socket.close(code, reason);
  }

  /**
   * One heartbeat round, run every 30 s by the server: a socket that did not answer the previous ping is dead
   * (half-open TCP, sleeping laptop) and is terminated; the others are pinged.
   */
  heartbeat(): void {
    for (const [deviceId, conn] of this.connections) {
      if (!conn.alive) {
        this.connections.delete(deviceId);
        conn.socket.terminate();
        this.log.info('push connection timed out', { deviceId });
        continue;
      }
      conn.alive = false;
      try {
        conn.socket.ping();
      } catch {
        // A socket that cannot be pinged is terminated at the next round.
      }
    }
  }

  /** Number of open push connections. */
  get size(): number {
    return this.connections.size;
  }

  /** Closes every socket (shutdown). */
  closeAll(): void {
    for (const [deviceId, conn] of this.connections) {
      this.connections.delete(deviceId);
      conn.socket.close(PUSH_CLOSE.shutdown, 'endpoint shutting down');
    }
  }
}
