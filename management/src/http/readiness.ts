// Readiness of the endpoint (GET /readyz): the database answers a trivial query within a short timeout and has run
// every migration of this build. One probe at a time, its answer reused for a short while, so a flood of /readyz
// costs the database at most one query per second.
import type { Clock } from '../../../common/clock.js';
import { toAttacheError } from '../../../common/errors.js';
import type { ReadyzAnswer } from '../../../policy-schemas/src/index.js';
import type { Logger } from '../logging.js';
import type { StoreReadiness } from '../store/store.js';

/** The answer of GET /readyz (200 when ready, else 503); its schema is policy-schemas' ReadyzAnswer. */
export type Readiness = ReadyzAnswer;

/** How long the database may take to answer, and how long an answer is reused. */
export interface ReadinessOptions {
  readonly timeoutMs?: number;
  readonly reuseMs?: number;
}

export const READINESS_TIMEOUT_MS = 2000;
export const READINESS_REUSE_MS = 1000;

/** Probes the store for GET /readyz; logs each change between ready and not ready once. */
export class ReadinessProbe {
  private readonly timeoutMs: number;
  private readonly reuseMs: number;
  private inFlight: Promise<Readiness> | undefined;
  private last: { readonly at: number; readonly answer: Readiness } | undefined;
  private readonly log: Logger;

  constructor(
    options: ReadinessOptions,
    private readonly deps: { readonly store: { checkReadiness(): Promise<StoreReadiness> }; readonly clock: Clock; readonly logger: Logger },
  ) {
    this.timeoutMs = options.timeoutMs ?? READINESS_TIMEOUT_MS;
    this.reuseMs = options.reuseMs ?? READINESS_REUSE_MS;
    this.log = deps.logger.child({ component: 'readiness' });
  }

  /** The current readiness: the last answer while it is fresh, else the probe in flight, else a new probe. */
  check(): Promise<Readiness> {
    const last = this.last;
    if (last && this.deps.clock.now() - last.at < this.reuseMs) return Promise.resolve(last.answer);
    this.inFlight ??= this.probe().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async probe(): Promise<Readiness> {
    let answer: Readiness;
    try {
      const { pendingMigrations } = await this.withTimeout(this.deps.store.checkReadiness());
      answer =
        pendingMigrations.length === 0 ? { status: 'ready' } : { status: 'not-ready', reason: 'MIGRATIONS_PENDING', pendingMigrations: [...pendingMigrations] };
    } catch (err) {
      answer = { status: 'not-ready', reason: 'DATABASE_UNAVAILABLE' };
      if (this.last?.answer.status !== 'not-ready') this.log.warn('database not ready', { code: toAttacheError(err).code, error: toAttacheError(err).message });
    }
    const before = this.last?.answer;
    if (answer.status === 'ready' && before?.status === 'not-ready') this.log.info('database ready again', {});
    if (answer.status === 'not-ready' && answer.reason === 'MIGRATIONS_PENDING' && before?.status !== 'not-ready') {
      this.log.warn('database schema behind this build', { pendingMigrations: answer.pendingMigrations });
    }
    this.last = { at: this.deps.clock.now(), answer };
    return answer;
  }

  private withTimeout<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.deps.clock.setTimer(() => reject(new Error(`the database did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      work.then(
        (value) => {
          timer.cancel();
          resolve(value);
        },
        (err: unknown) => {
          timer.cancel();
          reject(err);
        },
      );
    });
  }
}
