// The running agent, wired once for both its users: the daemon (agent/src/daemon/daemon.ts, a real or simulated host,
// signed HTTPS) and every host of the fleet simulator (simulator/src/fleet/sim-host.ts, memory state, fault gates).
// It owns the sync engine, sync and outbox retry, push channel, check-in schedule, drift timer and change watch, the risk monitor
// and signal delivery, the response-action executor and the isolation's upkeep, and their start and stop order. Everything effectful (store, transport, host, clock, ids,
// logger) is passed in, so the simulator differs only in what it passes and in the hooks it listens to.
import type { Clock, TimerHandle } from '../../../common/clock.js';
import type { AgentIdentity, AlertReportAck, SyncOutcome, SyncTrigger } from '../../../policy-schemas/src/index.js';
import type { ActionExecutor } from '../actions/executor/executor.js';
import { DEFAULT_SOFTWARE_INVENTORY_HOURS, type SignalsConfig } from '../config.js';
import { type DeviceKeyRotator, withKeyMaintenance } from '../enrollment/key-rotation.js';
import type { SoftwareCollector } from '../inventory/software/software-inventory.js';
import type { Logger } from '../logging.js';
import type { AgentHost } from '../platform/index.js';
import { RiskMonitor } from '../risk/risk-monitor.js';
import { SignalDelivery } from '../risk/signal-delivery.js';
import type { SignalSources } from '../risk/signal-sources.js';
import type { StateStore } from '../state/state-store.js';
import { readSuppressions } from '../sync/suppressions.js';
import { type OutboxResult, SyncEngine } from '../sync/sync-engine.js';
import { type AgentTransport, ChannelTransport, type TransportHooks } from '../transport/channel-transport.js';
import type { EndpointClient } from '../transport/endpoint-client.js';
import { PushClient } from '../transport/push-client.js';
import { createActionExecutor, type PackageUploader, packageUploader, startIsolationUpkeep, withActionDelivery } from './action-wiring.js';
import { CheckinScheduler } from './checkin-scheduler.js';
import { type SoftwareRunOutcome, SoftwareUploader, type SoftwareUploadOptions } from './software-upload.js';
import { isRetryableSyncError, SyncRetry, type SyncRetryOptions } from './sync-retry.js';

/** A burst of change notifications (an editor saving, a tamper) becomes one drift check after this quiet time. */
export const WATCH_SETTLE_MS = 500;
/**
 * The same burst becomes one risk check after a shorter quiet time: a risk check only reads, and an alert should
 * leave the device fast. A check that reads a half-written file keeps its alerts and the next notification re-checks.
 */
export const RISK_SETTLE_MS = 100;
/** How long the daemon's (and a simulated host's) startup sync waits for the push channel (startupPushWaitMs). */
export const STARTUP_PUSH_WAIT_MS = 2_000;

export interface AgentRuntimeOptions {
  readonly checkinIntervalMinutes: number;
  readonly checkinJitterPercent: number;
  /** Periodic local drift check; none when absent. */
  readonly driftCheckMs?: number;
  /**
   * The startup sync waits at most this long for the push channel (0: it runs at once, over HTTPS when the socket is
   * not up yet). With the socket up it costs no TLS handshake of its own; a start that finds the endpoint unreachable
   * syncs as soon as the connection attempt fails.
   */
  readonly startupPushWaitMs?: number;
  /** Check for drift and risk when the host reports a change of its stores. */
  readonly driftWatch: boolean;
  /** Risk signals, health and inventory; the runtime runs no risk monitor when absent (simulated fleets without signals). */
  readonly signals?: SignalsConfig;
  readonly retry?: SyncRetryOptions;
  /** The software inventory's schedule (runtime/software-upload.ts); none runs without `deps.software`. */
  readonly software?: Omit<SoftwareUploadOptions, 'retry'>;
}

