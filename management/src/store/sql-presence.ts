// Push presence on the SQL store (replicas only): which replica holds each connected device's socket, and each
// replica's heartbeat. Written as diffs by service/presence.ts; read when an admin asks whether a device is connected.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { chunks } from './sql-rows.js';
import { inTransaction } from './transactions.js';

type Db = Kysely<Database>;
// Ids per statement: 2 bound parameters per presence row, far below either engine's limit.
const IDS_PER_STATEMENT = 500;

/** ManagementStore.syncPresence. */
export async function syncPresence(db: Db, replicaId: string, connected: readonly string[], disconnected: readonly string[], at: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto('replicas')
      .values({ replicaId, startedAt: at, seenAt: at })
      .onConflict((oc) => oc.column('replicaId').doUpdateSet({ seenAt: at }))
      .execute();
    for (const ids of chunks(connected, IDS_PER_STATEMENT)) {
      await trx
        .insertInto('pushPresence')
        .values(ids.map((deviceId) => ({ deviceId, replicaId, since: at })))
        .onConflict((oc) => oc.column('deviceId').doUpdateSet((eb) => ({ replicaId: eb.ref('excluded.replicaId'), since: eb.ref('excluded.since') })))
        .execute();
    }
    for (const ids of chunks(disconnected, IDS_PER_STATEMENT)) {
      await trx.deleteFrom('pushPresence').where('replicaId', '=', replicaId).where('deviceId', 'in', ids).execute();
    }
  });
}

/** ManagementStore.connectedElsewhere. */
export async function connectedElsewhere(db: Db, deviceIds: readonly string[], except: string, aliveSince: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const ids of chunks(deviceIds, IDS_PER_STATEMENT)) {
    const rows = await db
      .selectFrom('pushPresence as p')
      .innerJoin('replicas as r', 'r.replicaId', 'p.replicaId')
      .select('p.deviceId')
      .where('p.deviceId', 'in', ids)
      .where('p.replicaId', '<>', except)
      .where('r.seenAt', '>=', aliveSince)
      .execute();
    for (const r of rows) out.add(r.deviceId);
  }
  return out;
}

/** ManagementStore.dropReplicas. */
export async function dropReplicas(db: Db, which: readonly string[] | { readonly notSeenSince: string }): Promise<number> {
  return inTransaction(db, async (trx) => {
    const ids = Array.isArray(which)
      ? (which as readonly string[])
      : (
          await trx
            .selectFrom('replicas')
            .select('replicaId')
            .where('seenAt', '<', (which as { notSeenSince: string }).notSeenSince)
            .execute()
        ).map((r) => r.replicaId);
    if (ids.length === 0) return 0;
    await trx.deleteFrom('pushPresence').where('replicaId', 'in', ids).execute();
    const dropped = await trx.deleteFrom('replicas').where('replicaId', 'in', ids).executeTakeFirst();
    return Number(dropped.numDeletedRows);
  });
}
