// Joins this endpoint process to its replicas: the cluster bus (push/cluster-bus.ts) carries their events to this
// process's hub, set cache and compliance decisions; leadership (leadership.ts) says who runs the periodic work.
// SQLite: one process, a bus with nobody on it, always the leader.
import { hkdfSync } from 'node:crypto';
import type { Clock } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import type { Logger } from '../logging.js';
import type { KeyEncryptionKey } from '../pki/key-vault.js';
import type { PolicySigningKeyRing } from '../pki/signing-key-ring.js';
import { type ClusterBus, type ClusterEvent, LocalBus } from '../push/cluster-bus.js';
import { PostgresBus } from '../push/postgres-bus.js';
import type { PushHub } from '../push/push-hub.js';
import type { ComplianceService } from './compliance/compliance-service.js';
import type { DeviceSetViews } from './device-sets.js';
import { type Leadership, PostgresLeadership, SoleLeader } from './leadership.js';

export interface Cluster {
  readonly bus: ClusterBus;
  readonly leadership: Leadership;
  close(): Promise<void>;
}

/**
 * The key that authenticates the bus's messages (any role that can connect to the database can NOTIFY): HKDF-SHA256
 * of the key-encryption key, which every replica has, with its own label, so the KEK itself never keys anything else.
 */
export function clusterBusKey(kek: KeyEncryptionKey): Buffer {
  return Buffer.from(hkdfSync('sha256', kek.key, Buffer.alloc(0), 'attache-cluster-bus', 32));
}

/** The cluster of the database at `databaseUrl` (PostgreSQL, whose replicas share `kek`), or of this process alone (no URL: SQLite). */
export async function openCluster(
  databaseUrl: string | undefined,
  deps: { readonly clock: Clock; readonly logger: Logger; readonly kek: KeyEncryptionKey | undefined },
): Promise<Cluster> {
  if (!databaseUrl) {
    const leadership = new SoleLeader();
    return { bus: new LocalBus('local'), leadership, close: () => leadership.close() };
  }
  if (!deps.kek) throw new AttacheError('CONFIG_INVALID', 'replicas on PostgreSQL need the key-encryption key (it keys the cluster bus)');
  const bus = await PostgresBus.connect(databaseUrl, clusterBusKey(deps.kek), deps);
  const leadership = new PostgresLeadership(databaseUrl, { ...deps, replicaId: bus.replicaId });
  await leadership.start();
  return {
    bus,
    leadership,
    async close() {
      await leadership.close();
      await bus.close();
    },
  };
}

/** What the other replicas' events act on in this process. */
export interface ClusterMembers {
  readonly hub: PushHub;
  readonly signingKeys: PolicySigningKeyRing;
  readonly sets: DeviceSetViews;
  readonly compliance: ComplianceService;
  readonly logger: Logger;
  /** Sends the devices connected here their pending response actions (service/actions/action-delivery.ts). */
  readonly actions?: (deviceIds: readonly string[]) => Promise<void>;
}

/** Applies the other replicas' events here, without publishing them again. */
export function applyClusterEvent(event: ClusterEvent, members: ClusterMembers): Promise<void> | undefined {
  switch (event.type) {
    case 'nudge':
      members.hub.nudgeHere(event.deviceIds, event.reason);
      return undefined;
    case 'sets':
      if (event.deviceIds === 'all') members.sets.forgetAll();
      else members.sets.forget(...event.deviceIds);
      return undefined;
    case 'disconnect':
      members.hub.disconnectHere(event.deviceId, event.code, event.reason);
      return undefined;
    case 'compliance':
      return members.compliance.reload(event.deviceIds);
    case 'actions':
      return members.actions?.(event.deviceIds);
    case 'signingKeys':
      // Which key signs decides every set's manifest: cached sets go with the old ring.
      return members.signingKeys.reload().then(() => members.sets.forgetAll());
  }
}

/**
 * Subscribes this process to the bus. After a gap (the bus reconnected: events may be lost) every cached set is
 * dropped, every decision reloaded, and every device connected here gets its current set (a delivery of an unchanged
 * set is answered by the agent's etag check, so the cost of a gap is one round trip per connected device).
 */
export function joinCluster(bus: ClusterBus, members: ClusterMembers): void {
  const log = members.logger.child({ component: 'cluster' });
  const failed = (err: unknown) => log.error('cluster event failed', { error: err instanceof Error ? err.message : String(err) });
  bus.subscribe(
    (event) => applyClusterEvent(event, members)?.catch(failed),
    () => {
      members.sets.forgetAll();
      members.signingKeys.reload().catch(failed);
      members.compliance.reload().catch(failed);
      members.hub.nudgeHere(members.hub.connectedHere(), 'policy-changed');
    },
  );
}
