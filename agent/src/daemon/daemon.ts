// The long-running agent: startup sync, periodic check-in, push-triggered syncs, control channel, graceful stop.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:net';
import { AttacheError } from '../../../common/errors.js';
import { privateKeyFromPem } from '../../../common/signing.js';
import type { ResolvedConfig } from '../config.js';
import type { Logger } from '../logging.js';
import { type AgentHost, controlAddress, posixPermissions } from '../platform/index.js';
import { StateStore } from '../state/state-store.js';
import { SyncEngine } from '../sync/sync-engine.js';
import { EndpointClient } from '../transport/endpoint-client.js';
import { PushClient } from '../transport/push-client.js';
import { CheckinScheduler } from './checkin-scheduler.js';
import { startControlServer } from './control-server.js';

export interface RunningDaemon {
  readonly engine: SyncEngine;
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
  const engine = new SyncEngine({ store, client, host, identity, now: Date.now, newId: randomUUID, logger: logger.child({ component: 'sync' }) });
  const trigger = (kind: Parameters<SyncEngine['sync']>[0]) =>
    engine.sync(kind).catch((err) => logger.error('sync failed', { trigger: kind, error: (err as Error).message }));

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
      if (state === 'connected') connectedBefore = true;
    },
    onInvalidMessage: (message) => pushLog.warn('push message ignored', { error: message }),
  });
  const scheduler = new CheckinScheduler(
    { intervalMinutes: config.checkinIntervalMinutes, jitterPercent: config.checkinJitterPercent },
    { run: () => trigger('schedule'), now: Date.now, random: Math.random },
  );
  let control: Server | undefined;
  try {
    control = await startControlServer(controlAddress(config.stateDir), { sync: () => engine.sync('manual') }, { posix: posixPermissions() });
  } catch (err) {
    client.close();
    throw new AttacheError('DAEMON_UNREACHABLE', `cannot open control channel ${controlAddress(config.stateDir)}: ${(err as Error).message}`, { cause: err });
  }
  logger.info('agent started', {
    deviceId: identity.deviceId,
    platform: host.platform,
    stateDir: config.stateDir,
    checkinMinutes: config.checkinIntervalMinutes,
  });
  push.start();
  scheduler.start();
  void trigger('startup');

  return {
    engine,
    async stop() {
      scheduler.stop();
      push.stop();
      control?.close();
      await engine.idle();
      client.close();
      logger.info('agent stopped');
    },
  };
}
