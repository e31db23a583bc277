// One simulated device running the real agent core: enrollment (enrollment/enroll.ts), the sync engine
// (sync/sync-engine.ts), the signed HTTPS client and the push WebSocket (transport/), against a SimulatedHost whose
// state dir is in memory. It wires them as daemon/daemon.ts does (startup sync, push nudges, reconnect sync, jittered
// check-in, drift checks), minus the control socket and log files, plus the faults a scenario injects.

import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { DEFAULT_SIGNALS } from '../../../agent/src/config.js';
import { nextCheckinDelayMs } from '../../../agent/src/core/schedule.js';
import { systemClock } from '../../../agent/src/daemon/clock.js';
import { SyncRetry } from '../../../agent/src/daemon/sync-retry.js';
import { enroll } from '../../../agent/src/enrollment/enroll.js';
import { SimulatedHost } from '../../../agent/src/hosts/simulated-host.js';
import type { Logger } from '../../../agent/src/logging.js';
import type { AgentHost } from '../../../agent/src/platform/index.js';
import { createSimulatedProviders } from '../../../agent/src/providers/simulated.js';
import { RiskMonitor } from '../../../agent/src/risk/risk-monitor.js';
import { SignalDelivery } from '../../../agent/src/risk/signal-delivery.js';
import { createSimulatedSources } from '../../../agent/src/risk/simulated-sources.js';
import { MemoryStateFiles } from '../../../agent/src/state/state-files.js';
import type { StateStore } from '../../../agent/src/state/state-store.js';
import { SyncEngine } from '../../../agent/src/sync/sync-engine.js';
import { MemoryFileStore } from '../../../agent/src/system/file-store.js';
import { PushClient } from '../../../agent/src/transport/push-client.js';
import { AGENT_VERSION } from '../../../agent/src/version.js';
import { toAttacheError } from '../../../common/errors.js';
import { privateKeyFromPem } from '../../../common/signing.js';
import type {
  AgentIdentity,
  AlertSeverity,
  OnboardingPackage,
  SettingValue,
  StatusReport,
  SyncOutcome,
  SyncTrigger,
} from '../../../policy-schemas/src/index.js';
import { nowMs } from '../clock.js';
import { seededRandom } from '../select.js';
import { gatedFiles, HostStateStore } from './host-state.js';
import { HostTransport } from './host-transport.js';
import type { AckRecord, HostBehaviour, HostSpec } from './protocol.js';
import { withApplyDelay } from './slow-providers.js';

/** Change notifications become one drift check after this quiet time (daemon.ts WATCH_SETTLE_MS). */
const WATCH_SETTLE_MS = 500;
/** A change of the host's risk signals is checked after this quiet time (daemon.ts RISK_SETTLE_MS). */
const RISK_SETTLE_MS = 100;
/** After a partition heals, a host's push client reconnects within this (its backoff would have been running). */
const HEAL_RECONNECT_MS = 1_000;

/** Counters and records a host feeds to its fleet process. */
export interface HostSink {
  count(
    name: 'checkins' | 'notModified' | 'syncs' | 'reportsQueued' | 'reportsAcked' | 'pushConnects' | 'pushDisconnects' | 'alertsAcked' | 'alertsDuplicate',
  ): void;
  /** An error by its stable code, with the message of this occurrence. */
  error(code: string, message: string): void;
  ack(record: AckRecord): void;
}

/** One run of the agent process: dies with a crash, a new one starts on restart. */
interface Runtime {
  dead: boolean;
  readonly transport: HostTransport;
  readonly engine: SyncEngine;
  push: PushClient | undefined;
  /** The risk signals engine and its durable delivery, when the fleet runs signals. */
  readonly monitor: RiskMonitor | undefined;
  readonly delivery: SignalDelivery | undefined;
  connectedBefore: boolean;
  timers: Set<NodeJS.Timeout>;
}