/** What the embedding process wants to hear (counters, logs); none of it changes what the runtime does. */
export interface RuntimeHooks extends TransportHooks {
  /** Every finished sync (callers that joined one run share its outcome object). */
  onSynced?(trigger: SyncTrigger, outcome: SyncOutcome): void;
  /** A sync that threw (a broken invariant, not a refused policy or an unreachable endpoint). */
  onSyncFailed?(trigger: SyncTrigger, error: unknown): void;
  onPushState?(state: 'connected' | 'disconnected', detail?: string): void;
  onPushInvalid?(message: string): void;
  onAlertsAcked?(ack: AlertReportAck): void;
  /** An offboard action finished: identity deleted, service disabled; the daemon exits 0. */
  onOffboarded?(): void;
  /** A software inventory run ended: uploaded, unchanged, or failed (the simulator counts failures). */
  onSoftwareRun?(outcome: SoftwareRunOutcome): void;
}

export interface AgentRuntimeDeps {
  readonly store: StateStore;
  /** Signed HTTPS: used when the push channel is not open (or is an old endpoint's channel 1). */
  readonly client: AgentTransport;
  /** Signs the push channel's upgrade request and knows the endpoint's URLs (the one in use: the push socket follows it) and CA. */
  readonly pushSigner: Pick<EndpointClient, 'urls' | 'signedHeaders' | 'tls'>;
  readonly host: AgentHost;
  readonly identity: AgentIdentity;
  /** Where the risk monitor reads processes, connections, health; required with `options.signals`. */
  readonly sources?: SignalSources;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly logger: Logger;
  readonly hooks?: RuntimeHooks;
  /**
   * Told after every policy fetch, over either path (the daemon's device-key rotator: it rotates when the answer
   * carries an admin's request or the key is due, and finishes an interrupted rotation).
   */
  readonly keyMaintenance?: Pick<DeviceKeyRotator, 'maintain'>;
  /** Uploads an investigation package (default: transport/package-upload.ts over `client`). */
  readonly uploadPackage?: PackageUploader;
  /** Lists installed software (inventory/software/); absent: no software inventory and updateSoftware is refused. */
  readonly software?: SoftwareCollector;
}

/** Runs `run` once after `ms` of quiet: each call restarts the wait. */
function debounce(clock: Clock, run: () => void, ms: number): { (): void; cancel(): void } {
  let timer: TimerHandle | undefined;
  const call = () => {
    timer?.cancel();
    timer = clock.setTimer(run, ms);
  };
  call.cancel = () => timer?.cancel();
  return call;
}

export class AgentRuntime {
  readonly engine: SyncEngine;
  readonly monitor: RiskMonitor | undefined;
  readonly delivery: SignalDelivery;
  /** Response actions delivered with the policies or pushed: verified, run, reported (actions/executor/). */
  readonly actions: ActionExecutor;
  /** The software inventory's schedule and upload; absent without a collector. */
  readonly software: SoftwareUploader | undefined;
  private readonly retry: SyncRetry;
  private readonly outboxRetry: SyncRetry;
  private readonly scheduler: CheckinScheduler;
  private push: PushClient | undefined;
  /** Device requests over the push channel when it is open, over HTTPS otherwise. */
  private readonly transport: ChannelTransport;
  private pushPaused = false;
  /** Set once start() has reached the point where it opens the push channel and timers. */
  private started = false;
  private connectedBefore = false;
  /** Set while the startup sync waits for the push channel; called once it answered or failed. */
  private pushSettled: (() => void) | undefined;
  private stopped = false;
  /** Cleared when an offboard begins: no sync enforces anything any more. */
  private enforcing = true;
  private readonly timers: TimerHandle[] = [];
  private readonly settle: { drift: ReturnType<typeof debounce>; risk: ReturnType<typeof debounce> };
  private stopWatching: (() => void) | undefined;

