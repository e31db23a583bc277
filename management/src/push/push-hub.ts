// The push hub: which device has an open push WebSocket and which channel version it speaks. A change reaches a
// channel-1 agent as a `sync` nudge (it then runs a signed HTTP sync) and a channel-2 agent through the delivery
// (service/set-delivery.ts: its signed set over the socket). docs/protocol.md, "GET /v1/device/push".
import { randomUUID } from 'node:crypto';
import type { DeliveredAction, ServerPushMessage, SyncReason } from '../../../policy-schemas/src/index.js';
import type { Logger } from '../logging.js';
import type { ClusterBus } from './cluster-bus.js';

export type { SyncReason };

/** The part of a `ws` WebSocket the hub uses (a fake implements it in tests). */
export interface PushSocket {
  readonly readyState: number;
  /** Bytes queued for the peer and not yet written to the network. */
  readonly bufferedAmount: number;
  send(data: string | Buffer, options?: { fin?: boolean; binary?: boolean }): void;
  ping(): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

/** ws readyState of an open socket. */
const OPEN = 1;

/** Close codes the endpoint uses (4000–4999 are application-defined). */
export const PUSH_CLOSE = { replaced: 4001, revoked: 4003, keyRotated: 4004, slowReader: 4008, shutdown: 1001 } as const;

/**
 * A socket with more than this queued and unwritten is a slow reader: it is dropped (it reconnects and syncs) rather
 * than holding memory the other devices need. Several policy sets fit below it.
 */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** Push channel versions: 1 carries `sync` nudges only, 2 also the signed set and the device's requests. */
export type ChannelVersion = 1 | 2;

interface Connection {
  readonly socket: PushSocket;
  readonly channel: ChannelVersion;
  /** The agent stated the `actions` capability on its upgrade (`capabilities=actions`). */
  readonly actions: boolean;
  alive: boolean;
}

/** `actions` push messages awaiting the agent's ack (their actions' deliveredAt is set on it); the oldest go first. */
const MAX_PENDING_ACTION_ACKS = 10_000;

/** Delivers the sets of channel-2 devices (the endpoint's SetDelivery); the hub only says who and why. */
export type SetDeliverer = (deviceIds: readonly string[], reason: SyncReason) => void;

/** Maps deviceId → its one push socket. A newer connection of a device replaces (and closes) the older one. */
export class PushHub {
  private readonly connections = new Map<string, Connection>();
  private readonly log: Logger;
  private deliverer: SetDeliverer | undefined;
  /** Device requests received over channel-2 sockets and not answered yet. */
  private inFlight = 0;
  private readonly belowWaiters: { limit: number; resolve: () => void }[] = [];
  private readonly actionAcks = new Map<string, { readonly deviceId: string; readonly actionIds: readonly string[] }>();

  private readonly bus: ClusterBus | undefined;

  /** With a `bus`, nudges and disconnects also reach the devices connected to the other replicas. */
  constructor(deps: { logger: Logger; bus?: ClusterBus }) {
    this.log = deps.logger.child({ component: 'push' });
    this.bus = deps.bus;
  }

  /** Sets who delivers channel-2 sets; without one, channel-2 devices get `sync` nudges like channel-1 ones. */
  useDeliverer(deliverer: SetDeliverer): void {
    this.deliverer = deliverer;
  }

