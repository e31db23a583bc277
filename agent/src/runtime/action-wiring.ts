// The response-action executor as the runtime wires it: verification against the pinned keys (sync/action-trust.ts),
// updates through the signals outbox (kind actionUpdates, never superseded), the isolation's refresh, and offboarding
// (restore every pre-management value, report and wait for the ack, delete the identity, disable the service).
import type { Clock, TimerHandle } from '../../../common/clock.js';
import { isoNow, sleep } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import type { ActionResultOf, AgentIdentity, DeliveredAction } from '../../../policy-schemas/src/index.js';
import { removeLeftoverPackages } from '../actions/collect/index.js';
import { ActionExecutor } from '../actions/executor/executor.js';
import type { HandlerDeps } from '../actions/executor/handlers.js';
import { ActionLedger } from '../actions/executor/ledger.js';
import { IsolationController } from '../actions/isolation/responder.js';
import type { CollectedPackage, ProgressSink, ResponseHost } from '../actions/response-host.js';
import type { Logger } from '../logging.js';
import type { AgentHost } from '../platform/index.js';
import type { SignalDelivery } from '../risk/signal-delivery.js';
import type { StateStore } from '../state/state-store.js';
import { actionVerifier } from '../sync/action-trust.js';
import { enforce } from '../sync/enforce.js';
import type { EndpointClient } from '../transport/endpoint-client.js';
import { type PackageUploadClient, uploadPackage } from '../transport/package-upload.js';

/** How often an offboarding agent tries again to get its last update acknowledged. */
export const OFFBOARD_ACK_RETRY_MS = 30_000;

/** Uploads a collected investigation package for action `actionId` (transport/package-upload.ts: chunked, resumable). */
export type PackageUploader = (actionId: string, pkg: CollectedPackage, signal: AbortSignal, progress: ProgressSink) => Promise<void>;

/** The uploader over `client` (the runtime's transport), or one that fails when the transport cannot upload. */
export function packageUploader(client: Partial<PackageUploadClient>, clock: Clock): PackageUploader {
  const { getPackageUpload, putPackageChunk } = client;
  if (!getPackageUpload || !putPackageChunk)
    return async (actionId) => {
      throw new AttacheError('ACTION_UNSUPPORTED', `collectInvestigationPackage ${actionId}: this transport cannot upload a package`);
    };
  const uploadClient: PackageUploadClient = { getPackageUpload: getPackageUpload.bind(client), putPackageChunk: putPackageChunk.bind(client) };
  return (actionId, pkg, signal, progress) => uploadPackage(actionId, pkg, { client: uploadClient, clock }, {}, signal, progress);
}

export interface ActionWiringDeps {
  readonly store: StateStore;
  readonly host: AgentHost;
  readonly identity: AgentIdentity;
  readonly delivery: SignalDelivery;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly logger: Logger;
  /** A sync: follows the endpoint's signing-key chain before an action signed by a new key is checked again. */
  readonly sync: () => Promise<unknown>;
  /** Stops enforcing (schedule, drift, push syncs) and waits for a sync in progress: offboarding has begun. */
  readonly stopEnforcing: () => Promise<void>;
  /** Enforcing again: an offboard failed (a setting could not be restored), the device stays managed. */
  readonly resumeEnforcing?: () => void;
  /** The daemon exits (0) once offboarding is done. */
  readonly onOffboarded?: () => void;
  /** True once the runtime is stopping: offboarding stops waiting for its ack (a restart resumes it). */
  readonly stopped?: () => boolean;
  /** Uploads a collected package (the runtime passes packageUploader over its transport). */
  readonly uploadPackage: PackageUploader;
  /** updateSoftware's fresh inventories and the upload it triggers (HandlerDeps.software); absent: refused. */
  readonly software?: HandlerDeps['software'];
}

/** Every URL the agent talks to: its identity's preferred URL, then the alternates. */
const agentEndpointUrls = (identity: AgentIdentity) => [identity.endpointUrl, ...(identity.alternateEndpointUrls ?? [])];

/** The executor of this runtime, its updates queued in the signals outbox. */
export function createActionExecutor(deps: ActionWiringDeps): ActionExecutor {
  const { store, identity, clock, logger } = deps;
  const actionLog = logger.child({ component: 'actions' });
  const responder = deps.host.responder;
  const ledger = new ActionLedger(store.dir, store.fileStore, (message, details) => actionLog.warn(message, details));
  // Offboards whose succeeded update the endpoint has stored (acknowledged, or refused as already offboarded): only
  // then may the identity go (review 17b #6). Watched from the start: the ack can come before offboarding continues.
  const confirmed = new Set<string>();
  deps.delivery.watchActionUpdates(({ updates, ack, refused }) => {
    for (const u of updates) {
      if (u.status !== 'succeeded') continue;
      if (ack || refused === 'DEVICE_OFFBOARDED') confirmed.add(u.actionId);
      else actionLog.error('action outcome refused by the endpoint', { actionId: u.actionId, code: refused });
    }
  });
  return new ActionExecutor({
    host: responder,
    ledger,
    verify: actionVerifier({ store, identity, now: () => clock.now() }),
    refreshKeys: async () => void (await deps.sync()),
    report: (update) => deps.delivery.enqueue({ kind: 'actionUpdates', body: { updates: [update] } }),
    endpointUrls: () => agentEndpointUrls(identity),
    uploadPackage: deps.uploadPackage,
    ...(deps.software ? { software: deps.software } : {}),
    removeFile: (path) => store.fileStore.remove(path),
    clearPackages: () => removeLeftoverPackages(store.dir),
    restoreBaseline: () => restoreEverything(deps),
    deviceId: identity.deviceId,
    clock,
    logger: actionLog,
    offboarded: (actionId) => finishOffboarding(deps, responder, actionId, { confirmed, ledger }),
  });
}

