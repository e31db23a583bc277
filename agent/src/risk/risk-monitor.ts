// The risk monitor: the effectful shell around the pure engine (core/risk-engine.ts). Each check gathers what the
// host shows (indicators, processes, connections; health and AV detections on their own cadence), lets the engine
// turn it into alert transitions, carries out `block` actions, and queues what changed for the endpoint at once:
// an alert report when an alert opened, resolved or changed, a health upload when health changed (and at every
// check-in). Checks never overlap (requests during one share a single follow-up). Inventory is collected on its own
// timer and uploaded only when its hash changed. The state lives in signals.json, so a restart keeps alert ids,
// first-seen times and what was already uploaded.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../common/canonical-json.js';
import type { Clock, TimerHandle } from '../../../common/clock.js';
import { isoTime } from '../../../common/iso-time.js';
import type {
  AgentSignalsState,
  Alert,
  AlertReport,
  DeviceHealth,
  DeviceSuppression,
  IsolationHealth,
  RiskLevel,
  SettingEvent,
  SyncOutcome,
  SyncTrigger,
} from '../../../policy-schemas/src/index.js';
import type { SignalsConfig } from '../config.js';
import { observationsNeeded, type RiskIndicator } from '../core/indicator-match.js';
import { activeAlerts, EMPTY_RISK_STATE, evaluate, type Now, observeSync, type RiskConfig, type RiskState, recordActions } from '../core/risk-engine.js';
import { healthDigest } from '../health/health-digest.js';
import type { HealthReading } from '../health/health-reader.js';
import { finishInventory, inventoryHash } from '../inventory/collect.js';
import type { Logger } from '../logging.js';
import type { SignalMessage, StateStore } from '../state/state-store.js';
import type { SignalSources } from './signal-sources.js';

export interface RiskMonitorDeps {
  readonly store: Pick<StateStore, 'readSignals' | 'writeSignals'>;
  readonly sources: SignalSources;
  readonly delivery: { enqueue(message: SignalMessage): Promise<void> };
  readonly deviceId: string;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly logger: Logger;
  /** The admin's alert suppressions (the verified signed list that came with the policies); absent: none. */
  readonly suppressions?: () => Promise<readonly DeviceSuppression[]>;
  /** The device's isolation, read with health (absent: the host runs no response actions). */
  readonly isolation?: () => Promise<IsolationHealth>;
}

/** What a check must do beyond matching indicators. */
export interface CheckRequest {
  /** Read health and AV detections now, whatever their cadence says. */
  readonly health?: boolean;
  /** Upload health even when unchanged (check-in). */
  readonly uploadHealth?: boolean;
  /** Send every active alert again (check-in: refreshes lastSeen at the endpoint). */
  readonly refreshAlerts?: boolean;
}

/** Sync triggers that are check-ins: health is read and uploaded, active alerts are re-sent. */
const CHECKIN_TRIGGERS: ReadonlySet<SyncTrigger> = new Set(['startup', 'schedule']);
/** signals.json is rewritten at least this often while only lastSeen times move. */
const SAVE_EVERY_MS = 10 * 60_000;
const MAX_ALERTS_PER_REPORT = 1000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function merge(a: CheckRequest, b: CheckRequest): CheckRequest {
  return { health: a.health || b.health, uploadHealth: a.uploadHealth || b.uploadHealth, refreshAlerts: a.refreshAlerts || b.refreshAlerts };
}

export class RiskMonitor {
  private state: RiskState = EMPTY_RISK_STATE;
  private level: RiskLevel = 'none';
  private health: DeviceHealth | undefined;
  private healthSent: string | undefined;
  private inventorySent: string | undefined;
  private inventoryAt: string | undefined;
  private lastHealthMs = Number.NEGATIVE_INFINITY;
  private pendingSyncs: { settings: SyncOutcome['settings']; events: readonly SettingEvent[]; now: Now }[] = [];
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private queuedRequest: CheckRequest = {};
  private timers: TimerHandle[] = [];
  private stopped = false;
  private savedDigest: string | undefined;
  private savedMs = Number.NEGATIVE_INFINITY;
  private readonly config: RiskConfig & SignalsConfig;

  constructor(
    config: SignalsConfig,
    private readonly deps: RiskMonitorDeps,
  ) {
    this.config = { ...config, caseInsensitive: deps.sources.caseInsensitive };
  }

  /** Loads signals.json (a corrupt file is logged and replaced: alerts are re-derived from the device). */
  async load(): Promise<void> {
    try {
      const saved = await this.deps.store.readSignals();
      if (!saved) return;
      this.state = { alerts: saved.alerts, tamper: saved.tamper, applyErrors: saved.applyErrors };
      this.level = saved.riskLevel;
      this.health = saved.health;
      this.healthSent = saved.healthDigest;
      this.inventorySent = saved.inventoryHash;
      this.inventoryAt = saved.inventoryCollectedAt;
    } catch (err) {
      this.deps.logger.error('risk state unreadable, starting afresh', { error: (err as Error).message });
    }
  }

