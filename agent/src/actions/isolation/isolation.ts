// The isolation contract (issue 17, Defender's "isolate device"): what the action executor calls, and what each OS
// implements. A responder cuts the device off the network except loopback and its management endpoint(s), keeps that
// intent in isolation.json until it is released, and re-applies it at agent start and on a refresh timer.
import type { IsolationEndpoint, IsolationMode } from '../../../../policy-schemas/src/isolation.js';

export type { IsolationEndpoint, IsolationMode };

/** What the admin asked for: the mode, and every URL of the management endpoint (preferred first, then alternates). */
export interface IsolationPlan {
  readonly mode: IsolationMode;
  readonly endpointUrls: readonly string[];
}

/** The device's isolation: the persisted intent, and whether the OS holds the rules right now. */
export interface IsolationState {
  readonly isolated: boolean;
  readonly mode?: IsolationMode;
  readonly since?: string;
  /** What is allowed through: each endpoint URL's host, port and addresses (empty when not isolated). */
  readonly endpoints: readonly IsolationEndpoint[];
  /** True when the OS has the isolation rules loaded (false after release, or while a deleted table awaits re-apply). */
  readonly enforced: boolean;
  /** Set when release/reapply removed an isolation whose saved OS values were lost: what it did instead. */
  readonly notice?: string;
}

/** The one interface next session's action executor uses (isolate / release actions, health report). */
export interface IsolationResponder {
  /** Resolves every endpoint URL first (nothing is touched when one fails), then isolates; re-isolating refreshes. */
  isolate(plan: IsolationPlan): Promise<IsolationState>;
  /** Removes the isolation rules and the intent; the OS is left as it was before isolation. */
  release(): Promise<IsolationState>;
  state(): Promise<IsolationState>;
  /** At agent start and on the refresh timer: re-resolves and re-applies a persisted isolation, removes a stray one. */
  reapply(): Promise<IsolationState>;
}

/** Values the OS had before isolation that release restores (Windows profile defaults); see AgentIsolationState.saved. */
export type SavedOsState = Readonly<Record<string, string>>;

/** One OS mechanism. The controller (responder.ts) owns intent, resolution and ordering; a backend only touches the OS. */
export interface IsolationBackend {
  /** Why the mode cannot be enforced on this OS, or undefined when it can. */
  unsupportedMode(mode: IsolationMode): string | undefined;
  /** What release must restore, read before the first apply (undefined: nothing to save on this OS). */
  snapshot(): Promise<SavedOsState | undefined>;
  /** Loads the isolation for these endpoints, replacing any earlier isolation rules whole (atomically where the OS can). */
  apply(endpoints: readonly IsolationEndpoint[]): Promise<void>;
  /** Removes the isolation rules (and restores `saved`); succeeds when there is nothing to remove. */
  remove(saved: SavedOsState | undefined): Promise<void>;
  /**
   * What `remove` restores when the saved values are lost (corrupt isolation.json, stray rules): the OS's documented
   * safe defaults, so a device is never left blocking by default. Absent when isolation changes nothing but its rules.
   */
  readonly unsavedDefaults?: SavedOsState;
  /** True when the isolation rules are loaded now. */
  present(): Promise<boolean>;
}
