// Used request nonces in the SQL store: claiming one is a single insert on the (device_id, nonce) primary key, so a
// replay fails on the unique constraint in this process, after a restart, and on any replica sharing the database.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { isUniqueViolation } from './sqlite-rows.js';

/** ManagementStore.claimNonce. */
export async function claimNonce(db: Kysely<Database>, deviceId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
  try {
    await db.insertInto('requestNonces').values({ deviceId, nonce, expiresAt: expiresAtMs }).execute();
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/**
 * ManagementStore.sweepNonces: finds the expiry of the `limit`-th oldest expired nonce, then deletes by the expiry
 * index up to it (two indexed statements, portable to PostgreSQL; ties at the boundary may add a few rows).
 */
export async function sweepNonces(db: Kysely<Database>, nowMs: number, limit: number): Promise<number> {
  const boundary = await db
    .selectFrom('requestNonces')
    .select('expiresAt')
    .where('expiresAt', '<', nowMs)
    .orderBy('expiresAt')
    .offset(Math.max(0, limit - 1))
    .limit(1)
    .executeTakeFirst();
  const before = boundary === undefined ? nowMs : Math.min(nowMs, Number(boundary.expiresAt) + 1);
  const result = await db.deleteFrom('requestNonces').where('expiresAt', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
