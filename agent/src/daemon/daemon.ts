// The long-running agent process: takes the state dir's lock, builds the real transport and signal sources, runs the
// shared agent runtime (runtime/agent-runtime.ts: sync, retry, push, check-in, drift, risk, signal delivery) and
// serves the local control channel; a stop undoes it in reverse order.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { sweepTempFiles, TEMP_SWEEP_AGE_MS } from '../../../common/atomic-file.js';
import { type Clock, systemClock } from '../../../common/clock.js';
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import { acquireInstanceLock, currentBootId, processIsAlive } from '../../../common/instance-lock.js';
import type { ResolvedConfig } from '../config.js';
import { DeviceKeyRotator } from '../enrollment/key-rotation.js';
import { softwareCollectorFor } from '../inventory/software/index.js';
import type { Logger } from '../logging.js';
import { type AgentHost, controlAddress, posixPermissions } from '../platform/index.js';
import type { RiskMonitor } from '../risk/risk-monitor.js';
import { createSignalSources } from '../risk/sources.js';
import { AgentRuntime, STARTUP_PUSH_WAIT_MS } from '../runtime/agent-runtime.js';
import { StateStore } from '../state/state-store.js';
import { buildPlan } from '../sync/preview.js';
import type { SyncEngine } from '../sync/sync-engine.js';
import { NodeCommandRunner } from '../system/command-runner.js';
import { NodeFileStore } from '../system/file-store.js';
import { EndpointClient } from '../transport/endpoint-client.js';
import { startControlServer } from './control-server.js';
import { loadIdentity } from './load-identity.js';

/** The state dir's lock file (common/instance-lock.ts): one daemon per state dir. */
export const AGENT_LOCK_FILE = 'agent.lock';

export interface RunningDaemon {
  readonly engine: SyncEngine;
  readonly monitor: RiskMonitor | undefined;
  /** Resolves when an offboard action has finished (identity deleted, service disabled): the process stops and exits 0. */
  readonly offboarded: Promise<void>;
  stop(): Promise<void>;
}

export interface DaemonDeps {
  readonly host: AgentHost;
  readonly logger: Logger;
  /** The system clock unless a test passes its own. */
  readonly clock?: Clock;
}

export async function startDaemon(config: ResolvedConfig, deps: DaemonDeps): Promise<RunningDaemon> {
  const { host, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const store = new StateStore(config.stateDir, { posixPermissions: posixPermissions(), onProblem: (message, details) => logger.warn(message, details) });
  await store.init();
  const lock = await acquireInstanceLock(
    { dir: config.stateDir, file: AGENT_LOCK_FILE, program: 'attache-agent' },
    { pid: process.pid, isAlive: processIsAlive, now: () => clock.now(), bootId: await currentBootId() },
  );
  let client: EndpointClient | undefined;
  let runtime: AgentRuntime | undefined;
  try {
    await sweepStateDir(config.stateDir, clock, logger);
    const { identity, privateKey } = await loadIdentity(store, config.stateDir);
    client = new EndpointClient(
      {
        endpointUrl: identity.endpointUrl,
        alternateEndpointUrls: identity.alternateEndpointUrls ?? [],
        caCertificate: identity.caCertificate,
        credentials: { deviceId: identity.deviceId, privateKey },
      },
      { clock },
    );
    const endpoint = client;
    const rotator = new DeviceKeyRotator(
      { rotateAfterDays: config.deviceKeyRotationDays },
      { store, client: endpoint, identity, now: () => clock.now(), logger: logger.child({ component: 'device-key' }) },
    );
    // A rotation a crash interrupted is finished before the first request (the endpoint may accept only the new key).
    await rotator.resume().catch((err: unknown) => logger.warn('device key rotation not finished yet', { error: toAttacheError(err).message }));
    const riskLog = logger.child({ component: 'risk' });
    const sources = createSignalSources(host, {
      stateDir: config.stateDir,
      hashMaxBytes: config.signals.hashMaxBytes,
      onInvalidIndicator: (message) => riskLog.warn('indicator skipped', { error: message }),
    });
    let offboarded: () => void = () => undefined;
    const whenOffboarded = new Promise<void>((resolve) => {
      offboarded = resolve;
    });
    const rt = new AgentRuntime(
      {
        checkinIntervalMinutes: config.checkinIntervalMinutes,
        checkinJitterPercent: config.checkinJitterPercent,
        driftCheckMs: config.driftCheckMs,
        driftWatch: config.driftWatch,
        signals: config.signals,
        startupPushWaitMs: STARTUP_PUSH_WAIT_MS,
        software: { intervalMs: config.softwareInventoryIntervalMs },
      },
      {
        store,
        client: endpoint,
        pushSigner: endpoint,
        host,
        identity,
        sources,
        clock,
        newId: randomUUID,
        logger,
        keyMaintenance: rotator,
        software: softwareCollectorFor(host, { runner: new NodeCommandRunner(), files: new NodeFileStore(), clock }),
        hooks: { onOffboarded: () => offboarded() },
      },
    );
    runtime = rt;
    const control = await openControl(config.stateDir, {
      sync: () => rt.engine.sync('manual'),
      driftCheck: () => rt.engine.sync('drift'),
      rotateKey: async () => (await rotator.rotate()).keyId,
      endpointUrl: () => endpoint.urls.currentAsWritten,
      plan: () => buildPlan({ store, host, identity, now: () => clock.now(), logger: logger.child({ component: 'plan' }) }, 'daemon'),
    });
    logger.info('agent started', {
      deviceId: identity.deviceId,
      platform: host.platform,
      stateDir: config.stateDir,
      checkinMinutes: config.checkinIntervalMinutes,
      driftCheckSeconds: config.driftCheckMs / 1000,
      driftWatch: config.driftWatch && host.watchChanges !== undefined,
      riskCheckSeconds: config.signals.riskCheckMs / 1000,
    });
    await rt.start();
    return {
      engine: rt.engine,
      monitor: rt.monitor,
      offboarded: whenOffboarded,
      async stop() {
        control.close();
        await rt.stop();
        endpoint.close();
        await lock.release();
        logger.info('agent stopped');
      },
    };
  } catch (err) {
    runtime?.kill();
    client?.close();
    await lock.release();
    throw err;
  }
}

/** Temp files a killed agent left mid-write in its state dir (only this daemon writes there: it holds the lock). */
async function sweepStateDir(stateDir: string, clock: Clock, logger: Logger): Promise<void> {
  for (const dir of [stateDir, join(stateDir, 'outbox'), join(stateDir, 'signals-outbox')]) {
    const swept = await sweepTempFiles(dir, { now: clock.now(), olderThanMs: TEMP_SWEEP_AGE_MS });
    if (swept.length > 0) logger.warn('stale temp files removed', { dir, files: swept });
  }
}

async function openControl(stateDir: string, handlers: Parameters<typeof startControlServer>[1]): Promise<Server> {
  const address = controlAddress(stateDir);
  try {
    return await startControlServer(address, handlers, { posix: posixPermissions() });
  } catch (err) {
    throw new AttacheError('DAEMON_UNREACHABLE', `cannot open control channel ${address}: ${(err as Error).message}`, { cause: err });
  }
}
