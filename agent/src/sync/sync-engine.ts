// One sync: fetch assigned policies → verify → merge → apply → record → report. Runs one at a time; requests that
// arrive during a run are coalesced into one follow-up run.
import { canonicalJson } from '../../../common/canonical-json.js';
import { AttacheError, systemError, toAttacheError } from '../../../common/errors.js';
import { isoTime } from '../../../common/iso-time.js';
import type { AgentIdentity, SettingEvent, StatusReport, SyncOutcome, SyncTrigger } from '../../../policy-schemas/src/index.js';
import { computeEffective } from '../core/effective.js';
import { withIndicatorNotes } from '../core/indicator-policy.js';
import { policyStatuses, settingStatuses } from '../core/outcome.js';
import type { VersionFloor } from '../core/version-floor.js';
import type { Logger } from '../logging.js';
import type { AgentHost } from '../platform/index.js';
import type { StateStore } from '../state/state-store.js';
import type { EndpointClient } from '../transport/endpoint-client.js';
import { AGENT_VERSION } from '../version.js';
import { enforce } from './enforce.js';
import { loadPolicySet } from './policy-source.js';
import type { PolicyRejectedError } from './verify.js';

export interface SyncEngineDeps {
  readonly store: StateStore;
  readonly client: Pick<EndpointClient, 'getPolicies' | 'postReport'>;
  readonly host: AgentHost;
  readonly identity: AgentIdentity;
  readonly now: () => number;
  readonly newId: () => string;
  readonly logger: Logger;
  /** Told about every finished sync and its events (the risk monitor: tamper events, persisting apply errors). */
  readonly onSynced?: (outcome: SyncOutcome, events: readonly SettingEvent[]) => void;
  /** Told after every outbox flush what stayed queued and why (the runtime's outbox retry). */
  readonly onOutboxFlushed?: (result: OutboxResult) => void;
}

/** What an outbox flush left: how many reports stay queued, and the retryable error that stopped it (when some do). */
export interface OutboxResult {
  readonly remaining: number;
  readonly error?: AttacheError;
}

export class SyncEngine {
  private running: Promise<SyncOutcome> | undefined;
  private queued: Promise<SyncOutcome> | undefined;
  private sequence = -1;
  private lastReportedDigest: string | undefined;
  private lastRejection: string | undefined;
  /** The failure last reported by failed() (code and message); a successful report clears it. */
  private lastFailureReported: string | undefined;
  /** Trigger of the queued follow-up run; a full sync request upgrades a queued drift check. */
  private queuedTrigger: SyncTrigger = 'manual';
  /** The flush in progress: flushes run one after another, so a report is never posted twice at once. */
  private flushing: Promise<OutboxResult> | undefined;

  constructor(private readonly deps: SyncEngineDeps) {}

