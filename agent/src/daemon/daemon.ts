// The long-running agent: startup sync, periodic check-in, push-triggered syncs, control channel, risk signals
// (risk monitor + durable signal delivery), graceful stop.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:net';
import { AttacheError } from '../../../common/errors.js';
import { privateKeyFromPem } from '../../../common/signing.js';
import type { ResolvedConfig } from '../config.js';
import type { Logger } from '../logging.js';
import { type AgentHost, controlAddress, posixPermissions } from '../platform/index.js';
import { RiskMonitor } from '../risk/risk-monitor.js';
import { SignalDelivery } from '../risk/signal-delivery.js';
import { createSignalSources } from '../risk/sources.js';
import { StateStore } from '../state/state-store.js';
import { buildPlan } from '../sync/preview.js';
import { SyncEngine } from '../sync/sync-engine.js';
import { EndpointClient } from '../transport/endpoint-client.js';
import { PushClient } from '../transport/push-client.js';
import { CheckinScheduler } from './checkin-scheduler.js';
import { systemClock } from './clock.js';
import { startControlServer } from './control-server.js';
import { SyncRetry } from './sync-retry.js';

/** A burst of change notifications (an editor saving, our own apply) becomes one drift check after this quiet time. */
const WATCH_SETTLE_MS = 500;
/**
 * The same burst becomes one risk check after a shorter quiet time: a risk check only reads, and an alert should
 * leave the device fast. A check that reads a half-written file keeps its alerts and the next notification re-checks.
 */
const RISK_SETTLE_MS = 100;

function debounce(run: () => void, ms: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
    timer.unref();
  };
}

export interface RunningDaemon {
  readonly engine: SyncEngine;
  readonly monitor: RiskMonitor;
  stop(): Promise<void>;
}

export async function startDaemon(config: ResolvedConfig, deps: { readonly host: AgentHost; readonly logger: Logger }): Promise<RunningDaemon> {
  const { host, logger } = deps;
  const store = new StateStore(config.stateDir, { posixPermissions: posixPermissions() });
  await store.init();
  const identity = await store.readIdentity();
  if (!identity) throw new AttacheError('NOT_ENROLLED', `no device identity in ${config.stateDir}; run "attache-agent enroll --package <file>" first`);
  const client = new EndpointClient({
    endpointUrl: identity.endpointUrl,
    caCertificate: identity.caCertificate,
    credentials: { deviceId: identity.deviceId, privateKey: privateKeyFromPem(await store.readPrivateKeyPem()) },
  });
  const riskLog = logger.child({ component: 'risk' });
  const delivery = new SignalDelivery({
    store,
    client,
    clock: systemClock,
    random: Math.random,
    newId: randomUUID,
    logger: logger.child({ component: 'signals' }),
    onAlertsAcked: (ack) => riskLog.debug('alert report acknowledged', { reportId: ack.reportId, endpointRiskLevel: ack.riskLevel, duplicate: ack.duplicate }),
  });
  const sources = createSignalSources(host, {
    stateDir: config.stateDir,
    hashMaxBytes: config.signals.hashMaxBytes,
    onInvalidIndicator: (message) => riskLog.warn('indicator skipped', { error: message }),
  });
  const monitor = new RiskMonitor(config.signals, {
    store,
    sources,
    delivery,
    deviceId: identity.deviceId,
    clock: systemClock,
    newId: randomUUID,
    logger: riskLog,
  });
  await monitor.load();
  await host.simulated?.ensureStateFile();
  const engine = new SyncEngine({
    store,
    client,
    host,
    identity,
    now: Date.now,
    newId: randomUUID,
    logger: logger.child({ component: 'sync' }),
    onSynced: (outcome, events) => void monitor.onSync(outcome, events),
  });
  let stopping = false;
  // A sync that could not reach the endpoint is retried with backoff instead of waiting for the next check-in.
  const retry = new SyncRetry(
    {},
    {
      run: () => void trigger('retry'),
      random: Math.random,
      setTimer: (fn, ms) => {
        const t = setTimeout(fn, ms);
        t.unref();
        return { cancel: () => clearTimeout(t) };
      },
    },
  );
  const trigger = async (kind: Parameters<SyncEngine['sync']>[0]) => {
    if (stopping) return;
    try {
      const outcome = await engine.sync(kind);
      // Drift checks do not contact the endpoint, so they say nothing about it.
      if (kind !== 'drift' && !stopping) retry.observe(outcome.error?.code);
    } catch (err) {
      logger.error('sync failed', { trigger: kind, error: (err as Error).message });
    }
  };

  const pushLog = logger.child({ component: 'push' });
  let connectedBefore = false;
  const push = new PushClient(client, {
    onSync: (requestId, reason) => {
      pushLog.info('sync requested by endpoint', { requestId, reason });
      void trigger('push');
    },
    onState: (state, detail) => {
      pushLog.info(`push channel ${state}`, detail ? { detail } : {});
      // Back after an outage: whatever was pushed meanwhile was missed, and queued reports can go now.
      if (state === 'connected' && connectedBefore) void trigger('reconnect');
      if (state === 'connected') {
        connectedBefore = true;
        void delivery.flush();
      }
    },
    onInvalidMessage: (message) => pushLog.warn('push message ignored', { error: message }),
  });
  const scheduler = new CheckinScheduler(
    { intervalMinutes: config.checkinIntervalMinutes, jitterPercent: config.checkinJitterPercent },
    { run: () => trigger('schedule'), now: Date.now, random: Math.random },
  );
  let control: Server | undefined;
  try {
    const handlers = {
      sync: () => engine.sync('manual'),
      driftCheck: () => engine.sync('drift'),
      plan: () => buildPlan({ store, host, identity, now: Date.now, logger: logger.child({ component: 'plan' }) }, 'daemon'),
    };
    control = await startControlServer(controlAddress(config.stateDir), handlers, { posix: posixPermissions() });
  } catch (err) {
    client.close();
    throw new AttacheError('DAEMON_UNREACHABLE', `cannot open control channel ${controlAddress(config.stateDir)}: ${(err as Error).message}`, { cause: err });
  }
  logger.info('agent started', {
    deviceId: identity.deviceId,
    platform: host.platform,
    stateDir: config.stateDir,
    checkinMinutes: config.checkinIntervalMinutes,
    driftCheckSeconds: config.driftCheckMs / 1000,
    driftWatch: config.driftWatch && host.watchChanges !== undefined,
    riskCheckSeconds: config.signals.riskCheckMs / 1000,
  });
  push.start();
  scheduler.start();
  // Drift: managed settings are re-read locally; a drifted one is re-applied and reported at once.
  const driftTimer = setInterval(() => void trigger('drift'), config.driftCheckMs);
  // A change to a watched store is checked for drift and, at once, for risk signals (a simulated host's file
  // holds injected processes, connections, detections and health too).
  const driftSoon = debounce(() => void trigger('drift'), WATCH_SETTLE_MS);
  const riskSoon = debounce(() => void monitor.check({ health: true }), RISK_SETTLE_MS);
  const onHostChange = () => {
    riskSoon();
    driftSoon();
  };
  const stopWatching = config.driftWatch && host.watchChanges ? host.watchChanges(onHostChange) : undefined;
  monitor.start();
  void delivery.flush();
  void trigger('startup');

  return {
    engine,
    monitor,
    async stop() {
      stopping = true;
      retry.cancel();
      scheduler.stop();
      clearInterval(driftTimer);
      stopWatching?.();
      push.stop();
      control?.close();
      await engine.idle();
      await monitor.stop();
      await delivery.stop();
      client.close();
      logger.info('agent stopped');
    },
  };
}
