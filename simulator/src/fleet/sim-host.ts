// One simulated device running the real agent: the real enrollment (enrollment/enroll.ts) and the same runtime the
// daemon runs (runtime/agent-runtime.ts: sync engine, retry, push, check-in schedule, drift watch, risk monitor,
// signal delivery) on a memory-only SimulatedHost, through the real signed HTTPS client behind a fault gate. What it
// adds is only what a scenario injects: crashes, partitions, slow applies, clock skew, tamper and threats, and
// counters for the fleet process. Its clock is the machine's plus the injected skew, with a seeded jitter source.
import type { KeyObject } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { createSimulatedResponder } from '../../../agent/src/actions/simulated-responder.js';
import { DEFAULT_SIGNALS } from '../../../agent/src/config.js';
import { enroll } from '../../../agent/src/enrollment/enroll.js';
import { SimulatedHost } from '../../../agent/src/hosts/simulated-host.js';
import { type SharedSoftware, SimulatedSoftware } from '../../../agent/src/hosts/simulated-software.js';
import { SimulatedSoftwareCollector } from '../../../agent/src/inventory/software/simulated.js';
import type { Logger } from '../../../agent/src/logging.js';
import type { AgentHost } from '../../../agent/src/platform/index.js';
import { createSimulatedProviders } from '../../../agent/src/providers/simulated.js';
import { createSimulatedSources } from '../../../agent/src/risk/simulated-sources.js';
import { AgentRuntime, STARTUP_PUSH_WAIT_MS } from '../../../agent/src/runtime/agent-runtime.js';
import type { StateStore } from '../../../agent/src/state/state-store.js';
import { MemoryFileStore } from '../../../agent/src/system/file-store.js';
import { AGENT_VERSION } from '../../../agent/src/version.js';
import { type Clock, seededRandom, skewedClock, systemClock, withRandom } from '../../../common/clock.js';
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
import { gatedFiles, HostStateStore } from './host-state.js';
import { HostTransport } from './host-transport.js';
import type { AckRecord, HostBehaviour, HostSpec } from './protocol.js';
import { withApplyDelay } from './slow-providers.js';

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
interface Process {
  dead: boolean;
  readonly transport: HostTransport;
  readonly runtime: AgentRuntime;
}

