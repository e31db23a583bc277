// The push channel: a signed WebSocket to the endpoint, reconnecting with backoff. Channel 2 (asked for with
// `?channel=2`, confirmed by the endpoint's hello) carries the device's signed set when it changes and the device's
// requests (check-in, reports, alerts, health, inventory) with their answers; channel 1 only "sync now" nudges.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { type Clock, systemClock, type TimerHandle } from '../../../common/clock.js';
import { AttacheError, isErrorCode } from '../../../common/errors.js';
import { parseJsonText } from '../../../common/json-text.js';
import { validate } from '../../../common/validation.js';
import {
  type ChannelMethod,
  type DeliveredAction,
  PUSH_CHANNEL_VERSION,
  ServerPushMessage,
  type ServerPushMessage as ServerPushMessageT,
  SyncReason,
} from '../../../policy-schemas/src/index.js';
import { type BackoffPolicy, equalJitterDelayMs } from '../core/backoff.js';
import { AGENT_CAPABILITIES, type EndpointClient } from './endpoint-client.js';

/** The upgrade path; its query (channel, and the capabilities that let the endpoint push actions) is signed with it. */
const PUSH_PATH = `/v1/device/push?channel=${PUSH_CHANNEL_VERSION}&capabilities=${AGENT_CAPABILITIES}`;
/** Reconnect delays: 1 s doubling to 5 min. */
const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 };
/**
 * After an established connection drops (an endpoint restart drops every device at once), the first reconnect comes at
 * a uniformly random time within this window, so a fleet does not reconnect in step.
 */
export const RECONNECT_SPREAD_MS = 5_000;
// The endpoint pings every 30 s; silence for longer than this means the connection is dead.
const DEAD_AFTER_MS = 75_000;
/** A channel request not answered within this fails (and the caller falls back to HTTPS). */
const REQUEST_TIMEOUT_MS = 30_000;
/** A set may be as large as an HTTPS policies response (16 MiB). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024 + 64 * 1024;

export interface PushEvents {
  onSync(requestId: string, reason: string): void;
  /**
   * Channel 2: the endpoint delivered the device's set. `body` is not validated here: the next sync validates it as a
   * policies response (once, as a fetched one) and verifies it; a malformed one is refused there as data and reported.
   */
  onPolicies(body: unknown, reason: string): void;
  onState(state: 'connected' | 'disconnected', detail?: string): void;
  /** The endpoint's hello arrived: requests may use the socket now when `channel` is 2. */
  onHello?(channel: 1 | 2): void;
  /** Channel 2 with the `actions` capability: signed response actions, still to be verified (agent/src/actions/). */
  onActions?(actions: readonly DeliveredAction[]): void;
  onInvalidMessage(message: string): void;
}

/** The reasons a set is delivered for (the schema's SyncReason). */
const REASONS = new Set<unknown>(SyncReason.anyOf.map((literal) => literal.const));

/**
 * A `policies` message, checked only as an envelope: its body is validated once, as a fetched policies response, by the
 * sync that uses it (the schema is the same, checking it twice costs a fleet of agents CPU for nothing).
 */
function policiesDelivery(message: unknown): { body: unknown; reason: string } | undefined {
  const m = message as { type?: unknown; requestId?: unknown; reason?: unknown; body?: unknown } | null;
  if (m === null || typeof m !== 'object' || m.type !== 'policies') return undefined;
  if (typeof m.requestId !== 'string' || typeof m.reason !== 'string' || !REASONS.has(m.reason) || m.body === undefined) {
    throw new AttacheError('MESSAGE_INVALID', 'push message is invalid: a policies message needs requestId, a known reason and body');
  }
  return { body: m.body, reason: m.reason };
}

/** A channel request whose answer cannot come: the socket is not open or closed first. The caller may use HTTPS. */
export class ChannelUnavailableError extends AttacheError {
  constructor(message: string) {
    super('ENDPOINT_UNREACHABLE', message);
  }
}

interface Pending {
  resolve(result: unknown): void;
  reject(err: Error): void;
  timer: TimerHandle;
}

