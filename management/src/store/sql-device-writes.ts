// The batched writes of the device path on the SQL store: group commits for what devices send and what it decides
// (reports, health, inventory and compliance decisions at READ COMMITTED; alert reports SERIALIZABLE), one multi-row
// statement for the nonces of concurrent requests and one for lastSeenAt.
import { type Kysely, sql } from 'kysely';
import { BatchQueue, GroupCommit, type Settled, type TransactionWork } from './group-commit.js';
import type { Database } from './schema.js';
import { claimNonces, NONCE_CLAIM_BATCH, type NonceClaim } from './sql-nonces.js';
import type { WriteQueueStats } from './store.js';
import { isPostgres } from './transactions.js';

/** lastSeenAt updates per statement: 3 bound parameters each. */
const TOUCH_BATCH = 500;

interface DeviceTouch {
  readonly deviceId: string;
  readonly lastSeenAt: string;
}

/** The store's batching queues; close() settles everything queued before the database may close. */
export class DeviceWriteBatches {
  private readonly commits: GroupCommit;
  private readonly serializableCommits: GroupCommit;
  private readonly nonces: BatchQueue<NonceClaim, boolean>;
  private readonly touches: BatchQueue<DeviceTouch, void>;

  constructor(db: Kysely<Database>) {
    // Why two isolation levels (PostgreSQL; SQLite runs every transaction alone anyway). SERIALIZABLE tracks what every
    // transaction read; a group of up to 256 reports reads rows of hundreds of devices, so PostgreSQL soon promotes
    // its predicate locks to whole tables, and two replicas' groups then abort each other although no device is in
    // both (measured: the 5,000-host two-replica start-up, BENCHMARKS.md). A write submitted through `commit` is instead
    // safe at READ COMMITTED by itself, because everything it decides on is either a row lock it holds or a condition
    // PostgreSQL re-checks on the newest row version when it writes: a report locks its device's row first (SELECT
    // … FOR UPDATE), so reports of one device run one after another across replicas and each reads the statuses the
    // previous one committed; its report id is inserted with ON CONFLICT DO NOTHING, so a report delivered to two
    // replicas is stored once (the second waits for the first's commit and sees a duplicate); health and inventory are
    // conditional UPDATEs on the collection time; a compliance decision is written only where the stored one is still
    // the one it started from, a condition of the write itself (sql-compliance.ts). A write that decides on what it
    // read without such a lock or condition (an alert report's stale check) stays SERIALIZABLE.
    this.commits = new GroupCommit(db, { isolation: 'read committed' });
    this.serializableCommits = new GroupCommit(db);
    this.nonces = new BatchQueue({ maxBatch: NONCE_CLAIM_BATCH }, (claims) => claimNonces(db, claims));
    this.touches = new BatchQueue({ maxBatch: TOUCH_BATCH }, (touches) => touchDevices(db, touches));
  }

  /**
   * A device write in the next READ COMMITTED group transaction (see GroupCommit): only for a write that locks or
   * conditionally writes the rows it decides on (the constructor's comment says why).
   */
  commit<O>(work: TransactionWork<O>): Promise<O> {
    return this.commits.submit(work);
  }

  /** A device write in the next SERIALIZABLE group transaction: for writes that decide on rows they do not lock. */
  commitSerializable<O>(work: TransactionWork<O>): Promise<O> {
    return this.serializableCommits.submit(work);
  }

  /** ManagementStore.claimNonce, batched with the claims of concurrent requests. */
  claimNonce(deviceId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
    return this.nonces.submit({ deviceId, nonce, expiresAtMs });
  }

  /** ManagementStore.touchDevice, batched with the touches of concurrent requests. */
  touchDevice(deviceId: string, lastSeenAt: string): Promise<void> {
    return this.touches.submit({ deviceId, lastSeenAt });
  }

  /** Depth and batch counters of each queue (ManagementStore.stats). */
  stats(): WriteQueueStats[] {
    return [
      { queue: 'groupCommit', ...this.commits.stats() },
      { queue: 'serializableCommit', ...this.serializableCommits.stats() },
      { queue: 'nonceClaims', ...this.nonces.stats() },
      { queue: 'deviceTouches', ...this.touches.stats() },
    ];
  }

  async close(): Promise<void> {
    await Promise.all([this.commits.close(), this.serializableCommits.close(), this.nonces.close(), this.touches.close()]);
  }
}

/**
 * Sets lastSeenAt of every device of the batch in one UPDATE … SET last_seen_at = CASE device_id WHEN … END (standard
 * SQL; raw, so column names are the SQL ones). A device touched twice in the batch gets its last time.
 *
 * On PostgreSQL the touch skips a device whose row another transaction holds (FOR UPDATE SKIP LOCKED): every request
 * awaits its touch, and waiting for the row lock a report's group commit holds until it commits (seconds under load)
 * stalled every request of the replica behind it and deadlocked against the group (measured at 5,000 hosts, two
 * replicas). Nothing is lost that matters: the report holding the lock sets last_seen_at itself (sql-reports.ts), and
 * other holders (an admin's change of the device) are short; the device's next request after the touch interval
 * writes it again.
 */
export async function touchDevices(db: Kysely<Database>, touches: readonly DeviceTouch[]): Promise<Settled<void>[]> {
  const latest = new Map<string, string>();
  for (const t of touches) latest.set(t.deviceId, t.lastSeenAt);
  const ids = [...latest.keys()];
  const whens = ids.map((id) => sql`when ${id} then ${latest.get(id)}`);
  const rows = isPostgres(db) ? sql`select device_id from devices where device_id in (${sql.join(ids)}) for update skip locked` : sql.join(ids);
  await sql`update devices set last_seen_at = case device_id ${sql.join(whens, sql` `)} end where device_id in (${rows})`.execute(db);
  return touches.map(() => ({ ok: true, value: undefined }));
}