  constructor(
    private readonly options: AgentRuntimeOptions,
    private readonly deps: AgentRuntimeDeps,
  ) {
    const { store, clock, newId, logger, hooks } = deps;
    this.transport = new ChannelTransport(deps.client, () => this.push, hooks);
    // Actions in a policies answer (either path) go to the executor; the set itself goes on to the sync engine.
    const tapped = withActionDelivery(this.transport, (actions) => void this.actions.receive(actions));
    const client = deps.keyMaintenance ? withKeyMaintenance(tapped, deps.keyMaintenance) : tapped;
    const riskLog = logger.child({ component: 'risk' });
    // Always there: response-action updates travel through it even on a host without risk signals.
    this.delivery = new SignalDelivery({
      store,
      client,
      clock,
      random: clock.random,
      newId,
      logger: logger.child({ component: 'signals' }),
      onAlertsAcked: (ack) => {
        riskLog.debug('alert report acknowledged', { reportId: ack.reportId, endpointRiskLevel: ack.riskLevel, duplicate: ack.duplicate });
        hooks?.onAlertsAcked?.(ack);
      },
    });
    const software = deps.software;
    this.software = software
      ? new SoftwareUploader(
          { ...(options.software ?? { intervalMs: DEFAULT_SOFTWARE_INVENTORY_HOURS * 3_600_000 }), ...(options.retry ? { retry: options.retry } : {}) },
          {
            collector: software,
            client: this.transport,
            files: store.fileStore,
            stateDir: store.dir,
            deviceId: deps.identity.deviceId,
            clock,
            logger: logger.child({ component: 'software' }),
            onRun: (outcome) => hooks?.onSoftwareRun?.(outcome),
          },
        )
      : undefined;
    this.actions = createActionExecutor({
      store,
      host: deps.host,
      identity: deps.identity,
      delivery: this.delivery,
      clock,
      newId,
      logger,
      sync: () => this.trigger('push'),
      stopEnforcing: () => this.stopEnforcing(),
      resumeEnforcing: () => this.resumeEnforcing(),
      onOffboarded: () => hooks?.onOffboarded?.(),
      stopped: () => this.stopped,
      uploadPackage: deps.uploadPackage ?? packageUploader(deps.client, clock),
      ...(software ? { software: { collect: (signal) => software.collect(signal), collected: () => void this.software?.collectNow() } } : {}),
    });
    const isolation = deps.host.responder?.isolation;
    if (options.signals) {
      if (!deps.sources) throw new Error('AgentRuntime: signals configured without signal sources');
      this.monitor = new RiskMonitor(options.signals, {
        store,
        sources: deps.sources,
        delivery: this.delivery,
        deviceId: deps.identity.deviceId,
        clock,
        newId,
        logger: riskLog,
        suppressions: () => readSuppressions({ store, identity: deps.identity, logger: riskLog }),
        ...(isolation
          ? {
              isolation: async () => {
                const { isolated, mode, since, enforced } = await isolation.state();
                return { isolated, enforced, ...(mode ? { mode } : {}), ...(since ? { since } : {}) };
              },
            }
          : {}),
      });
    }
    const monitor = this.monitor;
    this.engine = new SyncEngine({
      store,
      client,
      host: deps.host,
      identity: deps.identity,
      now: () => clock.now(),
      newId,
      logger: logger.child({ component: 'sync' }),
      ...(monitor ? { onSynced: (outcome: SyncOutcome, events: Parameters<RiskMonitor['onSync']>[1]) => void monitor.onSync(outcome, events) } : {}),
      onOutboxFlushed: (result) => this.outboxFlushed(result),
    });
    // A sync that could not reach the endpoint is retried with backoff instead of waiting for the next check-in.
    this.retry = new SyncRetry(options.retry ?? {}, {
      run: () => void this.trigger('retry'),
      random: clock.random,
      setTimer: (fn, ms) => clock.setTimer(fn, ms),
    });
    // A report the endpoint could not take (busy, rate limited, database down, unreachable) after a sync that itself
    // went through is sent again on the same backoff, without a sync: otherwise it would wait for the next check-in.
    this.outboxRetry = new SyncRetry(options.retry ?? {}, {
      run: () => void this.retryOutbox(),
      random: clock.random,
      setTimer: (fn, ms) => clock.setTimer(fn, ms),
    });
    this.scheduler = new CheckinScheduler(
      { intervalMinutes: options.checkinIntervalMinutes, jitterPercent: options.checkinJitterPercent },
      { run: () => this.trigger('schedule'), clock },
    );
    this.settle = {
      drift: debounce(clock, () => void this.trigger('drift'), WATCH_SETTLE_MS),
      risk: debounce(clock, () => void this.monitor?.check({ health: true }), RISK_SETTLE_MS),
    };
  }

