// The replicas' event bus on PostgreSQL LISTEN/NOTIFY: one listening connection per process, events published with
// pg_notify (delivered to every listener after the publishing statement commits, in order per publisher). When the
// listening connection drops, events may have been missed: the bus reconnects with backoff and reports the gap.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { type Clock, endOfTurn, type TimerHandle } from '../../../common/clock.js';
import type { SyncReason } from '../../../policy-schemas/src/index.js';
import type { Logger } from '../logging.js';
import { type ClusterBus, type ClusterEvent, parseClusterEvent, splitEvent } from './cluster-bus.js';

/** The NOTIFY channel of the replicas of one database. */
export const CLUSTER_CHANNEL = 'attache_cluster';
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 15_000;

interface Deps {
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A bus message: the publishing replica and its event. */
interface Envelope {
  readonly origin: string;
  readonly event: unknown;
}

export class PostgresBus implements ClusterBus {
  readonly replicaId = randomUUID();
  private readonly publisher: pg.Pool;
  private listener: pg.Client | undefined;
  private onEvent: (event: ClusterEvent) => void = () => undefined;
  private onGap: () => void = () => undefined;
  private reconnectTimer: TimerHandle | undefined;
  private failures = 0;
  private closed = false;
  private readonly log: Logger;
  private readonly pending = new Map<string, Set<string>>();
  private flushing: Promise<void> | undefined;

  private constructor(
    private readonly url: string,
    private readonly deps: Deps,
  ) {
    // One connection: events leave in the order they were published.
    this.publisher = new pg.Pool({ connectionString: url, max: 1 });
    this.publisher.on('error', () => undefined);
    this.log = deps.logger.child({ component: 'cluster', replicaId: this.replicaId });
  }

  /** Connects the listening connection; throws when the database cannot be reached. */
  static async connect(url: string, deps: Deps): Promise<PostgresBus> {
    const bus = new PostgresBus(url, deps);
    await bus.listen();
    return bus;
  }

  subscribe(onEvent: (event: ClusterEvent) => void, onGap: () => void): void {
    this.onEvent = onEvent;
    this.onGap = onGap;
  }

  /**
   * Device ids published in one event-loop turn go out together (a compliance timer round re-evaluates many devices,
   * each announced on its own): one NOTIFY per kind of event and up to IDS_PER_EVENT devices.
   */
  publish(event: ClusterEvent): void {
    if (event.type === 'disconnect' || event.type === 'signingKeys' || (event.type === 'sets' && event.deviceIds === 'all')) {
      this.send(event);
      return;
    }
    const key = event.type === 'nudge' ? `nudge:${event.reason}` : event.type;
    let ids = this.pending.get(key);
    if (!ids) {
      ids = new Set();
      this.pending.set(key, ids);
    }
    for (const id of event.deviceIds as readonly string[]) ids.add(id);
    this.flushing ??= endOfTurn().then(() => this.flush());
  }

  private flush(): void {
    this.flushing = undefined;
    const pending = [...this.pending];
    this.pending.clear();
    for (const [key, set] of pending) {
      const deviceIds = [...set];
      if (key.startsWith('nudge:')) this.send({ type: 'nudge', deviceIds, reason: key.slice('nudge:'.length) as SyncReason });
      else this.send({ type: key as 'sets' | 'compliance', deviceIds });
    }
  }

  private send(event: ClusterEvent): void {
    for (const part of splitEvent(event)) {
      const payload = JSON.stringify({ origin: this.replicaId, event: part } satisfies Envelope);
      this.publisher.query('select pg_notify($1, $2)', [CLUSTER_CHANNEL, payload]).catch((err: unknown) => {
        // Not delivered: replicas whose caches it would have refreshed keep them until the next change; devices
        // it would have nudged sync at their next check-in. Logged, as the admin asked for something not done at once.
        this.log.warn('cluster event not published', { type: part.type, error: (err as Error).message });
      });
    }
  }

  async close(): Promise<void> {
    await this.flushing;
    this.closed = true;
    this.reconnectTimer?.cancel();
    const listener = this.listener;
    this.listener = undefined;
    await Promise.allSettled([listener?.end(), this.publisher.end()]);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (msg) => this.received(msg.payload));
    await client.connect();
    await client.query(`LISTEN ${CLUSTER_CHANNEL}`);
    this.listener = client;
  }

  private received(payload: string | undefined): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload ?? '') as Envelope;
    } catch {
      this.log.warn('cluster event dropped: not JSON');
      return;
    }
    if (envelope?.origin === this.replicaId) return;
    const event = parseClusterEvent(envelope?.event);
    if (!event) {
      this.log.warn('cluster event dropped: not a known event', { origin: String(envelope?.origin).slice(0, 64) });
      return;
    }
    this.onEvent(event);
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.closed || this.listener !== client) return;
    this.listener = undefined;
    client.end().catch(() => undefined);
    this.log.warn('cluster bus disconnected, reconnecting', { error: err.message });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.failures);
    const delay = ceiling / 2 + this.deps.clock.random() * (ceiling / 2);
    this.reconnectTimer = this.deps.clock.setTimer(async () => {
      if (this.closed) return;
      try {
        await this.listen();
        this.failures = 0;
        this.log.info('cluster bus reconnected');
        // Whatever was published while we were away is lost: the subscriber refreshes what it caches.
        this.onGap();
      } catch (err) {
        this.failures++;
        this.log.warn('cluster bus reconnect failed', { error: (err as Error).message, attempt: this.failures });
        this.scheduleReconnect();
      }
    }, delay);
  }
}
