// The composition root of the management endpoint: data dir, store, PKI and secrets, push hub, HTTPS server.
// main.ts (the CLI) and the integration tests both start the endpoint through startEndpoint.
import type { AddressInfo } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { sweepTempFiles, TEMP_SWEEP_AGE_MS } from '../../common/atomic-file.js';
import { type Clock, systemClock } from '../../common/clock.js';
import { AttacheError } from '../../common/errors.js';
import { lockDataDir } from './data-dir-lock.js';
import { openEndpointStore } from './endpoint-store.js';
import { AdmissionController, type AdmissionLimits, type LoadProbe } from './http/admission.js';
import { endpointMetrics, type MetricsListen, registerOpsRoutes } from './http/ops-routes.js';
import type { EnrollRateLimits } from './http/rate-limit.js';
import { createHttpServer } from './http/server.js';
import type { Logger } from './logging.js';
import { type EndpointIdentity, loadOrCreateEndpointIdentity } from './pki/endpoint-identity.js';
import { dataPath, ensureDataDir, writePrivateFile } from './pki/files.js';
import { loadOwnCertificate, type OwnCertificateFiles, withOwnCertificate } from './pki/own-certificate.js';
import { PolicySigningKeyRing } from './pki/signing-key-ring.js';
import { PushHub } from './push/push-hub.js';
import { pushActionsHere } from './service/actions/action-delivery.js';
import { ACTION_TIMEOUT_SWEEP_MS, type ActionSettings } from './service/actions/action-envelope.js';
import { timeOutDue } from './service/actions/action-views.js';
import { AuditLog } from './service/audit/audit-log.js';
import { type Cluster, joinCluster, openCluster } from './service/cluster.js';
import { ACCESS_TOKEN_REFRESH_MS, AccessTokenRegistry } from './service/compliance/access-tokens.js';
import { ComplianceService, storedExposure } from './service/compliance/compliance-service.js';
import { startComplianceTimer } from './service/compliance/compliance-timer.js';
import type { UnassignedState } from './service/compliance/evaluate.js';
import type { ServiceContext } from './service/context.js';
import { DeviceSetViews } from './service/device-sets.js';
import { checkAlternateUrls } from './service/enrollment.js';
import { ensureBootstrapAdmin } from './service/identity/bootstrap.js';
import { PushPresence } from './service/presence.js';
import { SetDelivery } from './service/set-delivery.js';
import { SecurityTaskService } from './service/tasks/security-tasks.js';
import { TASK_SWEEP_MS } from './service/tasks/task-sweep.js';
import { STALE_SWEEP_MS } from './service/vulnerabilities/stale-sweep.js';
import { createVulnerabilityService } from './service/vulnerabilities/vulnerability-service.js';
import { redactedDatabaseUrl } from './store/postgres-store.js';

/** Where and how to run the endpoint. */
export interface EndpointOptions {
  readonly dataDir: string;
  /** Host to listen on (default 127.0.0.1). */
  readonly listenHost?: string;
  /** Port to listen on; 0 picks a free one (default 8443). */
  readonly listenPort?: number;
  /** The https URL devices use; default https://<listen host>:<actual port> (the machine name for a wildcard host). */
  readonly publicUrl?: string;
  /** Other https URLs of this deployment (replicas, load balancer names): in every onboarding package, in the certificate. */
  readonly alternateUrls?: readonly string[];
  /** Extra DNS names or IPs for the server certificate. */
  readonly extraNames?: readonly string[];
  /** "Mark devices with no compliance policy assigned as" (default compliant, as Intune). */
  readonly unassignedCompliance?: UnassignedState;
  /** How often the compliance timer re-evaluates devices whose state may have gone stale (default 60 s). */
  readonly complianceIntervalMs?: number;
  /** Response actions' settings (config file `actions`); absent: the defaults (service/actions/action-envelope.ts). */
  readonly actions?: ActionSettings;
  /** Enrollment rate limits per source address and in total (default DEFAULT_ENROLL_RATE_LIMITS); false: none. */
  readonly enrollRateLimits?: EnrollRateLimits | false;
  /** Admission control of the device API (defaults DEFAULT_ADMISSION_LIMITS, http/admission.ts); false: none (tests). */
  readonly admission?: Partial<AdmissionLimits> | false;
  /** Length of the kernel's queue of not yet accepted connections (default 4096; Linux caps it at net.core.somaxconn). */
  readonly listenBacklog?: number;
  /** postgres:// URL of the database; absent: SQLite in the data dir (db.sqlite), the embedded default. */
  readonly databaseUrl?: string;
  /** With a database URL: the key-encryption key file sealing the CA and policy-signing keys in the database. */
  readonly keyEncryptionKeyFile?: string;
  /** The operator's own server certificate, key and root CA (pki/own-certificate.ts); absent: the endpoint's own CA. */
  readonly ownCertificate?: OwnCertificateFiles;
  /** Where GET /metrics is served (http/ops-routes.ts); absent: no metrics. */
  readonly metrics?: MetricsListen;
}

