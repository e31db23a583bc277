// Who runs the endpoint's periodic work (the compliance timer) when several replicas share a database: exactly one,
// the holder of a PostgreSQL session advisory lock. When it dies its session ends, the lock is free, and another
// replica takes over at its next try. A single process (SQLite) is always the leader.
import pg from 'pg';
import type { Clock, TimerHandle } from '../../../common/clock.js';
import type { Logger } from '../logging.js';

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
/** How often a follower tries to take the lock (the longest a dead leader's work waits). */
export const LEADER_RETRY_MS = 5_000;

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
  private readonly log: Logger;

  constructor(
    private readonly url: string,
    deps: { readonly clock: Clock; readonly logger: Logger; readonly replicaId: string },
  ) {
    this.log = deps.logger.child({ component: 'cluster', replicaId: deps.replicaId });
    this.timer = deps.clock.every(LEADER_RETRY_MS, () => this.tryLead());
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
    await this.resign();
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
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
        const client = new pg.Client({ connectionString: this.url });
        client.on('error', (err) => this.lost(client, err));
        client.on('end', () => this.lost(client, new Error('connection ended')));
        await client.connect();
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
    client.end().catch(() => undefined);
    if (this.leader) this.log.warn('leadership lost with the database connection', { error: err.message });
    void this.resign();
  }

  private async resign(): Promise<void> {
    this.leader = false;
    for (const stop of this.stops.splice(0)) await stop().catch(() => undefined);
  }
}
