// Which devices are connected, across replicas. Each replica holds its own sockets (push/push-hub.ts); with several
// replicas on one database each also writes, every PRESENCE_SYNC_MS, what changed in its set of connected devices
// and a heartbeat, so an admin asking any replica sees a device connected to another. A replica not seen for
// REPLICA_ALIVE_MS counts as gone (its rows are ignored, and the leader removes them after REPLICA_FORGET_MS).
import type { Clock, TimerHandle } from '../../../common/clock.js';
import type { Logger } from '../logging.js';
import type { PushHub, SyncReason } from '../push/push-hub.js';
import type { ManagementStore } from '../store/store.js';

export const PRESENCE_SYNC_MS = 2_000;
export const REPLICA_ALIVE_MS = 15_000;
export const REPLICA_FORGET_MS = 3_600_000;

interface Deps {
  readonly store: Pick<ManagementStore, 'syncPresence' | 'connectedElsewhere' | 'dropReplicas'>;
  readonly hub: Pick<PushHub, 'connectedHere' | 'isConnected'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly replicaId: string;
}

export class PushPresence {
  private synced = new Set<string>();
  private timer: TimerHandle | undefined;
  private syncing: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(private readonly deps: Deps) {
    this.log = deps.logger.child({ component: 'cluster', replicaId: deps.replicaId });
  }

  /** Writes this replica's presence now, then every PRESENCE_SYNC_MS. */
  async start(): Promise<void> {
    await this.sync();
    this.timer = this.deps.clock.every(PRESENCE_SYNC_MS, () => this.sync());
  }

  /** Writes what changed since the last write (and the heartbeat); a failure is retried at the next tick. */
  sync(): Promise<void> {
    this.syncing ??= this.write().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  /** Of `deviceIds`, those connected here or to another live replica. */
  async connected(deviceIds: readonly string[]): Promise<Set<string>> {
    const here = new Set(deviceIds.filter((id) => this.deps.hub.isConnected(id)));
    const rest = deviceIds.filter((id) => !here.has(id));
    if (rest.length === 0) return here;
    for (const id of await this.deps.store.connectedElsewhere(rest, this.deps.replicaId, REPLICA_ALIVE_MS)) here.add(id);
    return here;
  }

  /** How the store tells devices connected to another live replica (the console's connected filter and counts). */
  elsewhere(): { readonly except: string; readonly aliveMs: number } {
    return { except: this.deps.replicaId, aliveMs: REPLICA_ALIVE_MS };
  }

  /** The leader's sweep: replicas gone for REPLICA_FORGET_MS are removed with their rows. */
  async sweep(): Promise<number> {
    return this.deps.store.dropReplicas({ notSeenForMs: REPLICA_FORGET_MS });
  }

  /** Stops writing and removes this replica's presence (a clean shutdown: its devices reconnect elsewhere). */
  async close(): Promise<void> {
    this.timer?.cancel();
    await this.syncing;
    await this.deps.store.dropReplicas([this.deps.replicaId]).catch((err: unknown) => {
      this.log.warn('presence not removed at shutdown', { error: (err as Error).message });
    });
  }

  private async write(): Promise<void> {
    const now = new Set(this.deps.hub.connectedHere());
    const connected = [...now].filter((id) => !this.synced.has(id));
    const disconnected = [...this.synced].filter((id) => !now.has(id));
    try {
      const known = await this.deps.store.syncPresence(this.deps.replicaId, connected, disconnected);
      // Not known (swept as gone, e.g. after a long pause): the rows written before are gone too; write them all.
      if (!known && this.synced.size > 0) await this.deps.store.syncPresence(this.deps.replicaId, [...now], []);
      this.synced = now;
    } catch (err) {
      this.log.warn('presence not written, retrying', { error: (err as Error).message });
    }
  }
}

/**
 * Nudges the devices wherever they are connected (the hub publishes to the other replicas) and returns how many have
 * an open push socket on any replica (the admin's "delivered"/"nudged").
 */
export async function nudgeAnywhere(
  ctx: { readonly hub: Pick<PushHub, 'nudge' | 'isConnected'>; readonly presence?: PushPresence },
  deviceIds: readonly string[],
  reason: SyncReason,
): Promise<number> {
  const here = ctx.hub.nudge(deviceIds, reason);
  if (!ctx.presence) return here;
  const elsewhere = deviceIds.filter((id) => !ctx.hub.isConnected(id));
  return here + (elsewhere.length === 0 ? 0 : (await ctx.presence.connected(elsewhere)).size);
}
