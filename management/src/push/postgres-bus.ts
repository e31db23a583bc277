// The replicas' event bus on PostgreSQL LISTEN/NOTIFY: one listening connection per process, events published with
// pg_notify (delivered to every listener after the publishing statement commits, in order per publisher), each
// authenticated with an HMAC under a key every replica derives from the key-encryption key. When the listening
// connection drops, or goes silent (its own ping is not heard back), events may have been missed: the bus reconnects
// with backoff and reports the gap.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import pg from 'pg';
import { type Clock, endOfTurn, type TimerHandle } from '../../../common/clock.js';
import type { SyncReason } from '../../../policy-schemas/src/index.js';
import type { Logger } from '../logging.js';
import { type ClusterBus, type ClusterEvent, parseClusterEvent, splitEvent } from './cluster-bus.js';
import { clusterConnection, endClient, within } from './pg-connections.js';

/** The NOTIFY channel of the replicas of one database. */
export const CLUSTER_CHANNEL = 'attache_cluster';
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 15_000;
/** How often the bus sends itself a ping, and how long its echo may take before the listener counts as dead. */
export const PING_EVERY_MS = 15_000;
export const PING_TIMEOUT_MS = 10_000;
/** Events kept for a subscriber not yet subscribed (start-up); beyond that the subscriber gets a gap instead. */
export const EARLY_EVENTS_MAX = 10_000;
/** Dropped (unauthenticated or unknown) messages are counted and logged at most once a minute. */
const DROPPED_LOG_EVERY_MS = 60_000;

interface Deps {
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A bus message: the publishing replica, its event, and the MAC over both (hex HMAC-SHA256 of `{origin, event}`). */
interface Envelope {
  readonly origin: string;
  readonly event: unknown;
  readonly mac?: unknown;
}

/** The bus's own liveness probe (never delivered to a subscriber). */
interface Ping {
  readonly type: 'ping';
  readonly n: number;
}

export class PostgresBus implements ClusterBus {
  readonly replicaId = randomUUID();
  private publisher: Promise<pg.Client> | undefined;
  private listener: pg.Client | undefined;
  private subscriber: { onEvent: (event: ClusterEvent) => void; onGap: () => void } | undefined;
  /** Events heard before subscribe(), and whether a gap happened (or the buffer overflowed) meanwhile. */
  private early: ClusterEvent[] = [];
  private earlyGap = false;
  private reconnectTimer: TimerHandle | undefined;
  private readonly pingTimer: TimerHandle;
  private pingDeadline: TimerHandle | undefined;
  private pings = 0;
  private awaitedPing: number | undefined;
  private dropped = 0;
  private droppedLoggedAt = Number.NEGATIVE_INFINITY;
  private failures = 0;
  private closed = false;
  private readonly log: Logger;
  private readonly pending = new Map<string, Set<string>>();
  private flushing: Promise<void> | undefined;
  /** The events being sent, one after the other (one query at a time on the publishing connection keeps their order). */
  private outbox: Promise<void> = Promise.resolve();

  private constructor(
    private readonly url: string,
    private readonly key: Buffer,
    private readonly deps: Deps,
  ) {
    this.log = deps.logger.child({ component: 'cluster', replicaId: this.replicaId });
    this.pingTimer = deps.clock.every(PING_EVERY_MS, () => this.ping());
  }

  /**
   * Connects the listening connection; throws when the database cannot be reached. `key` authenticates messages:
   * every replica must have the same (derived from the key-encryption key: service/cluster.ts).
   */
  static async connect(url: string, key: Buffer, deps: Deps): Promise<PostgresBus> {
    if (key.length < 32) throw new Error(`cluster bus key must be at least 32 bytes, got ${key.length}`);
    const bus = new PostgresBus(url, key, deps);
    try {
      await bus.listen();
    } catch (err) {
      await bus.close();
      throw err;
    }
    return bus;
  }