  /** Starts the periodic risk check and the inventory timer (inventory is collected once right away). */
  start(): void {
    this.stopped = false;
    this.every(this.config.riskCheckMs, () => this.check({}));
    this.timers.push(this.deps.clock.setTimer(() => void this.collectInventory(), 0));
    this.every(this.config.inventoryIntervalMs, () => this.collectInventory());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.timers = [];
    await this.idle();
  }

  /** Waits for the check in progress and the queued one. */
  async idle(): Promise<void> {
    while (this.running || this.queued) await (this.queued ?? this.running)?.catch(() => undefined);
  }

  /** The device's current risk level and alerts, and the last health reading (for the control channel / tests). */
  get snapshot(): { readonly riskLevel: RiskLevel; readonly activeAlerts: Alert[]; readonly health: DeviceHealth | undefined } {
    return { riskLevel: this.level, activeAlerts: activeAlerts(this.state), health: this.health };
  }

  /** Folds a finished sync in (tamper events, apply errors) and checks at once; a check-in also reads and uploads health. */
  onSync(outcome: SyncOutcome, events: readonly SettingEvent[]): Promise<void> {
    this.pendingSyncs.push({ settings: outcome.settings, events, now: this.now() });
    const checkin = CHECKIN_TRIGGERS.has(outcome.trigger);
    return this.check({ health: checkin || outcome.trigger === 'manual', uploadHealth: checkin, refreshAlerts: outcome.trigger === 'schedule' });
  }

