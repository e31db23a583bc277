// Push presence on the SQL store (replicas only): which replica holds each connected device's socket, and each
// replica's heartbeat. Written as diffs by service/presence.ts; read when an admin asks whether a device is connected.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from './schema.js';
import { chunks } from './sql-rows.js';
import { inTransaction, isPostgres } from './transactions.js';

/**
 * The database server's time as stored times are written (toISOString form): replicas' clocks may disagree, so
 * heartbeats are written and judged by one clock, the database's.
 */
export function dbNow(db: Db, offsetMs = 0): RawBuilder<string> {
  const seconds = offsetMs / 1000;
  return isPostgres(db)
    ? sql<string>`to_char((now() + make_interval(secs => ${seconds})) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${`${seconds} seconds`})`;
}

type Db = Kysely<Database>;
// Ids per statement: 2 bound parameters per presence row, far below either engine's limit.
const IDS_PER_STATEMENT = 500;

/** ManagementStore.syncPresence. */
export async function syncPresence(db: Db, replicaId: string, connected: readonly string[], disconnected: readonly string[]): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const known = (await trx.selectFrom('replicas').select('replicaId').where('replicaId', '=', replicaId).executeTakeFirst()) !== undefined;
    const at = dbNow(trx);
    await trx
      .insertInto('replicas')
      .values({ replicaId, startedAt: at, seenAt: at })
      .onConflict((oc) => oc.column('replicaId').doUpdateSet({ seenAt: dbNow(trx) }))
      .execute();
    for (const ids of chunks(connected, IDS_PER_STATEMENT)) {
      await trx
        .insertInto('pushPresence')
        .values(ids.map((deviceId) => ({ deviceId, replicaId, since: dbNow(trx) })))
        .onConflict((oc) => oc.column('deviceId').doUpdateSet((eb) => ({ replicaId: eb.ref('excluded.replicaId'), since: eb.ref('excluded.since') })))
        .execute();
    }
    for (const ids of chunks(disconnected, IDS_PER_STATEMENT)) {
      await trx.deleteFrom('pushPresence').where('replicaId', '=', replicaId).where('deviceId', 'in', ids).execute();
    }
    return known;
  });
}

/** ManagementStore.connectedElsewhere. */
export async function connectedElsewhere(db: Db, deviceIds: readonly string[], except: string, aliveMs: number): Promise<Set<string>> {
  const out = new Set<string>();
  for (const ids of chunks(deviceIds, IDS_PER_STATEMENT)) {
    const rows = await db
      .selectFrom('pushPresence as p')
      .innerJoin('replicas as r', 'r.replicaId', 'p.replicaId')
      .select('p.deviceId')
      .where('p.deviceId', 'in', ids)
      .where('p.replicaId', '<>', except)
      .where('r.seenAt', '>=', dbNow(db, -aliveMs))
      .execute();
    for (const r of rows) out.add(r.deviceId);
  }
  return out;
}

/** ManagementStore.dropReplicas. */
export async function dropReplicas(db: Db, which: readonly string[] | { readonly notSeenForMs: number }): Promise<number> {
  return inTransaction(db, async (trx) => {
    const ids = Array.isArray(which)
      ? (which as readonly string[])
      : (
          await trx
            .selectFrom('replicas')
            .select('replicaId')
            .where('seenAt', '<', dbNow(trx, -(which as { notSeenForMs: number }).notSeenForMs))
            .execute()
        ).map((r) => r.replicaId);
    if (ids.length === 0) return 0;
    await trx.deleteFrom('pushPresence').where('replicaId', 'in', ids).execute();
    const dropped = await trx.deleteFrom('replicas').where('replicaId', 'in', ids).executeTakeFirst();
    return Number(dropped.numDeletedRows);
  });
}