  /** Takes the events heard since connect() (start-up happens between the two), then a gap if some were lost. */
  subscribe(onEvent: (event: ClusterEvent) => void, onGap: () => void): void {
    this.subscriber = { onEvent, onGap };
    const [early, gap] = [this.early, this.earlyGap];
    this.early = [];
    this.earlyGap = false;
    for (const event of early) onEvent(event);
    if (gap) onGap();
  }

  /**
   * Device ids published in one event-loop turn go out together (a group commit's batch of reports, a membership
   * change reaching many devices): one NOTIFY per kind of event and up to IDS_PER_EVENT devices. Work that awaits the
   * database between devices (the compliance timer evaluates one after another) publishes one event per device.
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
      else this.send({ type: key as 'sets' | 'compliance' | 'actions', deviceIds });
    }
  }

  private send(event: ClusterEvent | Ping): void {
    for (const part of event.type === 'ping' ? [event] : splitEvent(event)) {
      const payload = this.seal(part);
      this.outbox = this.outbox.then(() => this.notify(payload));
    }
  }

  /**
   * One retry on a fresh connection (the first failure is most often a connection that died since the last event).
   * When that fails too, the receivers cannot know: their caches stay stale until their next event or gap; devices it
   * would have nudged sync at their next check-in. Logged as an error: the admin asked for something not done at once.
   */
  private async notify(payload: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const client = await this.publisherClient();
        await client.query('select pg_notify($1, $2)', [CLUSTER_CHANNEL, payload]);
        return;
      } catch (err) {
        this.dropPublisher();
        if (attempt >= 2 || this.closed) {
          const type = (JSON.parse(payload) as Envelope & { event: { type: string } }).event.type;
          this.log.error('cluster event not published', { type, error: (err as Error).message, attempts: attempt });
          return;
        }
      }
    }
  }

  /** The publishing connection: one, so events leave in the order they were published; connected on first use. */
  private publisherClient(): Promise<pg.Client> {
    if (this.publisher) return this.publisher;
    const client = new pg.Client({ ...clusterConnection(this.url), query_timeout: PING_TIMEOUT_MS });
    client.on('error', () => this.dropPublisher(client));
    client.on('end', () => this.dropPublisher(client));
    const connecting = client.connect().then(
      () => client,
      (err: unknown) => {
        void endClient(client, this.deps.clock);
        throw err;
      },
    );
    this.publisher = connecting;
    connecting.catch(() => {
      if (this.publisher === connecting) this.publisher = undefined;
    });
    return connecting;
  }

  private dropPublisher(which?: pg.Client): void {
    const publisher = this.publisher;
    if (!publisher) return;
    void publisher.then(
      (client) => {
        if (which && client !== which) return;
        if (this.publisher === publisher) this.publisher = undefined;
        void endClient(client, this.deps.clock);
      },
      () => undefined,
    );
  }

  private seal(event: ClusterEvent | Ping): string {
    return JSON.stringify({ origin: this.replicaId, event, mac: this.mac(this.replicaId, event) });
  }

  private mac(origin: unknown, event: unknown): string {
    return createHmac('sha256', this.key).update(JSON.stringify({ origin, event })).digest('hex');
  }

  async close(): Promise<void> {
    await this.flushing;
    this.closed = true;
    this.reconnectTimer?.cancel();
    this.pingTimer.cancel();
    this.pingDeadline?.cancel();
    // In-flight events get a moment to leave; a black-holed database does not hold the shutdown.
    await within(this.deps.clock, PING_TIMEOUT_MS, this.outbox);
    const listener = this.listener;
    this.listener = undefined;
    const publisher = this.publisher;
    this.publisher = undefined;
    await Promise.allSettled([listener && endClient(listener, this.deps.clock), publisher?.then((client) => endClient(client, this.deps.clock))]);
  }

  /** Connects and listens; false when the bus was closed meanwhile (the new connection is ended, not kept). */
  private async listen(): Promise<boolean> {
    const client = new pg.Client(clusterConnection(this.url));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (msg) => this.received(msg.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CLUSTER_CHANNEL}`);
    } catch (err) {
      await endClient(client, this.deps.clock);
      throw err;
    }
    if (this.closed) {
      await endClient(client, this.deps.clock);
      return false;
    }
    this.listener = client;
    return true;
  }

  private received(payload: string | undefined): void {
    if (this.closed) return;
    const heard = this.open(payload);
    if (typeof heard === 'string') this.drop(heard);
    else if (heard === undefined) return;
    else if (this.subscriber) this.subscriber.onEvent(heard);
    else if (this.early.length < EARLY_EVENTS_MAX) this.early.push(heard);
    else this.gap();
  }

  /** The other replicas' event in `payload`; undefined for what is not for the subscriber; why, when dropped. */
  private open(payload: string | undefined): ClusterEvent | undefined | string {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload ?? '') as Envelope;
    } catch {
      return 'not JSON';
    }
    if (!this.authentic(envelope)) return 'bad MAC';
    const ping = envelope.event as Partial<Ping>;
    if (ping?.type === 'ping') {
      if (envelope.origin === this.replicaId && ping.n === this.awaitedPing) this.pingHeard();
      return undefined;
    }
    if (envelope.origin === this.replicaId) return undefined;
    return parseClusterEvent(envelope.event) ?? 'not a known event';
  }

  private authentic(envelope: Envelope): boolean {
    if (typeof envelope !== 'object' || envelope === null || typeof envelope.mac !== 'string') return false;
    const given = Buffer.from(envelope.mac, 'hex');
    const expected = Buffer.from(this.mac(envelope.origin, envelope.event), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Counts a dropped message; logs the count at most once per DROPPED_LOG_EVERY_MS (anyone may NOTIFY). */
  private drop(why: string): void {
    this.dropped++;
    const now = this.deps.clock.now();
    if (now - this.droppedLoggedAt < DROPPED_LOG_EVERY_MS) return;
    this.droppedLoggedAt = now;
    this.log.warn('cluster messages dropped', { reason: why, dropped: this.dropped });
    this.dropped = 0;
  }

  private gap(): void {
    if (this.subscriber) {
      this.subscriber.onGap();
      return;
    }
    this.early = [];
    this.earlyGap = true;
  }

  /** A listener whose TCP connection was silently dropped (NAT, firewall) hears nothing and reports no error. */
  private ping(): void {
    const listener = this.listener;
    if (this.closed || !listener || this.awaitedPing !== undefined) return;
    const n = ++this.pings;
    this.awaitedPing = n;
    this.pingDeadline = this.deps.clock.setTimer(() => {
      if (this.awaitedPing === n) this.lost(listener, new Error('own ping not heard back'));
    }, PING_TIMEOUT_MS);
    this.send({ type: 'ping', n });
  }

  private pingHeard(): void {
    this.awaitedPing = undefined;
    this.pingDeadline?.cancel();
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.closed || this.listener !== client) return;
    this.listener = undefined;
    this.pingHeard();
    void endClient(client, this.deps.clock);
    this.log.warn('cluster bus disconnected, reconnecting', { error: err.message });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.failures);
    const delay = ceiling / 2 + this.deps.clock.random() * (ceiling / 2);
    this.reconnectTimer = this.deps.clock.setTimer(async () => {
      if (this.closed) return;
      try {
        if (!(await this.listen())) return;
        this.failures = 0;
        this.log.info('cluster bus reconnected');
        // Whatever was published while we were away is lost: the subscriber refreshes what it caches.
        this.gap();
      } catch (err) {
        this.failures++;
        this.log.warn('cluster bus reconnect failed', { error: (err as Error).message, attempt: this.failures });
        if (!this.closed) this.scheduleReconnect();
      }
    }, delay);
  }
}
