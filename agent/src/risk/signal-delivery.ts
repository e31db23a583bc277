// Delivery of risk signals to the endpoint: alert reports (POST /v1/device/alerts), health and inventory uploads, and
// the response-action updates (POST /v1/device/actions/updates).
// Every message is queued durably first (state dir `signals-outbox/`), then sent at once; what fails is retried,
// oldest first, with exponential backoff (1 s doubling to 5 min, equal jitter: core/backoff.ts; never sooner than
// the Retry-After of a saturated endpoint) until the endpoint acknowledges it. A message the endpoint refuses for good
// (schema, identity) is dropped, since it would block every later one; a route the endpoint does not have yet
// (NOT_FOUND, an older endpoint) is retried like an outage.

import type { Clock, TimerHandle } from '../../../common/clock.js';
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import type { ActionUpdate, ActionUpdatesAck, AlertReportAck } from '../../../policy-schemas/src/index.js';
import { type BackoffPolicy, equalJitterDelayMs } from '../core/backoff.js';
import { retryDelayMs } from '../core/retry-after.js';
import type { Logger } from '../logging.js';
import type { SignalMessage, StateStore } from '../state/state-store.js';
import type { EndpointClient } from '../transport/endpoint-client.js';

/** Retry delays of queued signals: 1 s doubling to 5 min. */
export const SIGNAL_RETRY_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 };

export interface SignalDeliveryDeps {
  readonly store: Pick<StateStore, 'enqueueSignal' | 'pendingSignals' | 'removeSignal' | 'lastSignalSequence'>;
  readonly client: Pick<EndpointClient, 'postAlerts' | 'postHealth' | 'postInventory'> & Partial<Pick<EndpointClient, 'postActionUpdates'>>;
  readonly clock: Clock;
  /** In [0, 1): spreads retries of a fleet that lost the endpoint at the same moment. */
  readonly random: () => number;
  readonly newId: () => string;
  readonly logger: Logger;
  /** Called with each acknowledged alert report (the endpoint's view of the risk level). */
  readonly onAlertsAcked?: (ack: AlertReportAck, report: SignalMessage & { kind: 'alerts' }) => void;
}

/** What became of one batch of action updates: acknowledged (`ack`) or refused for good and dropped (`refused`). */
export interface ActionUpdatesOutcome {
  readonly updates: readonly ActionUpdate[];
  readonly ack?: ActionUpdatesAck;
  readonly refused?: string;
}

export class SignalDelivery {
  private sequence = -1;
  private flushing: Promise<number> | undefined;
  private again = false;
  private retryTimer: TimerHandle | undefined;
  private failures = 0;
  private stopped = false;
  /** Last delivery error (for `agent status`); undefined after a success. */
  lastError: string | undefined;
  private readonly actionWatchers = new Set<(outcome: ActionUpdatesOutcome) => void>();

  constructor(private readonly deps: SignalDeliveryDeps) {}

  /** Calls `watcher` with each batch of action updates acknowledged or refused for good; returns the unsubscribe. */
  watchActionUpdates(watcher: (outcome: ActionUpdatesOutcome) => void): () => void {
    this.actionWatchers.add(watcher);
    return () => this.actionWatchers.delete(watcher);
  }

  /** Queues the message durably, then tries to send everything queued. Resolves once it is on disk. */
  async enqueue(message: SignalMessage): Promise<void> {
    if (this.sequence < 0) this.sequence = await this.deps.store.lastSignalSequence();
    await this.deps.store.enqueueSignal(message, ++this.sequence, this.deps.newId());
    void this.flush();
  }

  /**
   * Sends queued messages oldest first; stops at the first retryable failure and schedules a retry. Calls made while a
   * flush runs make it go round once more. Resolves with how many messages are still queued.
   */
  flush(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    const run = (async () => {
      let left = 0;
      do {
        this.again = false;
        left = await this.flushOnce();
        // After a failure the retry timer takes over; messages queued meanwhile go with the retry.
      } while (this.again && left === 0 && !this.stopped);
      return left;
    })();
    this.flushing = run.finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Waits for a flush in progress. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => undefined);
  }

  /** Stops retrying; what is queued stays on disk for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.retryTimer?.cancel();
    await this.idle();
  }

  private async flushOnce(): Promise<number> {
    const pending = await this.deps.store.pendingSignals();
    for (const [index, { name, message }] of pending.entries()) {
      if (this.stopped) return pending.length - index;
      try {
        await this.send(message);
        await this.deps.store.removeSignal(name);
        this.failures = 0;
        this.lastError = undefined;
      } catch (err) {
        const e = toAttacheError(err);
        if (e.retryable || e.code === 'NOT_FOUND') {
          this.scheduleRetry(`${e.code}: ${e.message}`, pending.length - index, e.retryAfterMs);
          return pending.length - index;
        }
        this.deps.logger.error('signal rejected by the endpoint, dropped', { kind: message.kind, code: e.code, error: e.message });
        await this.deps.store.removeSignal(name);
        if (message.kind === 'actionUpdates') for (const w of this.actionWatchers) w({ updates: message.body.updates, refused: e.code });
      }
    }
    return 0;
  }

  private async send(message: SignalMessage): Promise<void> {
    switch (message.kind) {
      case 'alerts': {
        const ack = await this.deps.client.postAlerts(message.body);
        this.deps.onAlertsAcked?.(ack, message);
        return;
      }
      case 'health':
        return this.deps.client.postHealth(message.body);
      case 'inventory':
        return this.deps.client.postInventory(message.body);
      case 'actionUpdates': {
        const post = this.deps.client.postActionUpdates;
        if (!post) throw new AttacheError('NOT_FOUND', 'this transport has no route for action updates');
        const ack = await post.call(this.deps.client, message.body);
        for (const w of this.actionWatchers) w({ updates: message.body.updates, ack });
        return;
      }
    }
  }

  /** Backoff, or at least the wait a saturated endpoint asked for (Retry-After), jittered. */
  private scheduleRetry(error: string, queued: number, retryAfterMs: number | undefined): void {
    this.failures++;
    const delay = retryDelayMs(equalJitterDelayMs(this.failures - 1, SIGNAL_RETRY_BACKOFF, this.deps.random), retryAfterMs, this.deps.random);
    // Logged at the first failure and then at every tenth, not at every retry of a long outage.
    if (this.failures === 1 || this.failures % 10 === 0)
      this.deps.logger.warn('signals queued for retry', { queued, retryInMs: delay, attempt: this.failures, error });
    this.lastError = error;
    this.retryTimer?.cancel();
    this.retryTimer = this.deps.clock.setTimer(() => {
      this.retryTimer = undefined;
      void this.flush();
    }, delay);
  }
}
