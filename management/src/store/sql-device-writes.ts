// The batched writes of the device path on the SQL store: one group commit for what devices send (reports, alert
// reports, health, inventory), one multi-row statement for the nonces of concurrent requests and one for lastSeenAt.
import { type Kysely, sql } from 'kysely';
import { BatchQueue, GroupCommit, type Settled, type TransactionWork } from './group-commit.js';
import type { Database } from './schema.js';
import { claimNonces, NONCE_CLAIM_BATCH, type NonceClaim } from './sql-nonces.js';
import type { WriteQueueStats } from './store.js';

/** lastSeenAt updates per statement: 3 bound parameters each. */
const TOUCH_BATCH = 500;

interface DeviceTouch {
  readonly deviceId: string;
  readonly lastSeenAt: string;
}

/** The store's batching queues; close() settles everything queued before the database may close. */
export class DeviceWriteBatches {
  private readonly commits: GroupCommit;
  private readonly nonces: BatchQueue<NonceClaim, boolean>;
  private readonly touches: BatchQueue<DeviceTouch, void>;

  constructor(db: Kysely<Database>) {
    this.commits = new GroupCommit(db);
    this.nonces = new BatchQueue({ maxBatch: NONCE_CLAIM_BATCH }, (claims) => claimNonces(db, claims));
    this.touches = new BatchQueue({ maxBatch: TOUCH_BATCH }, (touches) => touchDevices(db, touches));
  }

  /** A device write in the next group transaction (see GroupCommit). */
  commit<O>(work: TransactionWork<O>): Promise<O> {
    return this.commits.submit(work);
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
      { queue: 'nonceClaims', ...this.nonces.stats() },
      { queue: 'deviceTouches', ...this.touches.stats() },
    ];
  }

  async close(): Promise<void> {
    await Promise.all([this.commits.close(), this.nonces.close(), this.touches.close()]);
  }
}

/**
 * Sets lastSeenAt of every device of the batch in one UPDATE … SET last_seen_at = CASE device_id WHEN … END (standard
 * SQL; raw, so column names are the SQL ones). A device touched twice in the batch gets its last time.
 */
export async function touchDevices(db: Kysely<Database>, touches: readonly DeviceTouch[]): Promise<Settled<void>[]> {
  const latest = new Map<string, string>();
  for (const t of touches) latest.set(t.deviceId, t.lastSeenAt);
  const ids = [...latest.keys()];
  const whens = ids.map((id) => sql`when ${id} then ${latest.get(id)}`);
  await sql`update devices set last_seen_at = case device_id ${sql.join(whens, sql` `)} end where device_id in (${sql.join(ids)})`.execute(db);
  return touches.map(() => ({ ok: true, value: undefined }));
}