  /**
   * Runs a sync now, or once more after the one in progress (all requests made meanwhile share that run).
   * Trigger `drift` is a local drift check (no endpoint contact); any other trigger fetches policy first.
   */
  sync(trigger: SyncTrigger): Promise<SyncOutcome> {
    if (this.queued) {
      if (this.queuedTrigger === 'drift') this.queuedTrigger = trigger;
      return this.queued;
    }
    if (this.running) {
      this.queuedTrigger = trigger;
      this.queued = this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.start(this.queuedTrigger);
        });
      return this.queued;
    }
    return this.start(trigger);
  }

  private start(trigger: SyncTrigger): Promise<SyncOutcome> {
    const started = this.deps.now();
    const run = this.runOnce(trigger).catch((err: unknown) => this.failed(trigger, err, started));
    this.running = run;
    run
      .finally(() => {
        if (this.running === run) this.running = undefined;
      })
      .catch(() => undefined);
    return run;
  }

  /** Waits for the sync in progress, if any (graceful stop). */
  async idle(): Promise<void> {
    while (this.running || this.queued || this.flushing) await (this.queued ?? this.running ?? this.flushing)?.catch(() => undefined);
  }

  /**
   * Sends queued reports oldest first; stops at the first retryable failure (they stay queued). A flush asked for while
   * one runs starts after it (it may have to send a report queued meanwhile). Tells `onOutboxFlushed` the result.
   */
  flushOutbox(): Promise<OutboxResult> {
    const run = (this.flushing ?? Promise.resolve()).catch(() => undefined).then(() => this.flushOnce());
    this.flushing = run;
    run
      .finally(() => {
        if (this.flushing === run) this.flushing = undefined;
      })
      .catch(() => undefined);
    return run;
  }

  private async flushOnce(): Promise<OutboxResult> {
    const pending = await this.deps.store.pendingReports();
    let result: OutboxResult = { remaining: 0 };
    for (const [index, { name, report }] of pending.entries()) {
      try {
        await this.deps.client.postReport(report);
        await this.deps.store.removeReport(name);
      } catch (err) {
        const e = toAttacheError(err);
        if (e.retryable) {
          result = { remaining: pending.length - index, error: e };
          break;
        }
        // The endpoint refused this report for good (schema, identity): keeping it would block every later one.
        this.deps.logger.error('report rejected, dropped', { reportId: report.reportId, code: e.code, error: e.message });
        await this.deps.store.removeReport(name);
      }
    }
    this.deps.onOutboxFlushed?.(result);
    return result;
  }

  private async runOnce(trigger: SyncTrigger): Promise<SyncOutcome> {
    const { store, host, logger } = this.deps;
    const started = this.deps.now();
    const at = isoTime(started);
    const floor = await this.readFloor();
    // Drift checks work from the last good set: they never contact the endpoint.
    const set = await loadPolicySet(this.deps, trigger === 'drift' ? 'cache' : 'fetch', floor);
    const events = this.rejectionEvents(set.rejection, at);
    const effective = computeEffective(set.payloads, host.platform);
    const enforced = await enforce(effective, this.deps, { at, restore: set.trusted });
    // Both floors (policy versions, set version) were raised when the set was authenticated (sync/policy-source.ts).
    events.push(...enforced.events);
    // Delivered indicators that are expired or unmatchable here are named in their setting's status message.
    const settings = withIndicatorNotes(settingStatuses(effective, enforced.evidence), started, host.platform);
    const policies = policyStatuses(set.payloads, settings);
    const finished = this.deps.now();
    const syncError = set.error;
    const outcome: SyncOutcome = {
      formatVersion: 1,
      startedAt: at,
      finishedAt: isoTime(finished),
      trigger,
      source: set.source,
      ...(syncError ? { error: outcomeError(syncError) } : {}),
      policies,
      settings,
    };
    await store.writeStatus(outcome);
    logger.info('sync finished', {
      trigger,
      source: set.source,
      durationMs: finished - started,
      policies: policies.length,
      settings: settings.length,
      failed: settings.filter((s) => s.state === 'error').length,
      events: events.length,
    });
    await this.report(outcome, finished - started, events);
    this.deps.onSynced?.(outcome, events);
    return outcome;
  }

  private async readFloor(): Promise<VersionFloor> {
    try {
      return await this.deps.store.readAppliedVersions();
    } catch (err) {
      // Without the floor a replay cannot be told from an update; refuse nothing new rather than everything.
      this.deps.logger.error('applied versions unreadable, downgrade check limited to this run', { error: (err as Error).message });
      return {};
    }
  }

  /** One `rejected` event per distinct refusal: the same bad set fetched again at every check-in is reported once. */
  private rejectionEvents(rejection: PolicyRejectedError | undefined, at: string): SettingEvent[] {
    if (!rejection) {
      this.lastRejection = undefined;
      return [];
    }
    const key = canonicalJson({ code: rejection.code, ...rejection.policy, message: rejection.message });
    if (key === this.lastRejection) return [];
    this.lastRejection = key;
    this.deps.logger.warn('policy rejected', { code: rejection.code, ...rejection.policy, error: rejection.message });
    return [{ type: 'rejected', at, ...rejection.policy, code: rejection.code, message: rejection.message.slice(0, 2048) }];
  }

  /**
   * Queues a report when something changed since the last one or something happened (events), then flushes the
   * outbox at once: idle devices stay quiet, a drift repair or a rejection reaches the endpoint immediately.
   */
  /**
   * A sync that broke off (most often: the state dir cannot be written, e.g. a full disk) still tells the endpoint:
   * the last known statuses with the error, sent directly since the outbox may be what failed. Best effort; the
   * retry or the next check-in tries again.
   */
  private async failed(trigger: SyncTrigger, err: unknown, started: number): Promise<SyncOutcome> {
    const error = syncFailure(err);
    this.deps.logger.error('sync failed', { trigger, code: error.code, error: error.message });
    const previous = await this.deps.store.readStatus().catch(() => undefined);
    const finished = this.deps.now();
    const outcome: SyncOutcome = {
      formatVersion: 1,
      startedAt: isoTime(started),
      finishedAt: isoTime(finished),
      trigger,
      source: previous?.source ?? 'cache',
      error: outcomeError(error),
      policies: previous?.policies ?? [],
      settings: previous?.settings ?? [],
    };
    this.lastReportedDigest = undefined;
    // Once per distinct failure, and never from a local drift check (which does not contact the endpoint): a fleet on
    // full disks must not report at every drift timer.
    const key = `${error.code}:${error.message}`;
    if (trigger !== 'drift' && key !== this.lastFailureReported) {
      try {
        await this.deps.client.postReport(this.statusReport(outcome, finished - started, []));
        this.lastFailureReported = key;
      } catch (sendErr) {
        this.deps.logger.warn('failure report not delivered', { error: (sendErr as Error).message });
      }
    }
    this.deps.onSynced?.(outcome, []);
    return outcome;
  }

  private statusReport(outcome: SyncOutcome, durationMs: number, events: readonly SettingEvent[]): StatusReport {
    return {
      reportId: this.deps.newId(),
      deviceId: this.deps.identity.deviceId,
      generatedAt: outcome.finishedAt,
      agentVersion: AGENT_VERSION,
      trigger: outcome.trigger,
      durationMs,
      ...(outcome.error ? { syncError: { code: outcome.error.code, message: outcome.error.message } } : {}),
      policies: outcome.policies,
      settings: outcome.settings,
      ...(events.length > 0 ? { events: events.slice(0, 1000) } : {}),
    };
  }

  private async report(outcome: SyncOutcome, durationMs: number, events: readonly SettingEvent[]): Promise<void> {
    // The message counts too: a second, different failure with the same code must reach the admin.
    const error = outcome.error && { code: outcome.error.code, message: outcome.error.message };
    const digest = canonicalJson({ policies: outcome.policies, settings: outcome.settings, error });
    if (digest !== this.lastReportedDigest || events.length > 0) {
      if (this.sequence < 0) this.sequence = await this.deps.store.lastSequence();
      await this.deps.store.enqueueReport(this.statusReport(outcome, durationMs, events), ++this.sequence);
      this.lastFailureReported = undefined;
      this.lastReportedDigest = digest;
    }
    const flushed = await this.flushOutbox();
    if (flushed.remaining > 0) this.deps.logger.warn('reports queued for later delivery', { queued: flushed.remaining, code: flushed.error?.code });
  }
}

/** File-system failures that mean "the state dir cannot be written" (the agent cannot heal them, the admin must know). */
const WRITE_FAILURES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EMFILE', 'ENFILE']);

/** The stable error of a sync that threw: a write failure of the state dir or a provider, or what the error says. */
function syncFailure(err: unknown): AttacheError {
  const system = systemError(err);
  if (system && WRITE_FAILURES.has(system.errno)) {
    return new AttacheError('STATE_WRITE_FAILED', `cannot write: ${system.error.message} (the last good policy stays in force)`, { cause: err });
  }
  return toAttacheError(err);
}

/** The outcome's error: code, message and the wait the endpoint asked for, if it did. */
function outcomeError(error: AttacheError): NonNullable<SyncOutcome['error']> {
  return { code: error.code, message: error.message, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) };
}
