// Transactions of the SQL store with the same guarantee on both engines: as if run one after another. SQLite gives it
// by construction (one connection, kysely runs its queries in turn); PostgreSQL runs several at once on a pool, across
// replicas too, so there every transaction is SERIALIZABLE and retried when PostgreSQL aborts it to keep that promise.
import { type Kysely, PostgresAdapter, type Transaction } from 'kysely';
import { type Clock, sleep, systemClock } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import type { Database } from './schema.js';

/** Attempts of a transaction PostgreSQL aborted for serialization or a deadlock before the error reaches the caller. */
export const TRANSACTION_ATTEMPTS = 12;

/** Longest pause before a retry (the pause doubles from RETRY_BASE_MS per attempt, with full jitter). */
const RETRY_BASE_MS = 4;
const RETRY_MAX_MS = 250;

/** True when `db` (or a transaction of it) talks to PostgreSQL. */
export function isPostgres(db: Pick<Kysely<unknown>, 'getExecutor'>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** SQLSTATEs after which the whole transaction can simply run again: serialization_failure, deadlock_detected. */
export function isRetryableConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

/** How a transaction runs on PostgreSQL (SQLite ignores both). */
export interface TransactionOptions {
  /**
   * `read committed` only for work whose writes are safe without serialization by themselves (conditional updates that
   * PostgreSQL re-checks on the newest row after waiting for its lock): one hot row then queues instead of aborting.
   */
  readonly isolation?: 'serializable' | 'read committed';
  /** The retry pauses' clock and jitter. */
  readonly clock?: Clock;
}

/**
 * Runs `work` in a transaction. On PostgreSQL it is SERIALIZABLE and re-run from the start when PostgreSQL aborts it
 * for a serialization failure or a deadlock, up to TRANSACTION_ATTEMPTS times; `work` must therefore do nothing outside
 * the database that cannot be repeated. Retries pause a jittered, doubling while: without it, many writers of one hot
 * row (64 enrollments at once on one enrollment token, two replicas) abort each other again at once and run out of
 * attempts (seen in simulator/scenarios/replicas-2k.json).
 */
export async function inTransaction<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  if (!isPostgres(db)) return db.transaction().execute(work);
  const clock = options.clock ?? systemClock;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db
        .transaction()
        .setIsolationLevel(options.isolation ?? 'serializable')
        .execute(work);
    } catch (err) {
      if (!isRetryableConflict(err)) throw err;
      // Still conflicting after every attempt: a retryable answer (503 + Retry-After), never an internal error.
      if (attempt >= TRANSACTION_ATTEMPTS) {
        throw new AttacheError('ENDPOINT_BUSY', `the database kept aborting this write for conflicting ones (${TRANSACTION_ATTEMPTS} attempts); retry`, {
          cause: err,
        });
      }
      await sleep(clock, clock.random() * Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempt - 1)));
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
