// The storage boundary of response actions (issue 17, migration 0017): each action with its signed envelope and
// outcome, the one-in-flight rule per device and family, delivery marks, and investigation packages in chunks.
import type { ActionError, ActionResult, ActionStatus, ActionType, SignedAction } from '../../../policy-schemas/src/index.js';

/** Who asked for an action or its cancellation. */
export interface ActionAdmin {
  readonly adminId: string | null;
  readonly username: string;
}

export interface ActionCancellation {
  readonly requestor: ActionAdmin;
  readonly comment: string;
  readonly at: string;
}

/** An outcome the device reported after the action was already terminal. */
export interface LateResult {
  readonly status: ActionStatus;
  readonly at: string;
  readonly result?: ActionResult;
  readonly error?: ActionError;
}

/** Upload state of an investigation package. */
export interface ActionPackageState {
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly receivedBytes: number;
  readonly complete: boolean;
}

/** What createAction stores. */
export interface NewAction {
  readonly actionId: string;
  readonly deviceId: string;
  readonly type: ActionType;
  readonly family: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly envelope: SignedAction;
  readonly requestor: ActionAdmin;
  readonly requestorComment: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** A stored action with its device's name and package state. */
export interface ActionRecord extends NewAction {
  readonly deviceName: string;
  readonly status: ActionStatus;
  readonly updatedAt: string;
  readonly deliveredAt: string | null;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly lastSequence: number;
  readonly progress: number | null;
  readonly result: ActionResult | null;
  readonly error: ActionError | null;
  readonly lateResult: LateResult | null;
  readonly cancellation: ActionCancellation | null;
  readonly cancelEnvelope: SignedAction | null;
  readonly cancelPending: boolean;
  readonly package: ActionPackageState | null;
}

/** Columns a transition changes (updatedAt always). */
export type ActionChange = Partial<
  Pick<
    ActionRecord,
    | 'status'
    | 'lastSequence'
    | 'progress'
    | 'result'
    | 'error'
    | 'deliveredAt'
    | 'startedAt'
    | 'completedAt'
    | 'lateResult'
    | 'cancellation'
    | 'cancelEnvelope'
    | 'cancelPending'
    | 'envelope'
  >
> & { readonly updatedAt: string };

/** GET /v1/admin/actions filters; `before` is the keyset cursor (newest first). */
export interface ActionFilter {
  readonly deviceId?: string;
  readonly type?: ActionType;
  readonly status?: ActionStatus;
  readonly requestor?: string;
  /** Only devices in these groups (a scoped admin); null or absent: every device. */
  readonly scopeGroupIds?: readonly string[] | null;
  readonly before?: { readonly createdAt: string; readonly actionId: string };
  readonly limit: number;
}

/** An envelope a delivery carries: the action itself, or the cancel of a cancelled one. */
export interface DeliverableAction {
  readonly actionId: string;
  readonly kind: 'action' | 'cancel';
  readonly envelope: SignedAction;
  readonly deliveredAt: string | null;
  readonly createdAt: string;
}

/** What an update does to its action, decided inside the store's transaction from the current row. */
export interface UpdateDecision {
  readonly change: ActionChange | null;
  /** The action's status after the update (the ack's). */
  readonly status: ActionStatus;
  /** offboard succeeded: the device is marked offboarded in the same transaction. */
  readonly offboardDevice?: boolean;
  /** collect failed the hash check: the stored package is discarded. */
  readonly discardPackage?: boolean;
}

/** One chunk of a package upload (PUT /v1/device/actions/:id/package). */
export interface PackageChunk {
  readonly offset: number;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly data: Buffer;
  readonly at: string;
}

/** After a chunk: bytes stored, whether the package is complete, or `hashMismatch` (the stored part was discarded). */
export interface PackageProgress {
  readonly receivedBytes: number;
  readonly complete: boolean;
  readonly hashMismatch?: boolean;
}

/** Response actions. Errors as ManagementStore (AttacheError with a stable code). */
export interface ActionStore {
  /** ACTION_IN_PROGRESS (naming the action) when one of the family is pending or inProgress on the device; nothing stored. */
  createAction(action: NewAction): Promise<void>;
  getAction(actionId: string): Promise<ActionRecord | undefined>;
  /** Newest first (createdAt, actionId), at most `limit`. */
  listActions(filter: ActionFilter): Promise<ActionRecord[]>;
  /** Pending and inProgress envelopes and unacknowledged cancels not yet expired at `nowIso`, oldest first, at most `limit`. */
  deliverableActions(deviceId: string, nowIso: string, limit: number): Promise<DeliverableAction[]>;
  /** Sets deliveredAt of those still without one. */
  markActionsDelivered(actionIds: readonly string[], atIso: string): Promise<void>;
  /**
   * One transaction: every action must belong to `deviceId` (else ACTION_NOT_FOUND naming it, nothing stored); `decide`
   * turns each update into the change written. Returns the decisions in order.
   */
  applyActionUpdates<U extends { readonly actionId: string }>(
    deviceId: string,
    updates: readonly U[],
    decide: (current: ActionRecord, update: U) => UpdateDecision,
  ): Promise<UpdateDecision[]>;
  /** One transaction: `decide` (which may throw a refusal) gives the change; ACTION_NOT_FOUND when unknown. */
  changeAction(actionId: string, decide: (current: ActionRecord) => ActionChange): Promise<ActionRecord>;
  /** Marks every unfinished action with expiresAt ≤ nowIso timeOut; returns their device ids (with repeats removed). */
  timeOutActions(nowIso: string): Promise<string[]>;
  /** Stores a chunk: PACKAGE_OFFSET_MISMATCH (details: receivedBytes) unless offset = bytes stored; checks the hash at the end. */
  putPackageChunk(actionId: string, deviceId: string, chunk: PackageChunk): Promise<PackageProgress>;
  /** The package's bytes, chunk by chunk in offset order. */
  packageChunks(actionId: string): AsyncIterable<Buffer>;
}