/** A version-4 UUID drawn from `random` (reproducible ids for a seeded host). */
function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class SimHost {
  readonly device: SimulatedHost;
  private readonly agentHost: AgentHost;
  private readonly files = new MemoryFileStore();
  /** Files the risk sources read besides the state dir (the indicators list): memory too. */
  private readonly signalFiles = new MemoryFileStore();
  /** The host's clock: the machine's plus the injected skew; jitter from the host's own seeded stream. */
  readonly clock: Clock;
  private readonly newId: () => string;
  private identity: AgentIdentity | undefined;
  private privateKey: KeyObject | undefined;
  private process: Process | undefined;
  private lastOutcome: SyncOutcome | undefined;
  /** Reports queued and not acknowledged yet. */
  readonly unacked = new Set<string>();
  skewMs = 0;
  partitioned = false;
  slowApplyMs = 0;
  /** While set, every write of the state dir fails with ENOSPC (a full disk). */
  diskFull = false;

  constructor(
    readonly spec: HostSpec,
    private readonly behaviour: HostBehaviour,
    /** packageDir: a real directory for the investigation packages the hosts' agents build (shared by the process). */
    private readonly deps: {
      readonly sink: HostSink;
      readonly logger: Logger;
      readonly packageDir: string;
      /** The host's installed software: its scenario slice's list, shared (issue 18). */
      readonly software?: SharedSoftware;
    },
  ) {
    this.device = new SimulatedHost({ platform: spec.platform, hostname: spec.hostname, ...(spec.osType ? { osType: spec.osType } : {}) });
    if (deps.software) this.device.software = new SimulatedSoftware(deps.software);
    // Two streams from the scenario seed and the host index: jitter, and ids (so drawing an id never moves a delay).
    const hostSeed = (behaviour.seed ^ Math.imul(spec.index + 1, 0x9e3779b1)) >>> 0;
    const jitter = seededRandom(hostSeed);
    this.newId = (
      (ids) => () =>
        uuidFrom(ids)
    )(seededRandom(hostSeed ^ 0x5bd1e995));
    this.clock = skewedClock(withRandom(systemClock, jitter), () => this.skewMs);
    const device = this.device;
    const responder = createSimulatedResponder(
      { stateDir: this.stateDir, packageDir: deps.packageDir, ...(behaviour.scanMs ? { scanMs: behaviour.scanMs } : {}) },
      {
        host: device,
        files: gatedFiles(
          this.files,
          () => this.running,
          () => this.diskFull,
        ),
        clock: this.clock,
        newId: this.newId,
      },
    );
    this.agentHost = {
      platform: device.platform,
      providers: withApplyDelay(createSimulatedProviders(device), () => this.slowApplyMs),
      facts: (agentVersion) => device.facts(agentVersion),
      watchChanges: (onChange) => device.watch(onChange),
      responder,
      simulated: device,
    };
  }

  /** The agent's state dir in the host's in-memory file store. */
  private get stateDir(): string {
    return `/sim/${this.spec.index}`;
  }

  /** The host's time (skewed). */
  readonly now = (): number => this.clock.now();

  get deviceId(): string | undefined {
    return this.identity?.deviceId;
  }

  get connected(): boolean {
    return this.process?.runtime.pushConnected ?? false;
  }

  /** What the agent's last sync ended with (its status.json), if it synced. */
  get lastSync(): SyncOutcome | undefined {
    return this.lastOutcome;
  }

  get running(): boolean {
    return this.process !== undefined;
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

  /** Starts the agent process: the runtime's push channel, check-in schedule, drift checks, risk monitor and a startup sync. */
  start(): void {
    const { identity, privateKey } = this;
    if (!identity || !privateKey || this.process) return;
    let proc: Process | undefined;
    const alive = () => proc !== undefined && !proc.dead;
    const gate = {
      blocked: () => (!alive() ? 'agent process is gone (simulated crash)' : this.partitioned ? 'network unreachable (simulated partition)' : undefined),
      countErrors: () => alive(),
    };
    const { sink, logger } = this.deps;
    const transport = new HostTransport({ identity, privateKey, now: this.now }, gate, {
      onRequestError: (code, message) => sink.error(code, message),
    });
    const store = this.newStore(alive);
    const signals = this.behaviour.signals;
    const software = this.behaviour.software;
    const runtime = new AgentRuntime(
      {
        checkinIntervalMinutes: this.behaviour.checkinSeconds / 60,
        checkinJitterPercent: this.behaviour.jitterPercent,
        ...(this.behaviour.driftCheckSeconds ? { driftCheckMs: this.behaviour.driftCheckSeconds * 1000 } : {}),
        driftWatch: true,
        startupPushWaitMs: STARTUP_PUSH_WAIT_MS,
        ...(signals ? { signals: DEFAULT_SIGNALS } : {}),
        ...(software ? { software: { intervalMs: software.intervalMs, firstDelayMs: { min: 0, max: software.firstDelayMs } } } : {}),
      },
      {
        store,
        client: transport,
        pushSigner: transport.signer(),
        host: this.agentHost,
        identity,
        ...(signals ? { sources: this.sources() } : {}),
        ...(software && this.device.software ? { software: new SimulatedSoftwareCollector(this.device, this.clock) } : {}),
        clock: this.clock,
        newId: this.newId,
        logger,
        hooks: {
          // Check-ins and acknowledgements over either path (push channel or HTTPS).
          onCheckin: (notModified) => {
            sink.count('checkins');
            if (notModified) sink.count('notModified');
          },
          onReportAcked: (report, ack) => this.onAck(report, ack.duplicate),
          onSynced: (_trigger, outcome) => {
            if (!alive()) return;
            this.onOutcome(outcome);
            if (this.behaviour.connections === 'afterSync') void runtime.engine.idle().then(() => transport.releaseIfIdle());
          },
          onSyncFailed: (_trigger, err) => {
            if (!alive()) return;
            const e = toAttacheError(err);
            sink.error(e.code, e.message);
          },
          onPushState: (state) => {
            if (state === 'connected') sink.count('pushConnects');
          },
          onPushInvalid: (message) => sink.error('MESSAGE_INVALID', message),
          onAlertsAcked: (ack) => sink.count(ack.duplicate ? 'alertsDuplicate' : 'alertsAcked'),
          onSoftwareRun: (outcome) => {
            if (alive() && outcome.kind === 'failed') sink.error(outcome.code, `software inventory: ${outcome.message}`);
          },
        },
      },
    );
    proc = { dead: false, transport, runtime };
    this.process = proc;
    if (this.partitioned) runtime.pausePush();
    void runtime.start();
  }

  /** Stops the agent process at once, as a crash or kill would: nothing it was doing reaches the endpoint or disk. */
  crash(): void {
    const proc = this.process;
    if (!proc) return;
    proc.dead = true;
    this.process = undefined;
    proc.runtime.kill();
    proc.transport.close();
  }

  /** Graceful stop at the end of a run. */
  async stop(): Promise<void> {
    const proc = this.process;
    if (!proc) return;
    await proc.runtime.stop();
    this.crash();
  }

  /** Cuts the host off the network (requests fail, push drops) or heals it (push reconnects, then a reconnect sync). */
  setPartitioned(on: boolean): void {
    if (this.partitioned === on) return;
    this.partitioned = on;
    const proc = this.process;
    if (!proc) return;
    if (on) {
      proc.runtime.pausePush();
      return;
    }
    this.clock.setTimer(() => {
      if (!this.partitioned && !proc.dead) proc.runtime.resumePush();
    }, this.clock.random() * HEAL_RECONNECT_MS);
  }

  /**
   * A local change behind the agent's back; the device notifies the runtime's change watch (debounced drift check).
   * False when nothing changed: the platform has no such setting, or it already holds that value.
   */
  tamper(settingId: string, value: SettingValue): boolean {
    if (!this.device.has(settingId) || isDeepStrictEqual(this.device.read(settingId), value)) return false;
    this.device.tamper(settingId, value);
    return true;
  }

  /** An antivirus detection on the device (or none: `undefined` clears them); the runtime's change watch checks risk shortly. */
  setThreat(threat: { severity: AlertSeverity; name: string } | undefined): void {
    this.device.injectRiskSignals({
      detections: threat ? [{ threatId: `sim-${threat.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, name: threat.name, severity: threat.severity }] : [],
    });
  }

  /** Runs one sync now (or joins the one in progress); counting happens in the runtime's hooks. */
  async trigger(kind: SyncTrigger): Promise<void> {
    await this.process?.runtime.trigger(kind);
  }

  private newStore(alive: () => boolean): StateStore {
    return new HostStateStore(
      this.stateDir,
      gatedFiles(this.files, alive, () => this.diskFull),
      (reportId) => {
        this.unacked.add(reportId);
        this.deps.sink.count('reportsQueued');
      },
    );
  }

  private sources() {
    return createSimulatedSources({
      host: this.device,
      files: this.signalFiles,
      indicatorsPath: `/sim/${this.spec.index}/indicators.json`,
      agentVersion: AGENT_VERSION,
    });
  }

  private onOutcome(outcome: SyncOutcome): void {
    // Callers that joined one run share its outcome: count it once.
    if (outcome === this.lastOutcome) return;
    this.lastOutcome = outcome;
    this.deps.sink.count('syncs');
    for (const s of outcome.settings) if (s.state === 'error') this.deps.sink.error(s.code ?? 'SETTING_APPLY_FAILED', `${s.settingId}: ${s.message ?? ''}`);
    // Transport failures were counted by the transport; a refused policy set is counted here.
    const code = outcome.error?.code;
    if (code && (code.startsWith('POLICY_') || code === 'STATE_CORRUPT' || code === 'STATE_WRITE_FAILED'))
      this.deps.sink.error(code, outcome.error?.message ?? '');
  }

  private onAck(report: StatusReport, duplicate: boolean): void {
    this.unacked.delete(report.reportId);
    this.deps.sink.count('reportsAcked');
    const events: Record<string, number> = {};
    for (const e of report.events ?? []) events[e.type] = (events[e.type] ?? 0) + 1;
    this.deps.sink.ack({
      host: this.spec.index,
      t: systemClock.now(),
      generated: Date.parse(report.generatedAt) - this.skewMs,
      policies: report.policies.map((p) => [p.policyId, p.version, p.state] as const),
      ...(report.events?.length ? { events } : {}),
      duplicate,
    });
  }
}
