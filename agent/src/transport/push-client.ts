// The push channel: a signed WebSocket to the endpoint that carries "sync now" nudges, reconnecting with backoff.
import WebSocket from 'ws';
import { type Clock, systemClock, type TimerHandle } from '../../../common/clock.js';
import { parseJsonText } from '../../../common/json-text.js';
import { validate } from '../../../common/validation.js';
import { ServerPushMessage, type ServerPushMessage as ServerPushMessageT } from '../../../policy-schemas/src/index.js';
import { type BackoffPolicy, equalJitterDelayMs } from '../core/backoff.js';
import type { EndpointClient } from './endpoint-client.js';

const PUSH_PATH = '/v1/device/push';
/** Reconnect delays: 1 s doubling to 5 min. */
const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 };
// The endpoint pings every 30 s; silence for longer than this means the connection is dead.
const DEAD_AFTER_MS = 75_000;

export interface PushEvents {
  onSync(requestId: string, reason: string): void;
  onState(state: 'connected' | 'disconnected', detail?: string): void;
  onInvalidMessage(message: string): void;
}

/** Keeps one push connection open until stopped. */
export class PushClient {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private timer: TimerHandle | undefined;
  private watchdog: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly client: Pick<EndpointClient, 'url' | 'signedHeaders' | 'tls'>,
    private readonly events: PushEvents,
    private readonly deps: { readonly clock: Clock } = { clock: systemClock },
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.watchdog?.cancel();
    this.socket?.close(1000, 'agent stopping');
    this.socket = undefined;
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  private connect(): void {
    const url = new URL(PUSH_PATH, this.client.url);
    url.protocol = 'wss:';
    const socket = new WebSocket(url, {
      headers: this.client.signedHeaders('GET', PUSH_PATH, ''),
      ...this.client.tls,
      maxPayload: 64 * 1024,
      handshakeTimeout: 30_000,
    });
    this.socket = socket;
    socket.on('open', () => {
      this.attempt = 0;
      this.feedWatchdog(socket);
      this.events.onState('connected');
    });
    socket.on('ping', () => this.feedWatchdog(socket));
    socket.on('message', (data, isBinary) => {
      this.feedWatchdog(socket);
      this.handle(socket, isBinary ? '' : data.toString());
    });
    socket.on('unexpected-response', (_req, res) => {
      this.events.onState('disconnected', `upgrade refused with HTTP ${res.statusCode}`);
      socket.terminate();
    });
    socket.on('error', (err) => this.events.onState('disconnected', err.message));
    socket.on('close', () => {
      this.watchdog?.cancel();
      if (this.socket === socket) this.socket = undefined;
      if (!this.stopped) this.scheduleReconnect();
    });
  }

  private handle(socket: WebSocket, text: string): void {
    let message: ServerPushMessageT;
    try {
      message = validate(ServerPushMessage, parseJsonText(text, 'push message', 'MESSAGE_INVALID'), 'push message', 'MESSAGE_INVALID');
    } catch (err) {
      this.events.onInvalidMessage((err as Error).message);
      return;
    }
    if (message.type === 'sync') {
      socket.send(JSON.stringify({ type: 'ack', requestId: message.requestId }));
      this.events.onSync(message.requestId, message.reason);
    } else if (message.type === 'error') {
      this.events.onInvalidMessage(`endpoint says ${message.code}: ${message.message}`);
    }
  }

  private feedWatchdog(socket: WebSocket): void {
    this.watchdog?.cancel();
    this.watchdog = this.deps.clock.setTimer(() => socket.terminate(), DEAD_AFTER_MS);
  }

  // Exponential backoff with equal jitter, so a fleet that lost the endpoint does not reconnect in step.
  private scheduleReconnect(): void {
    const delay = equalJitterDelayMs(this.attempt, RECONNECT_BACKOFF, () => this.deps.clock.random());
    this.attempt++;
    this.timer = this.deps.clock.setTimer(() => this.connect(), delay);
  }
}
