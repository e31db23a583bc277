// Who runs the endpoint's periodic work (the compliance timer) when several replicas share a database: exactly one,
// the holder of a PostgreSQL session advisory lock. When it dies its session ends, the lock is free, and another
// replica takes over at its next try. A single process (SQLite) is always the leader.
import pg from 'pg';
import type { Clock, TimerHandle } from '../../../common/clock.js';
import type { Logger } from '../logging.js';
import { clusterConnection, endClient, within } from '../push/pg-connections.js';

/** Stops what `start` started. */
export type Stop = () => Promise<void>;

export interface Leadership {
  /** Calls `start` whenever this process becomes the leader; the Stop it returns runs when it stops being the leader. */
  whileLeader(start: () => Stop): void;
  isLeader(): boolean;
  /** Stops the work and gives the leadership up. */
  close(): Promise<void>;
}

/** The lock's two keys: "Atta" and 1 (pg_try_advisory_lock(int4, int4)). */
const LOCK_KEYS = [0x41747461, 1] as const;
/** How often a follower tries to take the lock, and a leader checks its lock's connection. */
export const LEADER_RETRY_MS = 5_000;
/** How long the leader's `select 1` may take before its connection counts as dead. */
export const LEADER_CHECK_TIMEOUT_MS = 5_000;
/**
 * Server-side keepalives of the lock's session. The lock is freed only when PostgreSQL notices the session is gone;
 * with the OS defaults (2 h idle, 9 probes 75 s apart) a powered-off leader would keep it for over two hours. With
 * these, PostgreSQL ends the session at most 10 + 5 × 3 = 25 s after the leader's host went silent, and a follower
 * takes over at its next try: within about 30 s (25 s + LEADER_RETRY_MS). The old leader, if only cut off, stops its
 * work within LEADER_RETRY_MS + LEADER_CHECK_TIMEOUT_MS = 10 s (its check fails), before the lock can move.
 */
const SERVER_KEEPALIVES = 'SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3';

/** The one endpoint process of a SQLite data dir: leader from the start. */
export class SoleLeader implements Leadership {
  private stops: Stop[] = [];
  whileLeader(start: () => Stop): void {
    this.stops.push(start());
  }
  isLeader(): boolean {
    return true;
  }
  async close(): Promise<void> {
    for (const stop of this.stops.splice(0)) await stop();
  }
}

/** Leadership through a PostgreSQL advisory lock held by a connection of its own. */
export class PostgresLeadership implements Leadership {
  private client: pg.Client | undefined;
  private leader = false;
  private closed = false;
  private readonly starts: (() => Stop)[] = [];
  private stops: Stop[] = [];
  private readonly timer: TimerHandle;
  private trying: Promise<void> | undefined;
  private checking: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(
    private readonly url: string,
    private readonly deps: { readonly clock: Clock; readonly logger: Logger; readonly replicaId: string },
  ) {
    this.log = deps.logger.child({ component: 'cluster', replicaId: deps.replicaId });
    this.timer = deps.clock.every(LEADER_RETRY_MS, () => (this.leader ? this.check() : this.tryLead()));
  }

  /** Tries once at once (start-up), so a lone replica leads without waiting a retry period. */
  async start(): Promise<void> {
    await this.tryLead();
  }

  whileLeader(start: () => Stop): void {
    this.starts.push(start);
    if (this.leader) this.stops.push(start());
  }

  isLeader(): boolean {
    return this.leader;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer.cancel();
    await this.trying;
    await this.checking;
    await this.resign();
    const client = this.client;
    this.client = undefined;
    if (client) await endClient(client, this.deps.clock);
  }

  /**
   * The leader's lock connection may have died without a word (host or network gone, no FIN): then PostgreSQL frees
   * the lock once its keepalives give up, and another replica leads. Checked at every tick; when the check fails or
   * hangs, the work stops here and the connection is replaced (the lock is tried again at the next tick).
   */
  private check(): Promise<void> {
    const client = this.client;
    if (!client || this.closed || this.checking) return this.checking ?? Promise.resolve();
    const answered = client.query('select 1').then(
      () => true,
      () => false,
    );
    this.checking = within(this.deps.clock, LEADER_CHECK_TIMEOUT_MS, answered)
      .then(async (inTime) => {
        if (!inTime || !(await answered)) this.lost(client, new Error('lock connection not answering'));
      })
      .finally(() => {
        this.checking = undefined;
      });
    return this.checking;
  }

  private tryLead(): Promise<void> {
    if (this.leader || this.closed) return Promise.resolve();
    this.trying ??= this.attempt().finally(() => {
      this.trying = undefined;
    });
    return this.trying;
  }

  private async attempt(): Promise<void> {
    try {
      if (!this.client) {
        const client = new pg.Client(clusterConnection(this.url));
        client.on('error', (err) => this.lost(client, err));
        client.on('end', () => this.lost(client, new Error('connection ended')));
        try {
          await client.connect();
          await client.query(SERVER_KEEPALIVES);
        } catch (err) {
          await endClient(client, this.deps.clock);
          throw err;
        }
        if (this.closed) return endClient(client, this.deps.clock);
        this.client = client;
      }
      const { rows } = await this.client.query<{ locked: boolean }>('select pg_try_advisory_lock($1, $2) as locked', [...LOCK_KEYS]);
      if (rows[0]?.locked !== true || this.closed) return;
      this.leader = true;
      this.log.info('leader: running the periodic work');
      for (const start of this.starts) this.stops.push(start());
    } catch (err) {
      this.log.warn('leadership attempt failed', { error: (err as Error).message });
    }
  }

  /** The lock's connection broke: the lock is gone with it (another replica may hold it now). */
  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    void endClient(client, this.deps.clock);
    if (this.leader) this.log.warn('leadership lost with the database connection', { error: err.message });
    void this.resign();
  }

  private async resign(): Promise<void> {
    this.leader = false;
    for (const stop of this.stops.splice(0)) await stop().catch(() => undefined);
  }
}
