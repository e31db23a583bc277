// What each response action does on the device, over the host's primitives (ResponseHost): one function per type,
// taking the verified parameters and returning the result the endpoint's ActionResults[type] expects.
import { AttacheError } from '../../../../common/errors.js';
import type { ActionParametersOf, ActionResult, ActionResultOf, DeliveredActionType, SoftwareInventory } from '../../../../policy-schemas/src/index.js';
import type { IsolationState } from '../isolation/isolation.js';
import type { CollectedPackage, ProgressSink, ResponseHost } from '../response-host.js';

export interface HandlerDeps {
  /** Absent: the host cannot respond (every action fails ACTION_UNSUPPORTED). */
  readonly host: ResponseHost | undefined;
  /**
   * Every URL the agent talks to (preferred first, then alternates): an isolation always allows these, whatever the
   * action says, so it can never cut the agent off its own endpoint (review 17a, finding 11).
   */
  readonly endpointUrls: () => readonly string[];
  /** Uploads a collected package for the action (chunked, resumable); `signal` aborts it. */
  readonly uploadPackage: (actionId: string, pkg: CollectedPackage, signal: AbortSignal, progress: ProgressSink) => Promise<void>;
  /** Deletes a file (the package once uploaded or abandoned). */
  readonly removeFile: (path: string) => Promise<void>;
  /** Offboarding's local part: stop enforcing and restore every pre-management value (the baseline restore). */
  readonly restoreBaseline?: () => Promise<ActionResultOf<'offboard'>>;
  /** This device (an investigation package's manifest names it). */
  readonly deviceId: string;
  /**
   * updateSoftware: a fresh software inventory (the runtime's collector; `signal` kills its tool) and, once an update
   * ran, the software upload to run at once. Absent: updateSoftware fails ACTION_UNSUPPORTED.
   */
  readonly software?: {
    readonly collect: (signal?: AbortSignal) => Promise<SoftwareInventory>;
    readonly collected: () => void;
  };
}

export interface RunContext {
  readonly signal: AbortSignal;
  readonly progress: ProgressSink;
  /** updateSoftware: the previous one was interrupted by a restart (recovery.ts interruptedUpdateBefore). */
  readonly afterInterruption?: boolean;
  /** A warning for the agent's log about this action. */
  readonly notice?: (message: string) => void;
}

function allowed(state: IsolationState): ActionResultOf<'isolate'>['allowed'] {
  return state.endpoints.map(({ host, port, addresses }) => ({ host, port, addresses: [...addresses] }));
}

/** The action the executor runs: its id, type and parameters (as the ledger keeps them). */
export interface RunnableAction {
  readonly actionId: string;
  readonly type: DeliveredActionType;
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** The parameters of a verified action of `type` (the schema union does not narrow on type by itself). */
const params = <T extends DeliveredActionType>(action: RunnableAction, _type: T) => action.parameters as ActionParametersOf<T>;

/** Runs one verified action (not `cancel`: the executor handles that) and returns its result; throws its failure. */
export async function runAction(action: RunnableAction, ctx: RunContext, deps: HandlerDeps): Promise<ActionResult> {
  const host = deps.host;
  if (!host) throw new AttacheError('ACTION_UNSUPPORTED', `${action.type}: this host cannot carry out response actions`);
  switch (action.type) {
    case 'isolate': {
      const { mode } = params(action, 'isolate');
      const state = await host.isolation.isolate({ mode, endpointUrls: deps.endpointUrls() });
      return { mode: state.mode ?? mode, allowed: allowed(state) };
    }
    case 'release': {
      const before = await host.isolation.state();
      const after = await host.isolation.release();
      return { wasIsolated: before.isolated, ...(after.notice ? { notice: after.notice.slice(0, 2048) } : {}) };
    }
    case 'runAntivirusScan':
      return host.scan(params(action, 'runAntivirusScan').scanType, ctx.signal, ctx.progress);
    case 'collectInvestigationPackage':
      return collect(action.actionId, params(action, 'collectInvestigationPackage').maxBytes, ctx, deps, host);
    case 'stopAndQuarantineFile':
      return host.stopAndQuarantine({ ...params(action, 'stopAndQuarantineFile'), actionId: action.actionId });
    case 'restoreFromQuarantine':
      return host.restore(params(action, 'restoreFromQuarantine').quarantineId);
    case 'offboard':
      return offboard(deps, host);
    case 'updateSoftware':
      return updateSoftware(params(action, 'updateSoftware').packages, ctx, deps, host);
    case 'cancel':
      throw new AttacheError('INTERNAL', 'a cancel is handled by the executor, not run');
  }
}

/** Collect (0–50 %), upload (50–100 %), then the package file goes whatever happened. */
async function collect(actionId: string, maxBytes: number, ctx: RunContext, deps: HandlerDeps, host: ResponseHost): Promise<ActionResult> {
  const pkg = await host.collect({ maxBytes, deviceId: deps.deviceId }, ctx.signal, (p) => ctx.progress(Math.floor(p / 2)));
  try {
    await deps.uploadPackage(actionId, pkg, ctx.signal, (p) => ctx.progress(50 + Math.floor(p / 2)));
  } finally {
    await deps.removeFile(pkg.path).catch(() => undefined);
  }
  return { sizeBytes: pkg.sizeBytes, sha256: pkg.sha256, entries: pkg.entries, truncated: pkg.truncated };
}

/** Restores what management changed, then lifts an isolation (the device must stay reachable to report). */
async function offboard(deps: HandlerDeps, host: ResponseHost): Promise<ActionResult> {
  if (!deps.restoreBaseline) throw new AttacheError('ACTION_UNSUPPORTED', 'offboard: this agent cannot restore its pre-management values');
  const restored = await deps.restoreBaseline();
  if ((await host.isolation.state()).isolated) await host.isolation.release();
  return restored;
}

/** Runs the host's package manager over a fresh inventory, then the software upload follows at once (whatever happened). */
async function updateSoftware(
  packages: ActionParametersOf<'updateSoftware'>['packages'],
  ctx: RunContext,
  deps: HandlerDeps,
  host: ResponseHost,
): Promise<ActionResult> {
  const software = deps.software;
  if (!host.updateSoftware || !software) throw new AttacheError('ACTION_UNSUPPORTED', 'updateSoftware: this host cannot list or update its software');
  try {
    const request = { packages, inventory: software.collect, afterInterruption: ctx.afterInterruption === true, ...(ctx.notice ? { notice: ctx.notice } : {}) };
    return await host.updateSoftware(request, ctx.signal, ctx.progress);
  } finally {
    software.collected();
  }
}
