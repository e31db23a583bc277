// Transactions of the SQL store with the same guarantee on both engines: as if run one after another. SQLite gives it
// by construction (one connection, kysely runs its queries in turn); PostgreSQL runs several at once on a pool, across
// replicas too, so there every transaction is SERIALIZABLE and retried when PostgreSQL aborts it to keep that promise.
import { type Kysely, PostgresAdapter, type Transaction } from 'kysely';
import { AttacheError } from '../../../common/errors.js';
import type { Database } from './schema.js';

/** Attempts of a transaction PostgreSQL aborted for serialization or a deadlock before the error reaches the caller. */
export const TRANSACTION_ATTEMPTS = 8;

/** True when `db` (or a transaction of it) talks to PostgreSQL. */
export function isPostgres(db: Pick<Kysely<unknown>, 'getExecutor'>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** SQLSTATEs after which the whole transaction can simply run again: serialization_failure, deadlock_detected. */
export function isRetryableConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

/**
 * Runs `work` in a transaction. On PostgreSQL it is SERIALIZABLE and re-run from the start when PostgreSQL aborts it for a serialization failure or a deadlock, up to TRANSACTION_ATTEMPTS times; `work`
 * must therefore do nothing outside the database that cannot be repeated.
 */
export async function inTransaction<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (!isPostgres(db)) return db.transaction().execute(work);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().setIsolationLevel('serializable').execute(work);
    } catch (err) {
      // The transaction that caused the abort has committed or rolled back by now: running again at once is right.
      if (!isRetryableConflict(err)) throw err;
      // Still conflicting after every attempt: a retryable answer (503 + Retry-After), never an internal error.
      if (attempt >= TRANSACTION_ATTEMPTS) {
        throw new AttacheError('ENDPOINT_BUSY', `the database kept aborting this write for conflicting ones (${TRANSACTION_ATTEMPTS} attempts); retry`, {
          cause: err,
        });
      }
    }
  }
}

/**
 * True when `err` says the database could not be reached or went away (connection refused, reset, ended, a pool that
 * could not connect, PostgreSQL shutting down or refusing connections: SQLSTATE classes 08 and 57P): nothing of the
 * failed request was committed, and retrying later can succeed.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (/^08/.test(code) || /^57P0[123]$/.test(code) || /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH)$/.test(code))
    ) {
      return true;
    }
    if (/^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(e.message)) return true;
  }
  return false;
}