export class SimHost {
  readonly device: SimulatedHost;
  private readonly agentHost: AgentHost;
  private readonly files = new MemoryStateFiles();
  /** Files the risk sources read besides the state dir (the indicators list): memory too. */
  private readonly signalFiles = new MemoryFileStore();
  private readonly random: () => number;
  private identity: AgentIdentity | undefined;
  private privateKey: KeyObject | undefined;
  private runtime: Runtime | undefined;
  private lastOutcome: SyncOutcome | undefined;
  private driftTimer: NodeJS.Timeout | undefined;
  /** Reports queued and not acknowledged yet. */
  readonly unacked = new Set<string>();
  skewMs = 0;
  partitioned = false;
  slowApplyMs = 0;

  constructor(
    readonly spec: HostSpec,
    private readonly behaviour: HostBehaviour,
    private readonly deps: { readonly sink: HostSink; readonly logger: Logger },
  ) {
    this.device = new SimulatedHost({ platform: spec.platform, hostname: spec.hostname, ...(spec.osType ? { osType: spec.osType } : {}) });
    const device = this.device;
    this.agentHost = {
      platform: device.platform,
      providers: withApplyDelay(createSimulatedProviders(device), () => this.slowApplyMs),
      facts: (agentVersion) => device.facts(agentVersion),
      simulated: device,
    };
    this.random = seededRandom((behaviour.seed ^ Math.imul(spec.index + 1, 0x9e3779b1)) >>> 0);
  }

  /** The host's clock: the machine's plus the injected skew. */
  readonly now = (): number => Date.now() + this.skewMs;

  get deviceId(): string | undefined {
    return this.identity?.deviceId;
  }

  get connected(): boolean {
    return this.runtime?.push?.connected ?? false;
  }

  /** What the agent's last sync ended with (its status.json), if it synced. */
  get lastSync(): SyncOutcome | undefined {
    return this.lastOutcome;
  }

  get running(): boolean {
    return this.runtime !== undefined;
  }

  /** Characters held by the in-memory state dir. */
  get stateChars(): number {
    return this.files.size;
  }

  /** Enrolls with the real enrollment code (key pair, proof, identity written to the in-memory state dir). */
  async enroll(pkg: OnboardingPackage): Promise<string> {
    const store = this.newStore(() => true);
    this.identity = await enroll({ onboardingPackage: pkg }, { store, host: this.agentHost, now: this.now });
    this.privateKey = privateKeyFromPem(await store.readPrivateKeyPem());
    return this.identity.deviceId;
  }

  /** Starts the agent process: push channel, check-in schedule, drift timer, and a startup sync. */
  start(): void {
    const { identity, privateKey } = this;
    if (!identity || !privateKey || this.runtime) return;
    let rt: Runtime | undefined;
    const alive = () => rt !== undefined && !rt.dead;
    const gate = {
      blocked: () => (!alive() ? 'agent process is gone (simulated crash)' : this.partitioned ? 'network unreachable (simulated partition)' : undefined),
      countErrors: () => alive(),
    };
    const transport = new HostTransport({ identity, privateKey, now: this.now }, gate, {
      onCheckin: (notModified) => {
        this.deps.sink.count('checkins');
        if (notModified) this.deps.sink.count('notModified');
      },
      onRequestError: (code, message) => this.deps.sink.error(code, message),
      onAck: (report, ack) => this.onAck(report, ack.duplicate),
    });
    const store = this.newStore(alive);
    const { monitor, delivery } = this.behaviour.signals ? this.signals(store, transport, identity.deviceId) : { monitor: undefined, delivery: undefined };
    const engine = new SyncEngine({
      store,
      client: transport,
      host: this.agentHost,
      identity,
      now: this.now,
      newId: randomUUID,
      logger: this.deps.logger,
      ...(monitor ? { onSynced: (outcome: SyncOutcome, events: Parameters<RiskMonitor['onSync']>[1]) => void monitor.onSync(outcome, events) } : {}),
    });
    rt = { dead: false, transport, engine, push: undefined, monitor, delivery, connectedBefore: false, timers: new Set() };
    const started = rt;
    if (monitor && delivery) {
      void monitor.load().then(() => {
        if (started.dead) return;
        monitor.start();
        void delivery.flush();
      });
    }
    this.runtime = rt;
    if (!this.partitioned) this.startPush(rt);
    this.scheduleCheckin(rt);
    if (this.behaviour.driftCheckSeconds) {
      this.driftTimer = setInterval(() => void this.trigger('drift'), this.behaviour.driftCheckSeconds * 1000);
    }
    void this.trigger('startup');
  }

