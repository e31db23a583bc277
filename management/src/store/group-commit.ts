// Batching of the store's device-path writes: BatchQueue gathers the calls that arrive together and runs them as one
// batch (one statement or one transaction), GroupCommit runs queued writes in ONE transaction with a savepoint each, so
// a failing write fails only its own caller and every caller hears back only after the commit. Dialect-independent.
import { type Kysely, sql, type Transaction } from 'kysely';
import { endOfTurn } from '../../../common/clock.js';
import type { Database } from './schema.js';
import { inTransaction, isRetryableConflict, type TransactionOptions } from './transactions.js';

/** The outcome of one item of a batch. */
export type Settled<O> = { readonly ok: true; readonly value: O } | { readonly ok: false; readonly error: unknown };

/** Counters of a queue for metrics: items waiting for a batch now, and batches and items run since start. */
export interface BatchQueueStats {
  readonly depth: number;
  readonly batches: number;
  readonly items: number;
}

/** Runs one batch; returns one outcome per item, in order. A rejection fails every item of the batch. */
export type BatchRunner<I, O> = (items: readonly I[]) => Promise<readonly Settled<O>[]>;

interface Pending<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Natural batching: the first arrival schedules a batch for the end of the current event-loop turn (endOfTurn, so
 * every request whose I/O completed in this turn joins; better-sqlite3 is synchronous, a microtask would run each call
 * alone). While a batch runs, arrivals queue; the next batch takes all queued, at most `maxBatch`. No timer, no delay.
 */
export class BatchQueue<I, O> {
  private queue: Pending<I, O>[] = [];
  private running: Promise<void> | undefined;
  private closed = false;
  private batches = 0;
  private items = 0;

  constructor(
    private readonly options: { readonly maxBatch: number },
    private readonly run: BatchRunner<I, O>,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${options.maxBatch}`);
  }

  /** Queues one item; settles with its own outcome once its batch has run. */
  submit(item: I): Promise<O> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.running ??= endOfTurn().then(() => this.drainQueue());
    });
  }

  /** Refuses new items and waits until every queued one has settled. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  /** Items waiting for their batch, and the batches and items taken so far (mean batch size = items / batches). */
  stats(): BatchQueueStats {
    return { depth: this.queue.length, batches: this.batches, items: this.items };
  }

  private async drainQueue(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.batches += 1;
      this.items += batch.length;
      let outcomes: readonly Settled<O>[];
      try {
        outcomes = await this.run(batch.map((p) => p.item));
      } catch (error) {
        for (const p of batch) p.reject(error);
        continue;
      }
      batch.forEach((p, i) => {
        const outcome = outcomes[i] ?? { ok: false, error: new Error(`batch runner gave ${outcomes.length} outcomes for ${batch.length} items`) };
        if (outcome.ok) p.resolve(outcome.value);
        else p.reject(outcome.error);
      });
    }
    this.running = undefined;
  }
}

/** One write of a group commit: runs inside the shared transaction (and its own savepoint); must not open a transaction. */
export type TransactionWork<O> = (trx: Transaction<Database>) => Promise<O>;

/** Writes per transaction: enough to absorb a burst of thousands of devices in a few commits, small enough to keep each commit short. */
export const GROUP_COMMIT_BATCH = 256;

/**
 * Group commit: every submitted write of a turn runs in one transaction, each in a savepoint (`SAVEPOINT`, `ROLLBACK
 * TO`, `RELEASE`: standard SQL, SQLite and PostgreSQL alike). A write that throws is rolled back to its savepoint and
 * rejects its caller only; the others commit. Every caller settles after the COMMIT: if it fails, all are rejected.
 */
export class GroupCommit {
  private readonly queue: BatchQueue<TransactionWork<unknown>, unknown>;

  /** `isolation`: the group transaction's on PostgreSQL (default serializable; see TransactionOptions). */
  constructor(db: Kysely<Database>, options: { readonly maxBatch?: number; readonly isolation?: TransactionOptions['isolation'] } = {}) {
    const isolation = options.isolation === undefined ? {} : { isolation: options.isolation };
    this.queue = new BatchQueue({ maxBatch: options.maxBatch ?? GROUP_COMMIT_BATCH }, (works) => commitEach(db, works, isolation));
  }

  /** Runs `work` in the next group transaction; resolves with its result after that transaction committed. */
  submit<O>(work: TransactionWork<O>): Promise<O> {
    return this.queue.submit(work) as Promise<O>;
  }

  close(): Promise<void> {
    return this.queue.close();
  }

  /** The queue's counters (one item = one write, one batch = one transaction). */
  stats(): BatchQueueStats {
    return this.queue.stats();
  }
}

async function commitEach(db: Kysely<Database>, works: readonly TransactionWork<unknown>[], options: TransactionOptions): Promise<Settled<unknown>[]> {
  return inTransaction(
    db,
    async (trx) => {
      // A lone write needs no savepoint: the transaction is its unit, and its failure rolls back only itself.
      if (works.length === 1) return [{ ok: true, value: await (works[0] as TransactionWork<unknown>)(trx) }];
      const outcomes: Settled<unknown>[] = [];
      for (const work of works) {
        await sql`savepoint group_item`.execute(trx);
        try {
          const value = await work(trx);
          await sql`release savepoint group_item`.execute(trx);
          outcomes.push({ ok: true, value });
        } catch (error) {
          // PostgreSQL aborted the whole transaction (serialization failure, deadlock): inTransaction runs the group again.
          if (isRetryableConflict(error)) throw error;
          await sql`rollback to savepoint group_item`.execute(trx);
          await sql`release savepoint group_item`.execute(trx);
          outcomes.push({ ok: false, error });
        }
      }
      return outcomes;
    },
    options,
  );
}
