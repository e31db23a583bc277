// The life of a response action (Defender's machine action statuses), shared by the endpoint, the agent and the
// simulator so they agree: pending → inProgress → succeeded | failed; cancelled (pending: any type; inProgress:
// only the actions that can stop half-way); timeOut once expiresAt passes unfinished. A terminal status absorbs:
// what the device reports afterwards is kept as a late result, never changes the status.

export type ActionStatus = 'pending' | 'inProgress' | 'succeeded' | 'failed' | 'timeOut' | 'cancelled';
export type ReportedStatus = 'inProgress' | 'succeeded' | 'failed' | 'cancelled';

const TERMINAL: ReadonlySet<ActionStatus> = new Set(['succeeded', 'failed', 'timeOut', 'cancelled']);

/** Actions that can be stopped once running (Defender cancels a running scan or package collection). */
export const CANCELLABLE_IN_PROGRESS: ReadonlySet<string> = new Set(['runAntivirusScan', 'collectInvestigationPackage']);

export function isTerminal(status: ActionStatus): boolean {
  return TERMINAL.has(status);
}

/** Why `type` in `status` cannot be cancelled, or undefined when it can. */
export function cancelRefusal(type: string, status: ActionStatus): string | undefined {
  if (status === 'pending') return undefined;
  if (status === 'inProgress') return CANCELLABLE_IN_PROGRESS.has(type) ? undefined : `a ${type} action cannot be cancelled once the device has started it`;
  return `the action is already ${status}`;
}

/** Where an action stands at the endpoint, as far as updates go. */
export interface ActionProgress {
  readonly status: ActionStatus;
  /** The highest update sequence applied (0: none yet). */
  readonly lastSequence: number;
}

/** One update from the device. */
export interface ReportedUpdate {
  readonly status: ReportedStatus;
  readonly sequence: number;
}

/**
 * What an update does: `apply` (status and sequence move), `late` (the action is already terminal: keep the outcome
 * beside it, status unchanged), `stale` (an older or repeated sequence: nothing changes, still acknowledged).
 */
export type UpdateEffect = { readonly kind: 'apply'; readonly status: ActionStatus } | { readonly kind: 'late' } | { readonly kind: 'stale' };

export function updateEffect(current: ActionProgress, update: ReportedUpdate): UpdateEffect {
  if (update.sequence <= current.lastSequence) return { kind: 'stale' };
  if (isTerminal(current.status)) return { kind: 'late' };
  return { kind: 'apply', status: update.status };
}

/** Whether an unfinished action has run out of time at `nowIso` (both ISO times in toISOString form). */
export function timedOut(status: ActionStatus, expiresAtIso: string, nowIso: string): boolean {
  return !isTerminal(status) && expiresAtIso <= nowIso;
}