/** How often the leader removes replicas gone for good from the presence tables. */
const PRESENCE_SWEEP_MS = 60_000;

/** Default listen backlog: a burst of connects waits in the kernel instead of being refused (Node's default is 511). */
export const DEFAULT_LISTEN_BACKLOG = 4096;

/** Dependencies of the endpoint: a logger, and optionally a clock (time and the compliance timer; tests pass a manual one). */
export interface EndpointDeps {
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Capacity signal of admission control (default: the event-loop delay sampled on `clock`). */
  readonly loadProbe?: LoadProbe;
}

/** A running endpoint. */
export interface RunningEndpoint {
  /** Local URL of the listener (what admin.json points at). */
  readonly url: string;
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly port: number;
  readonly identity: EndpointIdentity;
  readonly context: ServiceContext;
  /** Admission control of the device API; undefined when turned off. */
  readonly admission: AdmissionController | undefined;
  /** Whether this process runs the periodic work of its replicas (always, on SQLite). */
  isLeader(): boolean;
  /** http://host:port/metrics of the separate metrics listener (`--metrics <host:port>`); undefined otherwise. */
  readonly metricsUrl: string | undefined;
  /** Closes the push sockets, the server and the database. */
  close(): Promise<void>;
}

/** Contents of <dataDir>/admin.json, read by the admin CLI. */
export interface AdminConfigFile {
  readonly url: string;
  readonly caFile: string;
  readonly tokenFile: string;
  /** With an own certificate: the name to check it against (it need not cover the local address in `url`). */
  readonly serverName?: string;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Checks and normalises a public URL (https, no trailing slash). */
export function normalisePublicUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AttacheError('CONFIG_INVALID', `public URL ${url} is not a URL`);
  }
  if (parsed.protocol !== 'https:') throw new AttacheError('CONFIG_INVALID', `public URL ${url} must use https`);
  return url.replace(/\/+$/, '');
}