/** The same path as a policy removed: nothing is managed any more, so every baseline entry is restored. */
async function restoreEverything(deps: ActionWiringDeps): Promise<ActionResultOf<'offboard'>> {
  await deps.stopEnforcing();
  const before = Object.keys(await deps.store.readBaseline()).length;
  const at = isoNow(deps.clock);
  const { events } = await enforce([], { store: deps.store, host: deps.host, logger: deps.logger.child({ component: 'offboard' }) }, { at, restore: true });
  const restoredSettings = events.filter((e) => e.type === 'restored').length;
  const failed = Object.keys(await deps.store.readBaseline()).sort();
  if (failed.length > 0) {
    // A value left enforced on a device no agent manages could never be undone remotely (review 17b #6): the offboard
    // fails, the identity stays and enforcing resumes; fix the setting (or remove it from the policies) and retry.
    deps.logger.error('offboard failed: settings not restored', { baseline: before, restoredSettings, failedSettings: failed });
    deps.resumeEnforcing?.();
    const named = failed.slice(0, 20).join(', ') + (failed.length > 20 ? `, and ${failed.length - 20} more` : '');
    throw new AttacheError(
      'OFFBOARD_FAILED',
      `${failed.length} setting(s) could not be restored to their pre-management value: ${named}; the device stays managed`,
    );
  }
  deps.logger.info('pre-management values restored for offboarding', { baseline: before, restoredSettings, failedSettings: 0 });
  return { restoredSettings, failedSettings: 0 };
}

/**
 * After the succeeded update is queued (or at a start that finds an offboard succeeded in the ledger): enforcing stays
 * off, the update's ack, then the identity goes, then the service is disabled.
 */
async function finishOffboarding(
  deps: ActionWiringDeps,
  responder: ResponseHost | undefined,
  actionId: string,
  seen: { readonly confirmed: ReadonlySet<string>; readonly ledger: ActionLedger },
): Promise<void> {
  const log = deps.logger.child({ component: 'offboard' });
  await deps.stopEnforcing();
  for (;;) {
    if (deps.stopped?.()) return; // the ledger says succeeded: the next start resumes from here
    let left = await deps.delivery.flush();
    if (seen.confirmed.has(actionId)) break;
    if (left === 0) {
      // Nothing queued and no ack seen: the update was dropped, or acknowledged before a restart. The stored outcome
      // goes again (an endpoint that already has it acknowledges it, or refuses DEVICE_OFFBOARDED: both confirm it).
      const entry = seen.ledger.get(actionId);
      if (entry?.status === 'succeeded') {
        const at = entry.completedAt ?? isoNow(deps.clock);
        const update = { actionId, deviceId: deps.identity.deviceId, sequence: Math.max(1, entry.sequence), status: 'succeeded' as const, at };
        await deps.delivery.enqueue({
          kind: 'actionUpdates',
          body: { updates: [{ ...update, ...(entry.result ? { result: entry.result } : {}), duplicate: true }] },
        });
        left = await deps.delivery.flush();
        if (seen.confirmed.has(actionId)) break;
      }
    }
    log.warn('offboard: waiting for the endpoint to acknowledge; the identity is kept until then', { actionId, queued: left });
    await sleep(deps.clock, OFFBOARD_ACK_RETRY_MS);
  }
  // Nothing new ran since the offboard (the executor refuses it), but an isolation must never outlive the agent.
  if (responder && (await responder.isolation.state()).isolated) await responder.isolation.release();
  await deps.store.deleteIdentity();
  log.info('offboarded: identity deleted', { actionId });
  // The identity is gone, so this agent can never run again usefully: a service that cannot be disabled (no systemd,
  // a denied SCM call) is logged and the daemon still exits 0, which no service manager treats as a crash.
  if (responder)
    await responder
      .disableService()
      .catch((err: unknown) => log.error('offboard: the service could not be disabled', { actionId, error: (err as Error).message }));
  deps.onOffboarded?.();
}

/** A transport whose policies answers hand their `actions` to `onActions` (the set goes on unchanged). */
export function withActionDelivery<T extends Pick<EndpointClient, 'getPolicies'>>(client: T, onActions: (actions: readonly DeliveredAction[]) => void): T {
  const getPolicies: EndpointClient['getPolicies'] = async (etag) => {
    const result = await client.getPolicies(etag);
    if (!result.notModified && result.body.actions && result.body.actions.length > 0) onActions(result.body.actions);
    return result;
  };
  return new Proxy(client, { get: (target, prop, receiver) => (prop === 'getPolicies' ? getPolicies : Reflect.get(target, prop, receiver)) });
}

/** Isolation kept in force: re-applied at start (after a reboot) and refreshed on a timer; absent without a responder. */
export async function startIsolationUpkeep(host: AgentHost, identity: AgentIdentity, clock: Clock, logger: Logger): Promise<TimerHandle | undefined> {
  const isolation = host.responder?.isolation;
  if (!isolation) return undefined;
  if (isolation instanceof IsolationController) isolation.useAgentEndpoints(agentEndpointUrls(identity));
  const log = logger.child({ component: 'isolation' });
  const report = (err: unknown) => log.error('isolation re-apply failed', { error: (err as Error).message });
  const state = await isolation.reapply().catch((err: unknown) => report(err));
  if (state?.isolated) log.warn('device isolated', { mode: state.mode, since: state.since, enforced: state.enforced });
  if (state?.notice) log.warn('isolation notice', { notice: state.notice });
  // A simulated host's isolation has nothing to re-apply on a timer; the real controller re-resolves and re-applies.
  return isolation instanceof IsolationController ? isolation.startRefresh(clock, report) : undefined;
}