  /** Registers the device's socket, closing any older one. */
  attach(deviceId: string, socket: PushSocket, channel: ChannelVersion = 1, capabilities: { readonly actions?: boolean } = {}): void {
    const previous = this.connections.get(deviceId);
    this.connections.set(deviceId, { socket, channel, actions: capabilities.actions === true, alive: true });
    if (previous && previous.socket !== socket) previous.socket.close(PUSH_CLOSE.replaced, 'replaced by a newer connection');
    this.log.info('push connected', { deviceId, channel, replaced: previous !== undefined });
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

  /**
   * Tells each connected device that its set changed: channel-2 devices through the deliverer (their set follows over
   * the socket), the others with a `sync` nudge. Returns how many have an open socket.
   */
  nudge(deviceIds: Iterable<string>, reason: SyncReason): number {
    const elsewhere: string[] = [];
    const delivered = this.nudgeHere(deviceIds, reason, elsewhere);
    // A device not connected here may be connected to another replica: that one delivers.
    if (this.bus && elsewhere.length > 0) this.bus.publish({ type: 'nudge', deviceIds: elsewhere, reason });
    return delivered;
  }

  /** nudge for the devices connected to this process only (another replica's nudge); `missing` collects the others. */
  nudgeHere(deviceIds: Iterable<string>, reason: SyncReason, missing: string[] = []): number {
    let delivered = 0;
    const sets: string[] = [];
    for (const deviceId of new Set(deviceIds)) {
      const conn = this.connections.get(deviceId);
      if (!conn || conn.socket.readyState !== OPEN) {
        missing.push(deviceId);
        continue;
      }
      delivered++;
      if (conn.channel === 2 && this.deliverer) sets.push(deviceId);
      else this.sendSync(deviceId, reason);
    }
    if (sets.length > 0) this.deliverer?.(sets, reason);
    return delivered;
  }

  /** Sends a `sync` nudge (channel 1, or a channel-2 device whose set could not be computed). */
  sendSync(deviceId: string, reason: SyncReason): boolean {
    const message: ServerPushMessage = { type: 'sync', requestId: randomUUID(), reason };
    const sent = this.send(deviceId, [JSON.stringify(message)]);
    if (sent) this.log.debug('sync nudge sent', { deviceId, reason, requestId: message.requestId });
    return sent;
  }

  /**
   * Sends one text message made of `parts` (WebSocket fragments: a part shared by many devices is sent as the same
   * bytes to each). A slow reader is dropped instead. Returns whether the message was queued on an open socket.
   */
  send(deviceId: string, parts: readonly (string | Buffer)[]): boolean {
    const conn = this.connections.get(deviceId);
    if (!conn || conn.socket.readyState !== OPEN) return false;
    if (!this.keepUp(deviceId, conn)) return false;
    try {
      for (const [i, part] of parts.entries()) conn.socket.send(part, { fin: i === parts.length - 1, binary: false });
      return true;
    } catch (err) {
      this.log.warn('push send failed', { deviceId, error: err instanceof Error ? err.message : String(err) });
      return false;
    }
  }

  /** Of `deviceIds`, those with an open socket here that stated the `actions` capability. */
  actionsCapableHere(deviceIds: readonly string[]): string[] {
    return deviceIds.filter((id) => {
      const conn = this.connections.get(id);
      return conn?.actions === true && conn.socket.readyState === OPEN;
    });
  }

  /** Whether the device's open socket here stated the `actions` capability. */
  acceptsActions(deviceId: string): boolean {
    return this.actionsCapableHere([deviceId]).length === 1;
  }

  /** Asks the other replicas to send these devices their pending actions (the one holding a device's socket does). */
  publishActions(deviceIds: readonly string[]): void {
    if (deviceIds.length > 0) this.bus?.publish({ type: 'actions', deviceIds });
  }

  /** Sends an `actions` message (`actionIds` say which actions it carries, for the ack); whether it was queued. */
  sendActions(deviceId: string, actions: readonly DeliveredAction[], actionIds: readonly string[]): boolean {
    const message: ServerPushMessage = { type: 'actions', requestId: randomUUID(), actions: [...actions] };
    if (!this.send(deviceId, [JSON.stringify(message)])) return false;
    if (this.actionAcks.size >= MAX_PENDING_ACTION_ACKS) this.actionAcks.delete(this.actionAcks.keys().next().value as string);
    this.actionAcks.set(message.requestId, { deviceId, actionIds });
    this.log.debug('actions sent', { deviceId, actions: actions.length, requestId: message.requestId });
    return true;
  }

  /** The actions an `ack` of the device acknowledges (undefined: not an `actions` message sent from here). */
  takeActionAck(deviceId: string, requestId: string): readonly string[] | undefined {
    const pending = this.actionAcks.get(requestId);
    if (!pending || pending.deviceId !== deviceId) return undefined;
    this.actionAcks.delete(requestId);
    return pending.actionIds;
  }

  /** The channel version of the device's open socket, if it has one. */
  channelOf(deviceId: string): ChannelVersion | undefined {
    const conn = this.connections.get(deviceId);
    return conn && conn.socket.readyState === OPEN ? conn.channel : undefined;
  }

  /** False (and the socket terminated) when the device does not read what it is sent. */
  keepUp(deviceId: string, conn: { readonly socket: PushSocket } | undefined = this.connections.get(deviceId)): boolean {
    if (!conn || conn.socket.bufferedAmount <= MAX_BUFFERED_BYTES) return true;
    this.log.warn('push connection dropped: slow reader', { deviceId, bufferedBytes: conn.socket.bufferedAmount });
    if (this.connections.get(deviceId) === conn) this.connections.delete(deviceId);
    conn.socket.terminate();
    return false;
  }

  /** Closes the device's socket (revocation, key rotation), wherever it is connected. */
  disconnect(deviceId: string, code: number, reason: string): void {
    if (!this.disconnectHere(deviceId, code, reason)) this.bus?.publish({ type: 'disconnect', deviceId, code, reason });
  }

  /** Closes the device's socket if it is connected to this process; whether it was. */
  disconnectHere(deviceId: string, code: number, reason: string): boolean {
    const conn = this.connections.get(deviceId);
    if (!conn) return false;
    this.connections.delete(deviceId);
    conn.socket.close(code, reason);
    return true;
  }

  /** The devices with an open socket to this process. */
  connectedHere(): string[] {
    return [...this.connections].filter(([, c]) => c.socket.readyState === OPEN).map(([id]) => id);
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

  /** Counts a channel request from its arrival to its answer; returns the function that ends it. */
  requestStarted(): () => void {
    this.inFlight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight--;
      for (let i = this.belowWaiters.length - 1; i >= 0; i--) {
        const waiter = this.belowWaiters[i];
        if (waiter && this.inFlight < waiter.limit) {
          this.belowWaiters.splice(i, 1);
          waiter.resolve();
        }
      }
    };
  }

  /** Channel requests in progress. */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** Resolves once fewer than `limit` channel requests are in progress (at once when already so). */
  requestsBelow(limit: number): Promise<void> {
    if (this.inFlight < limit) return Promise.resolve();
    return new Promise((resolve) => this.belowWaiters.push({ limit, resolve }));
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
