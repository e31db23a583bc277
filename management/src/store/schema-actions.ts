// Table shapes of response actions (migration 0017, migration-response-actions.ts), camelCase as kysely sees them.

/** device_actions: one response action; JSON columns are TEXT (parameters, envelope, result, error, lateResult, cancellation). */
export interface DeviceActionTable {
  actionId: string;
  deviceId: string;
  type: string;
  /** isolation (isolate, release) or the type itself: one pending/inProgress action per device and family. */
  family: string;
  status: string;
  parameters: string;
  /** The SignedAction made at create (policy-signing key over canonicalJson(payload)). */
  envelope: string;
  requestorId: string | null;
  requestor: string;
  requestorComment: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  deliveredAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  lastSequence: number;
  progress: number | null;
  result: string | null;
  error: string | null;
  lateResult: string | null;
  cancellation: string | null;
  /** The signed `cancel` envelope, delivered while cancelPending is 1 (until the device reports on the action). */
  cancelEnvelope: string | null;
  cancelPending: number;
}

/** action_packages: an investigation package being uploaded (or complete) for a collectInvestigationPackage action. */
export interface ActionPackageTable {
  actionId: string;
  deviceId: string;
  sizeBytes: number;
  sha256: string;
  receivedBytes: number;
  complete: number;
  updatedAt: string;
}

/** action_package_chunks: the package bytes, one row per uploaded chunk, keyed by its offset. */
export interface ActionPackageChunkTable {
  actionId: string;
  deviceId: string;
  offset: number;
  data: Buffer;
}