  /** Stops the agent process at once, as a crash or kill would: nothing it was doing reaches the endpoint or disk. */
  crash(): void {
    const rt = this.runtime;
    if (!rt) return;
    rt.dead = true;
    this.runtime = undefined;
    for (const timer of rt.timers) clearTimeout(timer);
    this.retry.cancel();
    clearInterval(this.driftTimer);
    rt.push?.stop();
    void rt.monitor?.stop();
    void rt.delivery?.stop();
    rt.transport.close();
  }

  /** Graceful stop at the end of a run. */
  async stop(): Promise<void> {
    const rt = this.runtime;
    if (!rt) return;
    rt.push?.stop();
    for (const timer of rt.timers) clearTimeout(timer);
    this.retry.cancel();
    clearInterval(this.driftTimer);
    await rt.engine.idle();
    await rt.monitor?.stop();
    await rt.delivery?.stop();
    this.crash();
  }

  /** Cuts the host off the network (requests fail, push drops) or heals it (push reconnects, then a reconnect sync). */
  setPartitioned(on: boolean): void {
    if (this.partitioned === on) return;
    this.partitioned = on;
    const rt = this.runtime;
    if (!rt) return;
    if (on) {
      rt.push?.stop();
      rt.push = undefined;
      return;
    }
    this.after(rt, this.random() * HEAL_RECONNECT_MS, () => {
      if (!this.partitioned && !rt.push) this.startPush(rt);
    });
  }

  /**
   * A local change behind the agent's back; the OS change watch wakes a drift check (daemon.ts debounce). False when
   * nothing changed: the platform has no such setting, or it already holds that value.
   */
  tamper(settingId: string, value: SettingValue): boolean {
    if (!this.device.has(settingId) || isDeepStrictEqual(this.device.read(settingId), value)) return false;
    this.device.tamper(settingId, value);
    const rt = this.runtime;
    if (rt) this.after(rt, WATCH_SETTLE_MS, () => void this.trigger('drift'));
    return true;
  }

