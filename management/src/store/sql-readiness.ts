// The readiness probe of the SQL store (GET /readyz): one trivial query, then the migrations of this build the
// database has not run. Read-only on both dialects (kysely's Migrator only reads its table here).
import { type Kysely, sql } from 'kysely';
import { AttacheError } from '../../../common/errors.js';
import { pendingMigrations } from './migrations.js';
import type { Database } from './schema.js';
import type { StoreReadiness } from './store.js';

/** ManagementStore.checkReadiness: DATABASE_UNAVAILABLE naming the driver's error when either query fails. */
export async function checkReadiness(db: Kysely<Database>): Promise<StoreReadiness> {
  try {
    await sql`select 1`.execute(db);
    return { pendingMigrations: await pendingMigrations(db) };
  } catch (err) {
    throw new AttacheError('DATABASE_UNAVAILABLE', `the database does not answer: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
