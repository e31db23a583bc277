// One sync: fetch assigned policies → verify → merge → apply → record → report. Runs one at a time; requests that
// arrive during a run are coalesced into one follow-up run.
import { canonicalJson } from '../../../common/canonical-json.js';
import { type AttacheError, toAttacheError } from '../../../common/errors.js';
import type { AgentIdentity, PolicyPayload, SignedPolicy, StatusReport, SyncOutcome, SyncTrigger } from '../../../policy-schemas/src/index.js';
import { computeEffective } from '../core/effective.js';
import { policyStatuses, settingStatuses } from '../core/outcome.js';
import type { Logger } from '../logging.js';
import type { AgentHost } from '../platform/index.js';
import type { StateStore } from '../state/state-store.js';
import type { EndpointClient } from '../transport/endpoint-client.js';
import { AGENT_VERSION } from '../version.js';
import { applyEffective } from './apply.js';
import { verifyPolicies } from './verify.js';

export interface SyncEngineDeps {
  readonly store: StateStore;
  readonly client: Pick<EndpointClient, 'getPolicies' | 'postReport'>;
  readonly host: AgentHost;
  readonly identity: AgentIdentity;
  readonly now: () => number;
  readonly newId: () => string;
  readonly logger: Logger;
}

export class SyncEngine {
  private running: Promise<SyncOutcome> | undefined;
  private queued: Promise<SyncOutcome> | undefined;
  private sequence = -1;
  private lastReportedDigest: string | undefined;

  constructor(private readonly deps: SyncEngineDeps) {}

  /** Runs a sync now, or once more after the one in progress (all requests made meanwhile share that run). */
  sync(trigger: SyncTrigger): Promise<SyncOutcome> {
    if (this.queued) return this.queued;
    if (this.running) {
      this.queued = this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.start(trigger);
        });
      return this.queued;
    }
    return this.start(trigger);
  }

  private start(trigger: SyncTrigger): Promise<SyncOutcome> {
    const run = this.runOnce(trigger);
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
    while (this.running || this.queued) await (this.queued ?? this.running)?.catch(() => undefined);
  }

  /** Sends queued reports oldest first; stops at the first failure (they stay queued). Returns how many remain. */
  async flushOutbox(): Promise<number> {
    const pending = await this.deps.store.pendingReports();
    for (const [index, { name, report }] of pending.entries()) {
      try {
        await this.deps.client.postReport(report);
        await this.deps.store.removeReport(name);
      } catch (err) {
        const e = toAttacheError(err);
        if (e.retryable) return pending.length - index;
        // The endpoint refused this report for good (schema, identity): keeping it would block every later one.
        this.deps.logger.error('report rejected, dropped', { reportId: report.reportId, code: e.code, error: e.message });
        await this.deps.store.removeReport(name);
      }
    }
    return 0;
  }

  private async runOnce(trigger: SyncTrigger): Promise<SyncOutcome> {
    const { store, host, identity, logger } = this.deps;
    const started = this.deps.now();
    const { signed, source, error } = await this.fetchPolicies();
    let payloads: PolicyPayload[] = [];
    let syncError: AttacheError | undefined = error;
    try {
      payloads = verifyPolicies(signed, { tenantId: identity.tenantId, signingKey: identity.policySigningKey });
    } catch (err) {
      syncError = toAttacheError(err, 'STATE_CORRUPT');
      logger.error('cached policies failed verification; nothing enforced', { code: syncError.code, error: syncError.message });
    }
    const effective = computeEffective(payloads, host.platform);
    const evidence = await applyEffective(effective, host.providers);
    const settings = settingStatuses(effective, evidence);
    const policies = policyStatuses(payloads, settings);
    const finished = this.deps.now();
    const outcome: SyncOutcome = {
      formatVersion: 1,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      trigger,
      source,
      ...(syncError ? { error: { code: syncError.code, message: syncError.message } } : {}),
      policies,
      settings,
    };
    await store.writeStatus(outcome);
    logger.info('sync finished', {
      trigger,
      source,
      durationMs: finished - started,
      policies: policies.length,
      settings: settings.length,
      failed: settings.filter((s) => s.state === 'error').length,
    });
    await this.report(outcome, finished - started);
    return outcome;
  }

  /** Fresh policies from the endpoint, verified and cached; on any failure the last good set from disk. */
  private async fetchPolicies(): Promise<{ signed: SignedPolicy[]; source: 'endpoint' | 'cache'; error?: AttacheError }> {
    const { store, client, identity, logger } = this.deps;
    let cached: Awaited<ReturnType<StateStore['readPolicies']>>;
    try {
      cached = await store.readPolicies();
    } catch (err) {
      logger.error('policy cache unreadable, ignoring it', { error: (err as Error).message });
    }
    try {
      let result = await client.getPolicies(cached?.etag);
      if (result.notModified) {
        if (cached) return { signed: cached.policies, source: 'endpoint' };
        result = await client.getPolicies(undefined);
        if (result.notModified) throw new Error('endpoint answered 304 to an unconditional request');
      }
      // Verify before caching: a rejected set must never replace the last good one.
      verifyPolicies(result.body.policies, { tenantId: identity.tenantId, signingKey: identity.policySigningKey });
      await store.writePolicies({ etag: result.body.etag, policies: result.body.policies });
      return { signed: result.body.policies, source: 'endpoint' };
    } catch (err) {
      const error = toAttacheError(err, 'ENDPOINT_ERROR');
      logger.warn('using last good policies', { code: error.code, error: error.message });
      return { signed: cached?.policies ?? [], source: 'cache', error };
    }
  }

  /** Queues a report when something changed since the last one (idle devices stay quiet), then flushes the outbox. */
  private async report(outcome: SyncOutcome, durationMs: number): Promise<void> {
    const digest = canonicalJson({ policies: outcome.policies, settings: outcome.settings, error: outcome.error?.code });
    if (digest !== this.lastReportedDigest) {
      if (this.sequence < 0) this.sequence = await this.deps.store.lastSequence();
      const report: StatusReport = {
        reportId: this.deps.newId(),
        deviceId: this.deps.identity.deviceId,
        generatedAt: outcome.finishedAt,
        agentVersion: AGENT_VERSION,
        trigger: outcome.trigger,
        durationMs,
        ...(outcome.error ? { syncError: outcome.error } : {}),
        policies: outcome.policies,
        settings: outcome.settings,
      };
      await this.deps.store.enqueueReport(report, ++this.sequence);
      this.lastReportedDigest = digest;
    }
    const remaining = await this.flushOutbox();
    if (remaining > 0) this.deps.logger.warn('reports queued for later delivery', { queued: remaining });
  }
}