  /** An antivirus detection on the device (or none: `undefined` clears them); the agent's risk check sees it shortly. */
  setThreat(threat: { severity: AlertSeverity; name: string } | undefined): void {
    this.device.setRiskSignals({
      detections: threat ? [{ threatId: `sim-${threat.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, name: threat.name, severity: threat.severity }] : [],
    });
    const rt = this.runtime;
    if (rt?.monitor) this.after(rt, RISK_SETTLE_MS, () => void rt.monitor?.check({ health: true }));
  }

  /** As the daemon does: a sync that could not reach the endpoint is retried with backoff (agent/src/daemon/sync-retry.ts). */
  private readonly retry = new SyncRetry(
    {},
    {
      run: () => void this.trigger('retry'),
      random: Math.random,
      setTimer: (fn, ms) => {
        const rt = this.runtime;
        if (!rt) return { cancel: () => undefined };
        const timer = setTimeout(() => {
          rt.timers.delete(timer);
          if (!rt.dead) fn();
        }, ms);
        rt.timers.add(timer);
        return {
          cancel: () => {
            clearTimeout(timer);
            rt.timers.delete(timer);
          },
        };
      },
    },
  );

  /** Runs one sync now (or joins the one in progress) and counts its outcome. */
  trigger(kind: SyncTrigger): Promise<void> {
    const rt = this.runtime;
    if (!rt) return Promise.resolve();
    return rt.engine.sync(kind).then(
      (outcome) => {
        this.onOutcome(outcome);
        if (kind !== 'drift' && !rt.dead) this.retry.observe(outcome.error?.code);
        if (this.behaviour.connections === 'afterSync') void rt.engine.idle().then(() => rt.transport.releaseIfIdle());
      },
      (err) => {
        if (!rt.dead) {
          const e = toAttacheError(err);
          this.deps.sink.error(e.code, e.message);
        }
      },
    );
  }

  private newStore(alive: () => boolean): StateStore {
    return new HostStateStore(`/sim/${this.spec.index}`, gatedFiles(this.files, alive), (reportId) => {
      this.unacked.add(reportId);
      this.deps.sink.count('reportsQueued');
    });
  }

  /** The daemon's risk wiring (daemon.ts): simulated sources, the monitor, and durable delivery through the gated transport. */
  private signals(store: StateStore, transport: HostTransport, deviceId: string): { monitor: RiskMonitor; delivery: SignalDelivery } {
    const { logger } = this.deps;
    const delivery = new SignalDelivery({
      store,
      client: transport,
      clock: systemClock,
      random: this.random,
      newId: randomUUID,
      logger,
      onAlertsAcked: (ack) => this.deps.sink.count(ack.duplicate ? 'alertsDuplicate' : 'alertsAcked'),
    });
    const sources = createSimulatedSources({
      host: this.device,
      files: this.signalFiles,
      indicatorsPath: `/sim/${this.spec.index}/indicators.json`,
      agentVersion: AGENT_VERSION,
    });
    const monitor = new RiskMonitor(DEFAULT_SIGNALS, { store, sources, delivery, deviceId, clock: systemClock, newId: randomUUID, logger });
    return { monitor, delivery };
  }

  private startPush(rt: Runtime): void {
    const push = new PushClient(
      rt.transport.signer(),
      {
        onSync: () => void this.trigger('push'),
        onState: (state) => {
          if (state !== 'connected') return;
          this.deps.sink.count('pushConnects');
          // Back after an outage: nudges sent meanwhile were lost, and queued reports can go now (daemon.ts).
          if (rt.connectedBefore) void this.trigger('reconnect');
          rt.connectedBefore = true;
          void rt.delivery?.flush();
        },
        onInvalidMessage: (message) => this.deps.sink.error('MESSAGE_INVALID', message),
      },
      { random: this.random },
    );
    rt.push = push;
    push.start();
  }

  private scheduleCheckin(rt: Runtime): void {
    const delay = nextCheckinDelayMs(this.behaviour.checkinSeconds / 60, this.behaviour.jitterPercent, this.random());
    this.after(rt, delay, () => {
      void this.trigger('schedule').finally(() => {
        if (this.runtime === rt) this.scheduleCheckin(rt);
      });
    });
  }

  private after(rt: Runtime, ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      rt.timers.delete(timer);
      if (!rt.dead) run();
    }, ms);
    rt.timers.add(timer);
  }

  private onOutcome(outcome: SyncOutcome): void {
    // Callers that joined one run share its outcome: count it once.
    if (outcome === this.lastOutcome) return;
    this.lastOutcome = outcome;
    this.deps.sink.count('syncs');
    for (const s of outcome.settings) if (s.state === 'error') this.deps.sink.error(s.code ?? 'SETTING_APPLY_FAILED', `${s.settingId}: ${s.message ?? ''}`);
    // Transport failures were counted by the transport; a refused policy set is counted here.
    const code = outcome.error?.code;
    if (code && (code.startsWith('POLICY_') || code === 'STATE_CORRUPT')) this.deps.sink.error(code, outcome.error?.message ?? '');
  }

  private onAck(report: StatusReport, duplicate: boolean): void {
    this.unacked.delete(report.reportId);
    this.deps.sink.count('reportsAcked');
    const events: Record<string, number> = {};
    for (const e of report.events ?? []) events[e.type] = (events[e.type] ?? 0) + 1;
    this.deps.sink.ack({
      host: this.spec.index,
      t: nowMs(),
      generated: Date.parse(report.generatedAt) - this.skewMs,
      policies: report.policies.map((p) => [p.policyId, p.version, p.state] as const),
      ...(report.events?.length ? { events } : {}),
      duplicate,
    });
  }
}
