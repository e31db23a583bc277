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

/** ManagementStore.sweepNonces: one bounded DELETE by the expiry index (the subquery keeps it portable to PostgreSQL). */
export async function sweepNonces(db: Kysely<Database>, nowMs: number, limit: number): Promise<number> {
  const expired = db.selectFrom('requestNonces').select('nonce').where('expiresAt', '<', nowMs).orderBy('expiresAt').limit(limit);
  const result = await db.deleteFrom('requestNonces').where('expiresAt', '<', nowMs).where('nonce', 'in', expired).executeTakeFirst();
  return Number(result.numDeletedRows);
}