/** Starts the endpoint: creates what is missing in the data dir, listens, and writes admin.json. */
export async function startEndpoint(options: EndpointOptions, deps: EndpointDeps): Promise<RunningEndpoint> {
  const clock = deps.clock ?? systemClock;
  const dataDir = resolve(options.dataDir);
  const listenHost = options.listenHost ?? '127.0.0.1';
  const wildcard = WILDCARD_HOSTS.has(listenHost);
  const configuredPublicUrl = options.publicUrl === undefined ? undefined : normalisePublicUrl(options.publicUrl);
  const extraNames = [...(options.extraNames ?? [])];
  if (!wildcard) extraNames.push(listenHost);
  if (configuredPublicUrl) extraNames.push(new URL(configuredPublicUrl).hostname.replace(/^\[|\]$/g, ''));
  const alternateUrls = checkAlternateUrls((options.alternateUrls ?? []).map(normalisePublicUrl), configuredPublicUrl);
  for (const url of alternateUrls) extraNames.push(new URL(url).hostname.replace(/^\[|\]$/g, ''));

  const own = options.ownCertificate
    ? await loadOwnCertificate(
        options.ownCertificate,
        { publicUrl: configuredPublicUrl, extraNames: options.extraNames ?? [] },
        { now: new Date(clock.now()), logger: deps.logger },
      )
    : undefined;
  await ensureDataDir(dataDir);
  // A secret half-written when the endpoint was killed stays a temp file; nothing reads it, so it goes.
  const swept = await sweepTempFiles(dataDir, { now: clock.now(), olderThanMs: TEMP_SWEEP_AGE_MS });
  if (swept.length > 0) deps.logger.warn('stale temp files removed', { component: 'endpoint', dataDir, files: swept });
  const backlog = options.listenBacklog ?? DEFAULT_LISTEN_BACKLOG;
  if (!Number.isInteger(backlog) || backlog < 1) throw new AttacheError('CONFIG_INVALID', `listen backlog must be a positive integer, got ${backlog}`);
  const lock = await lockDataDir(dataDir, clock);
  const { store, vault, kek } = await openEndpointStore(dataDir, options, clock).catch(async (err: unknown) => {
    await lock.release();
    throw err;
  });
  deps.logger.info('store opened', { component: 'endpoint', database: options.databaseUrl ? redactedDatabaseUrl(options.databaseUrl) : 'sqlite' });
  let admission: AdmissionController | undefined;
  let cluster: Cluster | undefined;
  let presence: PushPresence | undefined;
  const stopOnClose: (() => Promise<void>)[] = [];
  try {
    cluster = await openCluster(options.databaseUrl, { clock, logger: deps.logger, kek });
    const { bus, leadership } = cluster;
    const identity = withOwnCertificate(await loadOrCreateEndpointIdentity({ dataDir, extraNames, vault }, { store, clock, logger: deps.logger }), own);
    // The first Administrator (admin.token is its bootstrap token): created once, its password written 0600.
    await ensureBootstrapAdmin({ store, clock, logger: deps.logger }, dataDir);
    const signingKeys = await PolicySigningKeyRing.load(vault, identity.policySigning, {
      store,
      logger: deps.logger,
      onChange: () => bus.publish({ type: 'signingKeys' }),
    });
    const hub = new PushHub({ logger: deps.logger, bus });
    let publicUrl = configuredPublicUrl ?? '';
    const compliance = new ComplianceService(
      { ...(options.unassignedCompliance ? { unassignedState: options.unassignedCompliance } : {}) },
      { store, clock, logger: deps.logger, bus, exposureOf: storedExposure(store) },
    );
    // Vulnerability management (issue 18): after each recompute, security tasks check completion and compliance moves.
    const vulnerabilities = createVulnerabilityService({
      store,
      devices: store,
      clock,
      logger: deps.logger,
      openTaskCounts: (ids) => store.openTaskCounts(ids),
    });
    const securityTasks = new SecurityTaskService({
      store,
      software: store,
      recommendation: (id) => vulnerabilities.recommendation(id),
      clock,
      logger: deps.logger,
    });
    vulnerabilities.onRecomputed((ids) => securityTasks.onRecomputed(ids));
    vulnerabilities.onRecomputed((ids) => compliance.onExposure(ids));
    const accessTokens = new AccessTokenRegistry(identity.adminTokenHash, { store, clock, logger: deps.logger });
    await accessTokens.load();
    // Settings may have changed and time has passed since the last run: every decision is fresh before we listen. The
    // leader evaluates; another replica joining takes the decisions the leader stored.
    if (leadership.isLeader()) await compliance.evaluateAll('startup');
    else await compliance.reload();
    // Replicas: which devices are connected to which replica, for admins asking any of them.
    presence = options.databaseUrl ? new PushPresence({ store, hub, clock, logger: deps.logger, replicaId: bus.replicaId }) : undefined;
    const context: ServiceContext = {
      store,
      hub,
      ...(presence ? { presence } : {}),
      sets: new DeviceSetViews({ store, signingKeys, identity, clock, bus }),
      identity,
      signingKeys,
      clock,
      logger: deps.logger,
      compliance,
      accessTokens,
      audit: new AuditLog({ store, clock, logger: deps.logger }),
      ...(options.actions ? { actionSettings: options.actions } : {}),
      vulnerabilities,
      securityTasks,
      get publicUrl() {
        return publicUrl;
      },
      alternateUrls,
    };
    // Channel-2 devices get their changed sets over the push socket.
    const delivery = new SetDelivery(context);
    hub.useDeliverer(delivery.enqueue);
    joinCluster(bus, { hub, sets: context.sets, compliance, signingKeys, logger: deps.logger, actions: (ids) => pushActionsHere(context, ids) });
    admission =
      options.admission === false
        ? undefined
        : new AdmissionController(options.admission ?? {}, { clock, logger: deps.logger, ...(deps.loadProbe ? { probe: deps.loadProbe } : {}) });
    const metrics = endpointMetrics(options.metrics, {
      connectedDevices: () => hub.size,
      store,
      deliveryQueue: () => delivery.queued,
      ...(admission ? { admission } : {}),
    });
    const app = await createHttpServer(
      {
        tlsKeyPem: identity.serverKeyPem,
        tlsCertPem: identity.serverCertPem,
        ...(options.enrollRateLimits === undefined ? {} : { enrollRateLimits: options.enrollRateLimits }),
        ...(admission ? { admission } : {}),
        ...(metrics ? { metrics } : {}),
      },
      context,
    );
    const ops = await registerOpsRoutes(app, { listen: options.metrics, metrics }, { store, clock, logger: deps.logger });
    await app.listen({ host: listenHost, port: options.listenPort ?? 8443, backlog });
    const port = (app.server.address() as AddressInfo).port;
    const url = `https://${urlHost(wildcard ? '127.0.0.1' : listenHost)}:${port}`;
    publicUrl ||= `https://${urlHost(wildcard ? osHostname() : listenHost)}:${port}`;
    const adminConfig: AdminConfigFile = {
      url,
      caFile: own?.caFile ?? dataPath(dataDir, 'caCert'),
      tokenFile: dataPath(dataDir, 'adminToken'),
      ...(own ? { serverName: new URL(publicUrl).hostname.replace(/^\[|\]$/g, '') } : {}),
    };
    await writePrivateFile(dataPath(dataDir, 'adminConfig'), `${JSON.stringify(adminConfig, null, 2)}\n`);
    // One replica runs the staleness timer (the leader; another takes over when it dies).
    leadership.whileLeader(() =>
      startComplianceTimer(
        compliance,
        { ...(options.complianceIntervalMs === undefined ? {} : { intervalMs: options.complianceIntervalMs }) },
        { clock, logger: deps.logger },
      ),
    );
    // One replica marks expired response actions timeOut (they are also checked on every admin read).
    leadership.whileLeader(() => {
      const sweep = clock.every(ACTION_TIMEOUT_SWEEP_MS, () =>
        timeOutDue(context).catch((err: unknown) => deps.logger.warn('action time-out sweep failed', { component: 'actions', error: String(err) })),
      );
      return async () => sweep.cancel();
    });
    // One replica repairs stale exposure: missing, older than the device's software or than the last import (review18 H3).
    leadership.whileLeader(() => {
      const sweep = clock.every(STALE_SWEEP_MS, () =>
        vulnerabilities
          .recomputeStale()
          .catch((err: unknown) => deps.logger.warn('stale exposure sweep failed', { component: 'vulnerabilities', error: String(err) })),
      );
      return async () => sweep.cancel();
    });
    // One replica re-checks open security tasks against all their devices (review18 M6: a lost update never sticks).
    leadership.whileLeader(() => {
      const sweep = clock.every(TASK_SWEEP_MS, () =>
        securityTasks.sweep().catch((err: unknown) => deps.logger.warn('security task sweep failed', { component: 'tasks', error: String(err) })),
      );
      return async () => sweep.cancel();
    });
    if (presence) {
      const p = presence;
      await p.start();
      // Access tokens created or revoked through another replica (service/compliance/access-tokens.ts).
      const refresh = clock.every(ACCESS_TOKEN_REFRESH_MS, () => accessTokens.refresh());
      stopOnClose.push(async () => refresh.cancel());
      leadership.whileLeader(() => {
        const sweep = clock.every(PRESENCE_SWEEP_MS, () => p.sweep());
        return async () => sweep.cancel();
      });
    }
    deps.logger.info('endpoint listening', { component: 'endpoint', url, publicUrl, dataDir, tenantId: identity.tenantId, caPin: identity.caPin });

    let closing: Promise<void> | undefined;
    return {
      url,
      publicUrl,
      dataDir,
      port,
      identity,
      context,
      admission,
      isLeader: () => leadership.isLeader(),
      metricsUrl: ops.metricsUrl,
      close: () => {
        closing ??= (async () => {
          await app.close();
          await ops.close();
          admission?.close();
          for (const stop of stopOnClose) await stop();
          await presence?.close();
          await cluster?.close();
          await store.close();
          await lock.release();
          deps.logger.info('endpoint stopped', { component: 'endpoint' });
        })();
        return closing;
      },
    };
  } catch (err) {
    admission?.close();
    await presence?.close();
    await cluster?.close();
    await store.close();
    await lock.release();
    throw err;
  }
}