/** Keeps one push connection open until stopped. */
export class PushClient {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private timer: TimerHandle | undefined;
  private watchdog: TimerHandle | undefined;
  private stopped = false;
  /** Set once the endpoint's hello confirmed channel 2 on the open socket. */
  private channel2 = false;
  private readonly pending = new Map<string, Pending>();
  /** The endpoint refused the last upgrade with Retry-After (503 at capacity, 429): the next attempt waits that long. */
  private retryAfterMs = 0;
  /** The URL the socket was opened to (client.urls.current at the time). */
  private socketUrl: URL | undefined;
  /** Connection attempts that reached no endpoint since the socket was last open: a whole cycle of URLs backs off. */
  private unreached = 0;
  /** Set when the socket is closed to follow a change of the current URL: the close reconnects at once. */
  private moving = false;
  private unfollow: (() => void) | undefined;

  constructor(
    private readonly client: Pick<EndpointClient, 'urls' | 'signedHeaders' | 'tls'>,
    private readonly events: PushEvents,
    private readonly deps: { readonly clock: Clock } = { clock: systemClock },
  ) {}

  start(): void {
    this.stopped = false;
    this.unfollow ??= this.client.urls.onChange((url) => this.follow(url));
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.unfollow?.();
    this.unfollow = undefined;
    this.timer?.cancel();
    this.watchdog?.cancel();
    this.socket?.close(1000, 'agent stopping');
    this.socket = undefined;
    this.channel2 = false;
    this.failPending('push channel stopped');
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** True when requests can travel over the socket (open, and the endpoint speaks channel 2). */
  get ready(): boolean {
    return this.connected && this.channel2;
  }

  /** Sends one device request over the socket; resolves with the endpoint's `result`, rejects with its error. */
  request(method: ChannelMethod, fields: { readonly body?: unknown; readonly etag?: string }): Promise<unknown> {
    const socket = this.socket;
    if (!socket || !this.ready) return Promise.reject(new ChannelUnavailableError('push channel is not open'));
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = this.deps.clock.setTimer(() => {
        this.pending.delete(id);
        reject(new ChannelUnavailableError(`${method}: no answer over the push channel within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      socket.send(JSON.stringify({ type: 'request', id, method, ...fields }), (err) => {
        if (!err) return;
        this.settle(id)?.reject(new ChannelUnavailableError(`${method}: ${err.message}`));
      });
    });
  }

  private connect(): void {
    const base = this.client.urls.current;
    this.socketUrl = base;
    const url = new URL(PUSH_PATH, base);
    url.protocol = 'wss:';
    const socket = new WebSocket(url, {
      headers: this.client.signedHeaders('GET', PUSH_PATH, ''),
      ...this.client.tls,
      maxPayload: MAX_MESSAGE_BYTES,
      handshakeTimeout: 30_000,
      perMessageDeflate: false,
    });
    this.socket = socket;
    let opened = false;
    let answered = false;
    socket.on('open', () => {
      opened = true;
      this.attempt = 0;
      this.unreached = 0;
      this.feedWatchdog(socket);
      this.events.onState('connected');
    });
    socket.on('ping', () => this.feedWatchdog(socket));
    socket.on('message', (data, isBinary) => {
      this.feedWatchdog(socket);
      this.handle(socket, isBinary ? '' : data.toString());
    });
    socket.on('unexpected-response', (_req, res) => {
      answered = true;
      const seconds = Number(res.headers['retry-after']);
      this.retryAfterMs = Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 3600) * 1000 : 0;
      this.events.onState('disconnected', `upgrade refused with HTTP ${res.statusCode}`);
      socket.terminate();
    });
    socket.on('error', (err) => this.events.onState('disconnected', err.message));
    socket.on('close', () => {
      this.watchdog?.cancel();
      if (this.socket === socket) {
        this.socket = undefined;
        this.channel2 = false;
        this.failPending('push channel closed before the answer');
      }
      if (!this.stopped) this.afterClose(base, opened || answered, opened);
    });
  }

  /**
   * Where and when to connect next. A URL that did not answer makes the next one current (EndpointUrls); it is tried at
   * once until every URL failed in a row, then the backoff applies. An endpoint that answered (even refusing the
   * upgrade) or a dropped open connection is retried on the same URL with the backoff.
   */
  private afterClose(base: URL, answered: boolean, wasOpen: boolean): void {
    if (this.moving) {
      this.moving = false;
      this.timer = this.deps.clock.setTimer(() => this.connect(), 0);
      return;
    }
    if (!answered) {
      this.client.urls.failed(base);
      this.unreached++;
      if (this.unreached % this.client.urls.all.length !== 0) {
        this.timer = this.deps.clock.setTimer(() => this.connect(), 0);
        return;
      }
    }
    this.scheduleReconnect(wasOpen);
  }

  /** The current URL changed (a failover on the HTTPS path, or back to the preferred one): the socket follows it. */
  private follow(url: URL): void {
    const socket = this.socket;
    if (this.stopped || !socket || this.socketUrl?.href === url.href) return;
    this.moving = true;
    socket.terminate();
  }

  private handle(socket: WebSocket, text: string): void {
    let message: ServerPushMessageT;
    try {
      const parsed = parseJsonText(text, 'push message', 'MESSAGE_INVALID');
      const delivery = policiesDelivery(parsed);
      if (delivery) {
        this.events.onPolicies(delivery.body, delivery.reason);
        return;
      }
      message = validate(ServerPushMessage, parsed, 'push message', 'MESSAGE_INVALID');
    } catch (err) {
      this.events.onInvalidMessage((err as Error).message);
      return;
    }
    if (message.type === 'hello') {
      this.channel2 = message.channel === PUSH_CHANNEL_VERSION;
      this.events.onHello?.(this.channel2 ? 2 : 1);
    } else if (message.type === 'sync') {
      socket.send(JSON.stringify({ type: 'ack', requestId: message.requestId }));
      this.events.onSync(message.requestId, message.reason);
    } else if (message.type === 'policies') {
      this.events.onPolicies(message.body, message.reason);
    } else if (message.type === 'response') {
      this.answer(message);
    } else if (message.type === 'actions') {
      socket.send(JSON.stringify({ type: 'ack', requestId: message.requestId }));
      this.events.onActions?.(message.actions);
    } else {
      this.events.onInvalidMessage(`endpoint says ${message.code}: ${message.message}`);
    }
  }

  private answer(message: Extract<ServerPushMessageT, { type: 'response' }>): void {
    const pending = this.settle(message.id);
    if (!pending) return;
    if (!message.error) {
      pending.resolve(message.result);
      return;
    }
    const { code, message: text, details } = message.error;
    pending.reject(isErrorCode(code) ? new AttacheError(code, text, { details: details ?? [] }) : new AttacheError('ENDPOINT_ERROR', `${code}: ${text}`));
  }

  private settle(id: string): Pending | undefined {
    const pending = this.pending.get(id);
    if (!pending) return undefined;
    this.pending.delete(id);
    pending.timer.cancel();
    return pending;
  }

  private failPending(reason: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(new ChannelUnavailableError(reason));
  }

  private feedWatchdog(socket: WebSocket): void {
    this.watchdog?.cancel();
    this.watchdog = this.deps.clock.setTimer(() => socket.terminate(), DEAD_AFTER_MS);
  }

  // Exponential backoff with equal jitter, so a fleet that lost the endpoint does not reconnect in step; the first
  // attempt after an established connection dropped is spread over RECONNECT_SPREAD_MS.
  private scheduleReconnect(wasOpen: boolean): void {
    const random = () => this.deps.clock.random();
    const backoff = wasOpen ? random() * RECONNECT_SPREAD_MS : equalJitterDelayMs(this.attempt, RECONNECT_BACKOFF, random);
    // Retry-After is a floor; the jitter on top keeps a refused fleet from coming back in step.
    const delay = this.retryAfterMs > 0 ? this.retryAfterMs + random() * this.retryAfterMs * 0.5 : backoff;
    this.retryAfterMs = 0;
    this.attempt++;
    this.timer = this.deps.clock.setTimer(() => this.connect(), delay);
  }
}