  /** Whether the push channel is open now. */
  get pushConnected(): boolean {
    return this.push?.connected ?? false;
  }

  /** When the next scheduled check-in is due (Unix ms). */
  get nextCheckinAt(): number | undefined {
    return this.scheduler.nextAt;
  }

  /** Starts everything in order: saved signals, push, schedule, drift timer and watch, risk checks, queued signals, a startup sync. */
  async start(): Promise<void> {
    await this.monitor?.load();
    if (this.stopped) return;
    // An isolation in force comes back first (after a reboot), then actions a kill interrupted are recovered.
    const upkeep = await startIsolationUpkeep(this.deps.host, this.deps.identity, this.deps.clock, this.deps.logger);
    if (upkeep) this.timers.push(upkeep);
    await this.actions.start();
    if (this.stopped) return;
    const { options, deps } = this;
    await deps.host.simulated?.ensureStateFile();
    // A stop or kill during the awaits above wins: nothing may start after it.
    if (this.stopped) return;
    this.started = true;
    if (!this.pushPaused) this.startPush();
    this.scheduler.start();
    // Drift: managed settings are re-read locally; a drifted one is re-applied and reported at once.
    if (options.driftCheckMs) this.timers.push(deps.clock.every(options.driftCheckMs, () => void this.trigger('drift')));
    // A change to a watched store is checked for drift and, at once, for risk signals (a simulated host's store holds
    // injected processes, connections, detections and health too).
    this.watchStore();
    this.monitor?.start();
    this.software?.start();
    void this.delivery.flush();
    this.startupSync();
  }

  /** The startup sync: at once, or when the push channel answered (or failed, or the wait ran out), whichever is first. */
  private startupSync(): void {
    const wait = this.options.startupPushWaitMs ?? 0;
    if (wait <= 0 || this.pushPaused) {
      void this.trigger('startup');
      return;
    }
    let done = false;
    const run = () => {
      if (done) return;
      done = true;
      this.pushSettled = undefined;
      timer.cancel();
      void this.trigger('startup');
    };
    this.pushSettled = run;
    const timer = this.deps.clock.setTimer(run, wait);
    this.timers.push(timer);
  }

  /** Runs one sync now (or joins the one in progress); resolves with its outcome, or undefined once stopped or when it threw. */
  async trigger(kind: SyncTrigger): Promise<SyncOutcome | undefined> {
    if (this.stopped || !this.enforcing) return undefined;
    try {
      const outcome = await this.engine.sync(kind);
      // Drift checks do not contact the endpoint, so they say nothing about it.
      if (kind !== 'drift' && !this.stopped) {
        this.retry.observe(outcome.error?.code, outcome.error?.retryAfterMs);
        // The sync retry flushes the outbox too: one retry timer per device, not two hitting a struggling endpoint.
        if (isRetryableSyncError(outcome.error?.code)) this.outboxRetry.cancel();
      }
      if (!this.stopped) this.deps.hooks?.onSynced?.(kind, outcome);
      return outcome;
    } catch (err) {
      if (this.stopped) return undefined;
      this.deps.logger.error('sync failed', { trigger: kind, error: (err as Error).message });
      this.deps.hooks?.onSyncFailed?.(kind, err);
      return undefined;
    }
  }

  /** Schedules (or cancels, once the outbox is empty) the next delivery attempt of queued reports. */
  private outboxFlushed(result: OutboxResult): void {
    if (this.stopped) return;
    this.outboxRetry.observe(result.remaining > 0 ? result.error?.code : undefined, result.error?.retryAfterMs);
  }