  /** Runs a check now, or once after the one in progress (all requests made meanwhile share it). */
  check(request: CheckRequest): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.queued) {
      this.queuedRequest = merge(this.queuedRequest, request);
      return this.queued;
    }
    if (this.running) {
      this.queuedRequest = request;
      this.queued = this.running.then(() => {
        this.queued = undefined;
        const next = this.queuedRequest;
        this.queuedRequest = {};
        return this.launch(next);
      });
      return this.queued;
    }
    return this.launch(request);
  }

  private launch(request: CheckRequest): Promise<void> {
    const run = this.runCheck(request).catch((err) => {
      this.deps.logger.error('risk check failed', { error: (err as Error).message });
    });
    this.running = run;
    void run.finally(() => {
      if (this.running === run) this.running = undefined;
    });
    return run;
  }

  private now(): Now {
    const ms = this.deps.clock.now();
    return { ms, iso: isoTime(ms) };
  }

  /** Runs `run` every `ms` (re-armed when it fires: a slow run never shifts the period; checks coalesce anyway). */
  private every(ms: number, run: () => Promise<void>): void {
    const arm = () => {
      if (this.stopped) return;
      const handle = this.deps.clock.setTimer(() => {
        this.timers = this.timers.filter((t) => t !== handle);
        arm();
        void run();
      }, ms);
      this.timers.push(handle);
    };
    arm();
  }

  private async attempt<T>(what: string, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (err) {
      this.deps.logger.warn(`${what} unavailable, its alerts kept as they were`, { error: (err as Error).message });
      return undefined;
    }
  }

  private async runCheck(request: CheckRequest): Promise<void> {
    const { sources } = this.deps;
    const now = this.now();
    for (const s of this.pendingSyncs.splice(0)) this.state = observeSync(this.state, s, s.now);
    const indicators: RiskIndicator[] | undefined = await this.attempt('indicator list', () => sources.indicators());
    const needs = observationsNeeded(indicators ?? []);
    const processes = !indicators ? undefined : needs.processes ? await this.attempt('process list', () => sources.processes(needs)) : [];
    const connections = !indicators ? undefined : needs.connections ? await this.attempt('connection list', () => sources.connections()) : [];
    const healthDue = request.health || now.ms - this.lastHealthMs >= this.config.healthCheckMs;
    const reading = healthDue ? await this.attempt('health', () => this.readHealth()) : undefined;
    const detections = healthDue ? await this.attempt('antivirus detections', () => sources.detections()) : undefined;
    if (reading) this.lastHealthMs = now.ms;

    // Unreadable suppressions count as none: the finding then raises risk as it would without triage (fail safe).
    const suppressions = (this.deps.suppressions ? await this.attempt('suppression list', this.deps.suppressions) : undefined) ?? [];
    const observation = { indicators: indicators ?? [], ...(reading ? { health: reading } : {}), processes, connections, detections, suppressions };
    const result = evaluate(this.state, observation, this.config, now, sha256);
    const actions = [];
    for (const { alertId, request: block } of result.blocks) {
      const action =
        block.kind === 'killProcess'
          ? await sources.killProcesses(block.indicator, block.processes, { quarantine: block.quarantine === true })
          : await sources.blockConnections(block.indicator, block.connections);
      this.deps.logger.warn('indicator blocked', { alertId, action: action.type, ok: action.ok, detail: action.detail });
      actions.push({ alertId, action });
    }
    const recorded = recordActions(result.state, actions);
    this.state = recorded.state;
    const changed = new Map<string, Alert>([...result.changed, ...recorded.changed].map((a) => [a.alertId, a]));
    for (const a of result.changed)
      this.deps.logger.info(a.status === 'active' ? 'alert active' : 'alert resolved', { alertId: a.alertId, severity: a.severity, title: a.title });
    const previousLevel = this.level;
    this.level = result.riskLevel;
    if (previousLevel !== this.level) this.deps.logger.info('risk level changed', { from: previousLevel, to: this.level });
    if (request.refreshAlerts) for (const a of activeAlerts(this.state)) if (!changed.has(a.alertId)) changed.set(a.alertId, a);
    if (changed.size > 0 || previousLevel !== this.level) await this.sendAlerts([...changed.values()], now);
    if (reading) await this.updateHealth({ collectedAt: now.iso, ...reading }, request.uploadHealth === true);
    await this.save(now);
  }

  private async sendAlerts(alerts: Alert[], now: Now): Promise<void> {
    const chunks =
      alerts.length === 0
        ? [[]]
        : Array.from({ length: Math.ceil(alerts.length / MAX_ALERTS_PER_REPORT) }, (_, i) =>
            alerts.slice(i * MAX_ALERTS_PER_REPORT, (i + 1) * MAX_ALERTS_PER_REPORT),
          );
    for (const chunk of chunks) {
      const report: AlertReport = { reportId: this.deps.newId(), deviceId: this.deps.deviceId, generatedAt: now.iso, riskLevel: this.level, alerts: chunk };
      await this.deps.delivery.enqueue({ kind: 'alerts', body: report });
    }
  }

  /** Health from the sources, with the isolation state when the host has one (unreadable: left out, logged). */
  private async readHealth(): Promise<HealthReading> {
    const reading = await this.deps.sources.health();
    const isolation = this.deps.isolation ? await this.attempt('isolation state', this.deps.isolation) : undefined;
    return isolation ? { ...reading, isolation } : reading;
  }

  private async updateHealth(health: DeviceHealth, force: boolean): Promise<void> {
    this.health = health;
    const digest = healthDigest(health, this.config.signatureMaxAgeHours);
    if (digest === this.healthSent && !force) return;
    await this.deps.delivery.enqueue({ kind: 'health', body: { deviceId: this.deps.deviceId, health } });
    this.healthSent = digest;
  }

  /** Collects the inventory and queues it when its hash differs from the last one queued. */
  async collectInventory(): Promise<void> {
    if (this.stopped) return;
    try {
      const facts = await this.deps.sources.inventory();
      const hash = inventoryHash(facts);
      if (hash === this.inventorySent) return;
      const now = this.now();
      await this.deps.delivery.enqueue({ kind: 'inventory', body: { deviceId: this.deps.deviceId, inventory: finishInventory(facts, now.iso) } });
      this.inventorySent = hash;
      this.inventoryAt = now.iso;
      this.deps.logger.info('inventory changed, queued for upload', { hash });
      await this.save(now, true);
    } catch (err) {
      this.deps.logger.error('inventory collection failed', { error: (err as Error).message });
    }
  }

  /** Writes signals.json when something other than lastSeen times changed, or every SAVE_EVERY_MS. */
  private async save(now: Now, force = false): Promise<void> {
    const file: AgentSignalsState = {
      formatVersion: 1,
      updatedAt: now.iso,
      riskLevel: this.level,
      alerts: [...this.state.alerts],
      tamper: { ...this.state.tamper },
      applyErrors: { ...this.state.applyErrors },
      ...(this.health ? { health: this.health } : {}),
      ...(this.healthSent ? { healthDigest: this.healthSent } : {}),
      ...(this.inventorySent ? { inventoryHash: this.inventorySent } : {}),
      ...(this.inventoryAt ? { inventoryCollectedAt: this.inventoryAt } : {}),
    };
    const digest = canonicalJson({
      ...file,
      updatedAt: '',
      health: undefined,
      alerts: file.alerts.map((t) => ({ ...t, alert: { ...t.alert, lastSeen: '' } })),
    });
    if (!force && digest === this.savedDigest && now.ms - this.savedMs < SAVE_EVERY_MS) return;
    await this.deps.store.writeSignals(file);
    this.savedDigest = digest;
    this.savedMs = now.ms;
  }
}
