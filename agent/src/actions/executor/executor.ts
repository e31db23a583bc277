// The response-action executor (issue 17): takes delivered envelopes (policies answers, push messages), verifies each,
// records it in the ledger before anything runs, runs one action at a time per family, cancels, re-sends stored
// outcomes for re-deliveries (never running twice) and queues every update for the endpoint. docs/actions.md.

import { CANCELLABLE_IN_PROGRESS } from '../../../../common/action-state.js';
import { type Clock, isoNow } from '../../../../common/clock.js';
import { AttacheError, type ErrorCode, toAttacheError } from '../../../../common/errors.js';
import type { ActionParametersOf, ActionPayload, ActionResult, ActionUpdate } from '../../../../policy-schemas/src/index.js';
import type { ActionRefusal, ActionVerdict } from '../../core/action-verify.js';
import type { Logger } from '../../logging.js';
import { ActionFailure } from '../response-host.js';
import { type HandlerDeps, runAction } from './handlers.js';
import type { ActionLedger, AgentActionEntry } from './ledger.js';
import { interruptedUpdateBefore, recoverEntry } from './recovery.js';

/** A terminal outcome is re-sent for a re-delivery at most this often (every check-in re-delivers until it is acked). */
export const RESEND_INTERVAL_MS = 10 * 60_000;
/** Progress updates of a long action: at most one per this interval, and only when the percentage moved. */
export const PROGRESS_INTERVAL_MS = 15_000;

export interface ActionExecutorDeps extends HandlerDeps {
  readonly ledger: ActionLedger;
  /** Verifies one envelope against the keys pinned now (core/action-verify.ts over sync/action-trust.ts). */
  readonly verify: (item: unknown) => Promise<ActionVerdict>;
  /** Follows the endpoint's key chain (a sync): an action signed by a key not pinned yet is verified once more after it. */
  readonly refreshKeys: () => Promise<void>;
  /** Queues an update durably for the endpoint (the signals outbox, never superseded). */
  readonly report: (update: ActionUpdate) => Promise<void>;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  /** Removes investigation packages a kill left behind (called at start, before any action runs). */
  readonly clearPackages?: () => Promise<void>;
  /** After an offboard's succeeded update is queued: wait for its ack, delete the identity, stop the service. */
  readonly offboarded?: (actionId: string) => Promise<void>;
}

type CancelPayload = ActionPayload & { readonly parameters: ActionParametersOf<'cancel'> };
type Terminal = Pick<AgentActionEntry, 'status' | 'result' | 'error'>;