  private async retryOutbox(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.engine.flushOutbox();
    } catch (err) {
      // The outbox could not be read (state dir): the next sync reports that failure and flushes again.
      this.deps.logger.error('outbox retry failed', { error: (err as Error).message });
    }
  }

  /**
   * Closes the push channel and keeps it closed until `resumePush` (the simulator's network partition: a real outage
   * shows as a disconnect the client retries; a simulated one spares the endpoint the refused attempts).
   */
  pausePush(): void {
    this.pushPaused = true;
    this.push?.stop();
    this.push = undefined;
  }

  /** Opens the push channel again after `pausePush`; its first connection counts as a reconnect (a sync follows). */
  resumePush(): void {
    if (!this.pushPaused) return;
    this.pushPaused = false;
    // Before start() got that far, start() opens the channel itself.
    if (this.started && !this.stopped) this.startPush();
  }

  /** Graceful stop: no new work, then waits for the sync, risk check, running action and signal delivery in progress. */
  async stop(): Promise<void> {
    this.halt();
    await this.engine.idle();
    await this.actions.stop();
    await this.software?.stop();
    await this.monitor?.stop();
    await this.delivery.stop();
  }

  /** Stops at once, as a crash or kill would: timers and the channel go, work in progress is abandoned. */
  kill(): void {
    this.halt();
    void this.actions.stop();
    void this.software?.stop();
    void this.monitor?.stop();
    void this.delivery.stop();
  }

  /** Offboarding: no more syncs, check-ins or drift repairs (push and signal delivery stay up to report it). */
  private async stopEnforcing(): Promise<void> {
    this.enforcing = false;
    this.retry.cancel();
    this.scheduler.stop();
    this.settle.drift.cancel();
    this.stopWatching?.();
    await this.engine.idle();
  }

  /** An offboard failed (a setting could not be restored): the device stays managed, so syncs and drift repairs resume. */
  private resumeEnforcing(): void {
    if (this.stopped || this.enforcing) return;
    this.enforcing = true;
    this.scheduler.start();
    this.watchStore();
    void this.trigger('schedule');
  }

  /** Drift and risk checks at once on a change to a watched store (a simulated host's store holds injected state too). */
  private watchStore(): void {
    const { options, deps } = this;
    if (!options.driftWatch || !deps.host.watchChanges) return;
    this.stopWatching = deps.host.watchChanges(() => {
      this.settle.risk();
      this.settle.drift();
    });
  }

  private halt(): void {
    this.stopped = true;
    this.retry.cancel();
    this.outboxRetry.cancel();
    this.scheduler.stop();
    for (const timer of this.timers.splice(0)) timer.cancel();
    this.settle.drift.cancel();
    this.settle.risk.cancel();
    this.stopWatching?.();
    this.push?.stop();
    this.push = undefined;
  }

  private startPush(): void {
    const { deps } = this;
    // Never two clients fighting over the device's channel.
    this.push?.stop();
    const pushLog = deps.logger.child({ component: 'push' });
    const push = new PushClient(
      deps.pushSigner,
      {
        onSync: (requestId, reason) => {
          pushLog.info('sync requested by endpoint', { requestId, reason });
          void this.trigger('push');
        },
        onPolicies: (body, reason) => {
          pushLog.info('policy set delivered by endpoint', { reason });
          this.transport.offer(body);
          void this.trigger('push');
        },
        onHello: () => this.pushSettled?.(),
        onActions: (actions) => {
          pushLog.info('actions pushed by endpoint', { count: actions.length });
          void this.actions.receive(actions);
        },
        onState: (state, detail) => {
          pushLog.info(`push channel ${state}`, detail ? { detail } : {});
          deps.hooks?.onPushState?.(state, detail);
          if (state !== 'connected') {
            this.pushSettled?.();
            return;
          }
          // Back after an outage: whatever was pushed meanwhile was missed, and queued reports can go now.
          if (this.connectedBefore) void this.trigger('reconnect');
          this.connectedBefore = true;
          void this.delivery.flush();
        },
        onInvalidMessage: (message) => {
          pushLog.warn('push message ignored', { error: message });
          deps.hooks?.onPushInvalid?.(message);
        },
      },
      { clock: deps.clock },
    );
    this.push = push;
    push.start();
  }
}
