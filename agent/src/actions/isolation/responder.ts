// The IsolationResponder of every OS: one controller owning the order of events (check the mode, resolve every
// endpoint, persist the intent, then touch the OS; roll back on failure) over a per-OS IsolationBackend that only
// loads and removes rules. Operations run one at a time, so the refresh timer never races an isolate or a release.
import type { Clock, TimerHandle } from '../../../../common/clock.js';
import { isoNow } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import type { AgentIsolationState } from '../../../../policy-schemas/src/isolation.js';
import type { FileStore } from '../../system/file-store.js';
import { endpointTargets, type HostResolver, resolveEndpoints } from './endpoints.js';
import { IsolationIntentStore } from './intent-store.js';
import type { IsolationBackend, IsolationPlan, IsolationResponder, IsolationState } from './isolation.js';

/** How often a persisted isolation is re-resolved and re-applied (a deleted table comes back within this). */
export const ISOLATION_REFRESH_MS = 5 * 60_000;

export interface IsolationControllerOptions {
  /** The agent's state dir; isolation.json lives there. */
  readonly stateDir: string;
}

export interface IsolationControllerDeps {
  readonly backend: IsolationBackend;
  readonly files: FileStore;
  readonly resolve: HostResolver;
  readonly clock: Pick<Clock, 'now'>;
}

export class IsolationController implements IsolationResponder {
  private readonly store: IsolationIntentStore;
  private queue: Promise<unknown> = Promise.resolve();
  /** The URLs the agent itself talks to (its identity's preferred and alternate URLs), allowed by every isolation. */
  private agentUrls: readonly string[] = [];

  constructor(
    options: IsolationControllerOptions,
    private readonly deps: IsolationControllerDeps,
  ) {
    this.store = new IsolationIntentStore(options.stateDir, deps.files);
  }

  /**
   * Tells the controller which URLs the agent talks to: every later isolation allows them whatever the plan says, so an
   * action carrying a wrong or old URL can never cut the agent off its own endpoint (review 17a, finding 11).
   */
  useAgentEndpoints(urls: readonly string[]): void {
    this.agentUrls = [...urls];
  }

  isolate(plan: IsolationPlan): Promise<IsolationState> {
    return this.serial(async () => {
      if (plan.mode !== 'full' && plan.mode !== 'selective')
        throw new AttacheError('ACTION_INVALID', `mode: must be full or selective, not ${JSON.stringify(plan.mode)}`);
      const unsupported = this.deps.backend.unsupportedMode(plan.mode);
      if (unsupported) throw new AttacheError('ACTION_UNSUPPORTED', unsupported);
      // Everything that can fail without touching the OS comes first: the URLs, then every host's addresses.
      const endpoints = await resolveEndpoints(endpointTargets([...this.agentUrls, ...plan.endpointUrls]), this.deps.resolve);
      const previous = await this.store.read();
      const saved = previous ? previous.saved : await this.os('read the firewall state to restore on release', () => this.deps.backend.snapshot());
      const intent: AgentIsolationState = {
        formatVersion: 1,
        mode: plan.mode,
        since: previous?.since ?? isoNow(this.deps.clock),
        endpoints,
        ...(saved ? { saved: { ...saved } } : {}),
      };
      await this.store.write(intent);
      try {
        await this.deps.backend.apply(endpoints);
      } catch (err) {
        await this.rollBack(previous, intent, err);
      }
      return this.describe(intent);
    });
  }

  release(): Promise<IsolationState> {
    return this.serial(async () => {
      // A corrupt isolation.json must not keep a device isolated: the rules go regardless, and the values it saved
      // (Windows profile defaults) are replaced by the OS's documented safe defaults, reported in `notice`.
      let corrupt: string | undefined;
      const intent = await this.store.read().catch((err: unknown) => {
        if (!(err instanceof AttacheError && err.code === 'STATE_CORRUPT')) throw err;
        corrupt = err.message;
        return undefined;
      });
      const saved = intent ? intent.saved : this.deps.backend.unsavedDefaults;
      await this.os('remove the isolation', () => this.deps.backend.remove(saved));
      await this.store.remove();
      const state = await this.describe(undefined);
      return corrupt === undefined ? state : { ...state, notice: `isolation.json was unreadable (${corrupt}): ${this.unsavedNotice()}` };
    });
  }

  state(): Promise<IsolationState> {
    return this.serial(async () => this.describe(await this.store.read()));
  }

  reapply(): Promise<IsolationState> {
    return this.serial(async () => {
      const intent = await this.store.read();
      if (!intent) {
        // Rules with no intent: a crash between release's remove and the file's removal cannot leave this, but a
        // hand-restored backup can; the agent never keeps a device isolated that it has no record of isolating.
        if (!(await this.deps.backend.present())) return this.describe(undefined);
        await this.os('remove a stray isolation', () => this.deps.backend.remove(this.deps.backend.unsavedDefaults));
        return { ...(await this.describe(undefined)), notice: `isolation rules with no isolation.json: ${this.unsavedNotice()}` };
      }
      const targets = intent.endpoints.map(({ url, host, port }) => ({ url, host, port }));
      const endpoints = await resolveEndpoints(targets, this.deps.resolve, intent.endpoints);
      const next = { ...intent, endpoints };
      if (JSON.stringify(endpoints) !== JSON.stringify(intent.endpoints)) await this.store.write(next);
      await this.os('re-apply the isolation', () => this.deps.backend.apply(endpoints));
      return this.describe(next);
    });
  }

  /** Calls reapply every `intervalMs`; a failure goes to `onError` and the next tick tries again. */
  startRefresh(clock: Pick<Clock, 'every'>, onError: (err: unknown) => void, intervalMs = ISOLATION_REFRESH_MS): TimerHandle {
    return clock.every(intervalMs, () => this.reapply().catch(onError));
  }

  private async rollBack(previous: AgentIsolationState | undefined, intent: AgentIsolationState, err: unknown): Promise<never> {
    const failure = new AttacheError('ISOLATION_FAILED', `cannot isolate: ${(err as Error).message}`, { cause: err });
    try {
      if (previous) {
        await this.deps.backend.apply(previous.endpoints);
        await this.store.write(previous);
      } else {
        await this.deps.backend.remove(intent.saved);
        await this.store.remove();
      }
    } catch (rollbackErr) {
      // The intent stays on disk: the next start or refresh retries, and release still removes everything.
      throw new AttacheError('ISOLATION_FAILED', `${failure.message}; rolling back failed too: ${(rollbackErr as Error).message}`, { cause: err });
    }
    throw failure;
  }

  private unsavedNotice(): string {
    const defaults = this.deps.backend.unsavedDefaults;
    const restored = defaults ? `; the saved OS values were lost, so these defaults were set: ${JSON.stringify(defaults)}` : '';
    return `the isolation rules were removed${restored}`;
  }

  private async os<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof AttacheError) throw err;
      throw new AttacheError('ISOLATION_FAILED', `cannot ${what}: ${(err as Error).message}`, { cause: err });
    }
  }

  private async describe(intent: AgentIsolationState | undefined): Promise<IsolationState> {
    const enforced = await this.deps.backend.present();
    if (!intent) return { isolated: false, endpoints: [], enforced };
    return { isolated: true, mode: intent.mode, since: intent.since, endpoints: intent.endpoints, enforced };
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