export class ActionExecutor {
  private readonly families = new Map<string, Promise<void>>();
  private readonly running = new Map<string, { controller: AbortController; cancelled: boolean }>();
  private readonly resentAt = new Map<string, number>();
  private receiving: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly deps: ActionExecutorDeps) {}

  /** Loads the ledger, forgets old entries and recovers what a kill interrupted (docs/actions.md, "On the device"). */
  async start(): Promise<void> {
    const { ledger, clock } = this.deps;
    await ledger.load();
    await ledger.prune(clock.now());
    // Nothing runs yet: any package on disk is a kill's leftover (sensitive data; a collect is recovered as failed).
    await this.deps.clearPackages?.().catch((err: unknown) => this.deps.logger.warn('leftover packages not removed', { error: (err as Error).message }));
    for (const [id, entry] of ledger.all()) {
      // An offboard that succeeded but whose last steps (ack, identity, service) a stop or kill cut short: finish them.
      if (entry.type === 'offboard' && entry.status === 'succeeded') {
        this.deps.logger.warn('offboarding resumed after a restart', { actionId: id });
        void this.deps.offboarded?.(id).catch((err: unknown) => this.deps.logger.error('offboarding failed', { actionId: id, error: (err as Error).message }));
        continue;
      }
      if (entry.status !== 'pending' && entry.status !== 'inProgress') continue;
      const recovered = await recoverEntry(id, entry, { host: this.deps.host, nowMs: clock.now() });
      if (recovered.kind === 'run') {
        await ledger.put(id, { ...entry, status: 'pending' });
        this.deps.logger.info('action resumed after a restart', { actionId: id, type: entry.type });
        this.schedule(id, entry.type);
      } else {
        this.deps.logger.warn('action ended by a restart', { actionId: id, type: entry.type, status: recovered.outcome.status });
        await this.finish(id, recovered.outcome);
      }
    }
  }

  /** Takes a delivery (in order: oldest first); resolves once each envelope is recorded and its run scheduled. */
  receive(items: readonly unknown[]): Promise<void> {
    const run = async () => {
      const keys = { refreshed: false, refreshFailed: false };
      for (const item of items) {
        if (this.stopped) return;
        try {
          await this.take(item, keys);
        } catch (err) {
          this.deps.logger.error('action not taken', { error: (err as Error).message });
        }
      }
    };
    const next = this.receiving.then(run, run);
    this.receiving = next.catch(() => undefined);
    return next;
  }

  /** Waits until every received action has run (tests, graceful stop). */
  async idle(): Promise<void> {
    await this.receiving;
    while (this.families.size > 0) await Promise.all([...this.families.values()]);
  }

  /** Stops taking actions; a running one is aborted and left inProgress, so the next start recovers it. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const run of this.running.values()) run.controller.abort(new AttacheError('ACTION_INTERRUPTED', 'the agent is stopping'));
    await this.idle();
  }

  private async take(item: unknown, keys: { refreshed: boolean; refreshFailed: boolean }): Promise<void> {
    let verdict = await this.deps.verify(item);
    if (!verdict.ok && verdict.unknownKey && !keys.refreshed) {
      keys.refreshed = true;
      await this.deps.refreshKeys().catch((err: unknown) => {
        keys.refreshFailed = true;
        this.deps.logger.warn('key chain refresh failed', { error: (err as Error).message });
      });
      verdict = await this.deps.verify(item);
    }
    if (!verdict.ok && verdict.unknownKey && keys.refreshFailed) {
      // Transient (review 17b #12): a `failed` would end the genuine action at the endpoint, though the next sync may
      // well pin the key. Nothing is reported or recorded; the next check-in delivers it again.
      this.deps.logger.warn('action signed by a key not pinned yet; the key refresh failed, left for the next delivery', { actionId: verdict.actionId });
      return;
    }
    const id = verdict.ok ? verdict.action.actionId : verdict.actionId;
    if (id === undefined) {
      this.deps.logger.warn('action refused, no id to report it under', { code: (verdict as ActionRefusal).code, error: (verdict as ActionRefusal).message });
      return;
    }
    const known = this.deps.ledger.get(id);
    if (known) return this.resend(id, known);
    if (verdict.ok && this.deps.ledger.belowFloor(verdict.action.expiresAt)) {
      const message = `action ${id} expires at ${verdict.action.expiresAt}, before actions this device has already forgotten: a replay`;
      return this.refuse(id, { ok: false, code: 'ACTION_REPLAYED', message, actionId: id }, item);
    }
    if (!verdict.ok) return this.refuse(id, verdict, item);
    const action = verdict.action;
    this.deps.logger.info('action received', { actionId: id, type: action.type, requestor: action.requestor, comment: action.requestorComment });
    if (action.type === 'cancel') return this.cancel(action as CancelPayload);
    const entry: AgentActionEntry = {
      type: action.type,
      status: 'pending',
      sequence: 0,
      receivedAt: isoNow(this.deps.clock),
      expiresAt: action.expiresAt,
      parameters: { ...action.parameters },
      ...(action.type === 'stopAndQuarantineFile' ? { sha256: (action.parameters as ActionParametersOf<'stopAndQuarantineFile'>).sha256 } : {}),
    };
    await this.deps.ledger.put(id, entry);
    if (this.cancelledBefore(id)) return this.finish(id, { status: 'cancelled' });
    // A device leaving management takes nothing new (review 17b #1): an isolate after the offboard would outlive the agent.
    if (this.offboarding(id)) return this.finish(id, { status: 'failed', error: { code: 'DEVICE_OFFBOARDED', message: 'the device is being offboarded' } });
    this.schedule(id, action.type);
  }

  /**
   * A refusal is reported as the action's `failed` update. Only refusals of a verified signature are recorded: a forged
   * envelope must not be able to pre-empt the genuine action with its id.
   */
  private async refuse(id: string, refusal: ActionRefusal, item: unknown): Promise<void> {
    this.deps.logger.warn('action refused', { actionId: id, code: refusal.code, error: refusal.message });
    const error = { code: refusal.code, message: refusal.message.slice(0, 2048) };
    if (refusal.code === 'ACTION_DEVICE_MISMATCH' || refusal.code === 'ACTION_EXPIRED' || refusal.code === 'ACTION_REPLAYED') {
      const payload = (item as { payload: ActionPayload }).payload;
      await this.deps.ledger.put(id, {
        type: payload.type,
        status: 'failed',
        sequence: 0,
        receivedAt: isoNow(this.deps.clock),
        expiresAt: payload.expiresAt,
        parameters: { ...payload.parameters },
      });
      return this.finish(id, { status: 'failed', error });
    }
    if (!this.resendDue(id)) return;
    await this.deps.report({ actionId: id, deviceId: this.deps.deviceId, sequence: 1, status: 'failed', at: isoNow(this.deps.clock), error });
  }

  /** A known id delivered again: nothing runs; a finished action's stored outcome goes back with duplicate: true. */
  private async resend(id: string, entry: AgentActionEntry): Promise<void> {
    // A cancel itself has nothing to re-send; a target cancelled before it came (type cancel, status cancelled) has.
    if (entry.status === 'pending' || entry.status === 'inProgress' || (entry.type === 'cancel' && entry.status !== 'cancelled')) return;
    if (!this.resendDue(id)) return;
    this.deps.logger.info('action delivered again, stored outcome re-sent', { actionId: id, status: entry.status });
    await this.deps.report({ ...this.update(id, entry, entry.sequence, entry.completedAt ?? isoNow(this.deps.clock)), duplicate: true });
  }

  private async cancel(action: CancelPayload): Promise<void> {
    const target = action.parameters.actionId;
    await this.deps.ledger.put(action.actionId, {
      type: 'cancel',
      status: 'succeeded',
      sequence: 0,
      receivedAt: isoNow(this.deps.clock),
      expiresAt: action.expiresAt,
      parameters: { actionId: target },
    });
    const entry = this.deps.ledger.get(target);
    if (!entry) {
      // Never received (the endpoint cancelled it before delivering it): the target is recorded cancelled, so a later
      // delivery never runs it, and reported at once, so the endpoint stops delivering the cancel (review 17b #3). Its
      // type is unknown here: the entry is kept under `cancel` with status cancelled.
      await this.deps.ledger.put(target, {
        type: 'cancel',
        status: 'cancelled',
        sequence: 1,
        receivedAt: isoNow(this.deps.clock),
        completedAt: isoNow(this.deps.clock),
        expiresAt: action.expiresAt,
        parameters: { cancelledBy: action.actionId },
      });
      return this.deps.report({ actionId: target, deviceId: this.deps.deviceId, sequence: 1, status: 'cancelled', at: isoNow(this.deps.clock) });
    }
    if (entry.status === 'pending') return this.finish(target, { status: 'cancelled' });
    const run = this.running.get(target);
    if (entry.status === 'inProgress') {
      // An action that cannot stop half-way finishes; its real outcome becomes the endpoint's late result.
      if (run && CANCELLABLE_IN_PROGRESS.has(entry.type)) {
        run.cancelled = true;
        run.controller.abort(new AttacheError('ACTION_INTERRUPTED', `cancelled by ${action.requestor}`));
      }
      return;
    }
    // Already finished: its outcome, dated now (after the cancellation), so the endpoint stops delivering the cancel.
    const sequence = entry.sequence + 1;
    await this.deps.ledger.put(target, { ...entry, sequence });
    await this.deps.report(this.update(target, entry, sequence, isoNow(this.deps.clock)));
  }

  /** True when an offboard other than `id` is pending, running or done (its last steps may still be waiting for the ack). */
  private offboarding(id: string): boolean {
    return this.deps.ledger.all().some(([other, e]) => other !== id && e.type === 'offboard' && ['pending', 'inProgress', 'succeeded'].includes(e.status));
  }

  private cancelledBefore(id: string): boolean {
    return this.deps.ledger.all().some(([, e]) => e.type === 'cancel' && e.parameters.actionId === id);
  }

  /** Runs the action after the one of its family in progress (isolate and release share one family). */
  private schedule(id: string, type: string): void {
    const family = type === 'isolate' || type === 'release' ? 'isolation' : type;
    // An offboard runs after every action already running, so its release comes after any isolate taken before it.
    const previous = type === 'offboard' ? Promise.all([...this.families.values()]) : (this.families.get(family) ?? Promise.resolve());
    const next = previous
      .then(() => this.run(id))
      .catch((err: unknown) => this.deps.logger.error('action run failed', { actionId: id, error: (err as Error).message }));
    this.families.set(family, next);
    void next.then(() => {
      if (this.families.get(family) === next) this.families.delete(family);
    });
  }

  private async run(id: string): Promise<void> {
    const entry = this.deps.ledger.get(id);
    if (entry?.status !== 'pending' || this.stopped) return;
    const run = { controller: new AbortController(), cancelled: false };
    this.running.set(id, run);
    const started: AgentActionEntry = { ...entry, status: 'inProgress', startedAt: isoNow(this.deps.clock), sequence: entry.sequence + 1 };
    await this.deps.ledger.put(id, started);
    await this.deps.report(this.update(id, started, started.sequence, started.startedAt as string));
    let outcome: Terminal;
    try {
      const action = { actionId: id, type: entry.type, parameters: entry.parameters };
      const ctx = {
        signal: run.controller.signal,
        progress: this.progressSink(id),
        afterInterruption: entry.type === 'updateSoftware' && interruptedUpdateBefore(this.deps.ledger.all(), id),
        notice: (message: string) => this.deps.logger.warn(message, { actionId: id, type: entry.type }),
      };
      const result = await runAction(action, ctx, this.deps);
      outcome = { status: 'succeeded', result };
    } catch (err) {
      if (run.cancelled) outcome = { status: 'cancelled' };
      else if (this.stopped)
        return; // left inProgress: the next start recovers it
      else outcome = { status: 'failed', error: errorOf(err), ...(err instanceof ActionFailure ? { result: err.result } : {}) };
    } finally {
      this.running.delete(id);
    }
    await this.finish(id, outcome);
    if (entry.type === 'offboard' && outcome.status === 'succeeded') await this.deps.offboarded?.(id);
  }

  /** Records a terminal outcome, then queues its update. */
  private async finish(id: string, outcome: Terminal): Promise<void> {
    const entry = this.deps.ledger.get(id);
    if (!entry) return;
    const done: AgentActionEntry = { ...strip(entry), ...outcome, sequence: entry.sequence + 1, completedAt: isoNow(this.deps.clock) };
    await this.deps.ledger.put(id, done);
    this.deps.logger.info('action finished', {
      actionId: id,
      type: entry.type,
      status: outcome.status,
      ...(outcome.error ? { code: outcome.error.code } : {}),
    });
    await this.deps.report(this.update(id, done, done.sequence, done.completedAt as string));
  }

  /** Progress updates: rounded to 5 %, at most one per PROGRESS_INTERVAL_MS, queued in order. */
  private progressSink(id: string): (percent: number) => void {
    let last = { percent: 0, at: Number.NEGATIVE_INFINITY };
    let chain = Promise.resolve();
    return (raw) => {
      const percent = Math.max(0, Math.min(99, Math.floor(raw / 5) * 5));
      const now = this.deps.clock.now();
      if (percent <= last.percent || now - last.at < PROGRESS_INTERVAL_MS) return;
      last = { percent, at: now };
      chain = chain.then(async () => {
        const entry = this.deps.ledger.get(id);
        if (entry?.status !== 'inProgress') return;
        const next = { ...entry, sequence: entry.sequence + 1 };
        await this.deps.ledger.put(id, next);
        await this.deps.report({ ...this.update(id, next, next.sequence, isoNow(this.deps.clock)), progress: percent });
      });
      chain = chain.catch((err: unknown) => this.deps.logger.warn('progress update not queued', { actionId: id, error: (err as Error).message }));
    };
  }

  private update(id: string, entry: AgentActionEntry, sequence: number, at: string): ActionUpdate {
    const status = entry.status === 'pending' ? 'inProgress' : entry.status;
    return {
      actionId: id,
      deviceId: this.deps.deviceId,
      sequence: Math.max(1, sequence),
      status,
      at,
      ...(entry.result ? { result: entry.result as ActionResult } : {}),
      ...(entry.error ? { error: entry.error } : {}),
    };
  }

  private resendDue(id: string): boolean {
    const now = this.deps.clock.now();
    const last = this.resentAt.get(id);
    if (last !== undefined && now - last < RESEND_INTERVAL_MS) return false;
    this.resentAt.set(id, now);
    return true;
  }
}

function strip(entry: AgentActionEntry): AgentActionEntry {
  const { result: _r, error: _e, ...rest } = entry;
  return rest;
}

function errorOf(err: unknown): { code: ErrorCode; message: string } {
  const e = toAttacheError(err);
  return { code: e.code, message: e.message.slice(0, 2048) };
}
