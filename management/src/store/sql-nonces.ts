// Used request nonces in the SQL store: claims are inserted on the (device_id, nonce) primary key, so a replay is
// refused by the unique constraint in this process, after a restart, and on any replica sharing the database.
import type { Kysely } from 'kysely';
import type { Settled } from './group-commit.js';
import type { Database } from './schema.js';
import { chunks } from './sql-rows.js';

/** One nonce claim: the pair and how long it must be remembered. */
export interface NonceClaim {
  readonly deviceId: string;
  readonly nonce: string;
  readonly expiresAtMs: number;
}

/** Nonces claimed per statement: 3 bound parameters each, well under SQLite's 32,766 (PostgreSQL: 65,535). */
export const NONCE_CLAIM_BATCH = 500;

/**
 * ManagementStore.claimNonce for the claims of concurrent requests: one multi-row INSERT … ON CONFLICT DO NOTHING
 * RETURNING; the returned pairs are the fresh ones (true), every other claim is a replay (false). The same pair twice in
 * one batch is fresh for its first claim only, as it would be one request after the other.
 */
export async function claimNonces(db: Kysely<Database>, claims: readonly NonceClaim[]): Promise<Settled<boolean>[]> {
  const key = (c: Pick<NonceClaim, 'deviceId' | 'nonce'>) => `${c.deviceId}\u0000${c.nonce}`;
  const firsts = new Map<string, NonceClaim>();
  for (const c of claims) if (!firsts.has(key(c))) firsts.set(key(c), c);
  const fresh = new Set<string>();
  for (const batch of chunks([...firsts.values()], NONCE_CLAIM_BATCH)) {
    const rows = await db
      .insertInto('requestNonces')
      .values(batch.map((c) => ({ deviceId: c.deviceId, nonce: c.nonce, expiresAt: c.expiresAtMs })))
      .onConflict((oc) => oc.columns(['deviceId', 'nonce']).doNothing())
      .returning(['deviceId', 'nonce'])
      .execute();
    for (const row of rows) fresh.add(key(row));
  }
  return claims.map((c) => ({ ok: true, value: firsts.get(key(c)) === c && fresh.has(key(c)) }));
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
