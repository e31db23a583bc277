// Response actions (issue 17), modelled on Defender's machine actions: what an admin asks for, the envelope the
// endpoint signs with the policy key and delivers to the one device it names, the updates the agent sends back, and
// the action as the action center shows it (Defender's MachineAction fields, camelCase). docs/actions.md.
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { IsolationMode } from './isolation.js';
import { ErrorCodeString, Signature, Timestamp, Uuid } from './primitives.js';
import { SoftwareSource } from './software.js';

/**
 * A package name an updateSoftware action may carry: no control characters, no leading `-` (never read as an option
 * by a package manager, which also gets `--` before names).
 */
export const SOFTWARE_NAME_PATTERN = '^[^\\-\\p{Cc}\\p{Cf}][^\\p{Cc}\\p{Cf}]*$';

/** What an admin can ask a device to do (`sync` stays the push nudge of POST /devices/:id/sync, not an action). */
export const ACTION_TYPES = [
  'isolate',
  'release',
  'runAntivirusScan',
  'collectInvestigationPackage',
  'stopAndQuarantineFile',
  'restoreFromQuarantine',
  'offboard',
  'updateSoftware',
] as const;
export const ActionType = Type.Union(ACTION_TYPES.map((t) => Type.Literal(t)));
export type ActionType = (typeof ACTION_TYPES)[number];

/** Defender's machine action status (Pending, InProgress, Succeeded, Failed, TimeOut, Cancelled), camelCase. */
export const ACTION_STATUSES = ['pending', 'inProgress', 'succeeded', 'failed', 'timeOut', 'cancelled'] as const;
export const ActionStatus = Type.Union(ACTION_STATUSES.map((s) => Type.Literal(s)));
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, lowercase hex' });
/** A quarantine id as the agent's FileQuarantine makes them. */
export const QuarantineId = Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' });
const Comment = Type.String({ minLength: 1, maxLength: 1000 });
const AbsolutePath = Type.String({ minLength: 1, maxLength: 4096, pattern: '^(/|[A-Za-z]:\\\\|\\\\\\\\)[^\\u0000]*$' });
const Message = Type.String({ maxLength: 2048 });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const closed = { additionalProperties: false } as const;

/** Each type's parameters, as the device receives them (and as the action center shows them). */
export const ActionParameters = {
  isolate: Type.Object({ mode: IsolationMode }, closed),
  release: Type.Object({}, closed),
  runAntivirusScan: Type.Object({ scanType: Type.Union([Type.Literal('quick'), Type.Literal('full')]) }, closed),
  /** maxBytes: the endpoint's cap on the package; the agent trims its content to stay under it (truncated: true). */
  collectInvestigationPackage: Type.Object({ maxBytes: Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024 }) }, closed),
  /** sha256 of the file; path: where to look (absent: the executables of running processes are searched). */
  stopAndQuarantineFile: Type.Object({ sha256: Sha256Hex, path: Type.Optional(AbsolutePath) }, closed),
  restoreFromQuarantine: Type.Object({ quarantineId: QuarantineId }, closed),
  offboard: Type.Object({}, closed),
  /**
   * Issue 18: update installed packages to at least `fixedVersion` with the OS's package manager (apt-get, dnf, zypper;
   * winget on Windows where present; otherwise the action fails with the manual steps). Names are the device's own
   * inventory names (the endpoint checks them against the device's last software upload, the agent against its own).
   */
  updateSoftware: Type.Object(
    {
      packages: Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 256, pattern: SOFTWARE_NAME_PATTERN }),
            source: SoftwareSource,
            fixedVersion: Nullable(Type.String({ minLength: 1, maxLength: 128 })),
          },
          closed,
        ),
        { minItems: 1, maxItems: 100 },
      ),
      /** The security task the action carries out, if any (docs/vulnerabilities.md "Security tasks"). */
      taskId: Type.Optional(Uuid),
    },
    closed,
  ),
  /** Delivered only: stop (or never start) the action `actionId`; made by POST /v1/admin/actions/:id/cancel. */
  cancel: Type.Object({ actionId: Uuid }, closed),
} as const;
export type ActionParametersOf<T extends keyof typeof ActionParameters> = Static<(typeof ActionParameters)[T]>;

/** The types a device receives: every ActionType and `cancel`. */
export type DeliveredActionType = keyof typeof ActionParameters;

const payloadVariant = <T extends DeliveredActionType>(type: T) =>
  Type.Object(
    {
      purpose: Type.Literal('attache-action'),
      actionId: Uuid,
      deviceId: Uuid,
      tenantId: Uuid,
      type: Type.Literal(type),
      parameters: ActionParameters[type],
      /** Who asked (the admin's username) and why, for the device's log. */
      requestor: Type.String({ minLength: 1, maxLength: 200 }),
      requestorComment: Comment,
      issuedAt: Timestamp,
      /** The agent refuses the action after this (ACTION_SIGNATURE_EXPIRED); the endpoint marks it timeOut. */
      expiresAt: Timestamp,
    },
    closed,
  );

/** What the endpoint signs: canonical JSON of this object, Ed25519 with the policy-signing key `keyId`. */
export const ActionPayload = Type.Union((Object.keys(ActionParameters) as DeliveredActionType[]).map(payloadVariant));
export type ActionPayload = Static<typeof ActionPayload>;

export const SignedAction = Type.Object(
  { payload: ActionPayload, keyId: Type.String({ pattern: '^[0-9a-f]{32}$' }), signature: Signature },
  { additionalProperties: false, $id: 'urn:attache:signed-action', title: 'Signed response action' },
);
export type SignedAction = Static<typeof SignedAction>;

/**
 * An action as a delivery carries it: the envelope's shape only, so one action a (newer) endpoint sends that this
 * agent cannot read fails alone (the agent validates each against SignedAction and reports it failed) instead of
 * making the whole policies answer invalid.
 */
export const DeliveredAction = Type.Object(
  {
    payload: Type.Object({ purpose: Type.Literal('attache-action'), actionId: Uuid }, { additionalProperties: true }),
    keyId: Type.String({ pattern: '^[0-9a-f]{32}$' }),
    signature: Signature,
  },
  closed,
);
export type DeliveredAction = Static<typeof DeliveredAction>;

/** The most actions one delivery (a policies answer, a push message) carries. */
export const MAX_DELIVERED_ACTIONS = 20;

/** A threat a scan found. */
export const ScanThreat = Type.Object(
  { name: Type.String({ maxLength: 400 }), path: Type.Optional(Type.String({ maxLength: 4096 })), status: Type.Optional(Type.String({ maxLength: 100 })) },
  closed,
);

/** What a finished action produced, by type. */
export const ActionResults = {
  isolate: Type.Object(
    {
      mode: IsolationMode,
      /** What stays reachable: each endpoint host, port and the addresses it resolved to. */
      allowed: Type.Array(
        Type.Object(
          {
            host: Type.String({ maxLength: 253 }),
            port: Type.Integer({ minimum: 1, maximum: 65535 }),
            addresses: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 }),
          },
          closed,
        ),
        { maxItems: 16 },
      ),
    },
    closed,
  ),
  release: Type.Object({ wasIsolated: Type.Boolean(), notice: Type.Optional(Message) }, closed),
  runAntivirusScan: Type.Object(
    {
      scanType: Type.Union([Type.Literal('quick'), Type.Literal('full')]),
      /** What ran the scan: `mdatp` (Linux, macOS), `defender` (Windows Start-MpScan), `simulated`. */
      engine: Type.String({ maxLength: 40 }),
      durationMs: Type.Integer({ minimum: 0 }),
      threatsFound: Type.Integer({ minimum: 0 }),
      threats: Type.Array(ScanThreat, { maxItems: 100 }),
    },
    closed,
  ),
  collectInvestigationPackage: Type.Object(
    {
      sizeBytes: Type.Integer({ minimum: 0 }),
      sha256: Sha256Hex,
      /** Entries in the archive (manifest.json included). */
      entries: Type.Integer({ minimum: 1 }),
      /** Content was left out to stay under maxBytes (the manifest says what). */
      truncated: Type.Boolean(),
    },
    closed,
  ),
  stopAndQuarantineFile: Type.Object(
    {
      sha256: Sha256Hex,
      killed: Type.Array(Type.Object({ pid: Type.Integer({ minimum: 1 }), name: Type.Optional(Type.String({ maxLength: 400 })) }, closed), { maxItems: 200 }),
      items: Type.Array(
        Type.Object(
          { quarantineId: QuarantineId, originalPath: Type.String({ maxLength: 4096 }), sizeBytes: Type.Integer({ minimum: 0 }), sha256: Sha256Hex },
          closed,
        ),
        { maxItems: 100 },
      ),
    },
    closed,
  ),
  restoreFromQuarantine: Type.Object({ quarantineId: QuarantineId, restoredPath: Type.String({ maxLength: 4096 }) }, closed),
  offboard: Type.Object({ restoredSettings: Type.Integer({ minimum: 0 }), failedSettings: Type.Integer({ minimum: 0 }) }, closed),
  updateSoftware: Type.Object(
    {
      /** What ran: `apt`, `dnf`, `zypper`, `winget`, `simulated`; `manual` only in a failed action's result. */
      manager: Type.Union([
        Type.Literal('apt'),
        Type.Literal('dnf'),
        Type.Literal('zypper'),
        Type.Literal('winget'),
        Type.Literal('simulated'),
        Type.Literal('manual'),
      ]),
      /** Each requested package's version before and after (null: not installed / not found after). */
      packages: Type.Array(
        Type.Object(
          {
            name: Type.String({ maxLength: 256 }),
            before: Nullable(Type.String({ maxLength: 128 })),
            after: Nullable(Type.String({ maxLength: 128 })),
            fixed: Type.Boolean(),
          },
          closed,
        ),
        { maxItems: 100 },
      ),
      /** Manual steps when no package manager can do it (macOS, Windows without winget). */
      instructions: Type.Optional(Message),
    },
    closed,
  ),
  cancel: Type.Object({}, closed),
} as const satisfies Record<DeliveredActionType, TSchema>;
export type ActionResultOf<T extends DeliveredActionType> = Static<(typeof ActionResults)[T]>;
export const ActionResult = Type.Union(Object.values(ActionResults));
export type ActionResult = Static<typeof ActionResult>;

export const ActionError = Type.Object({ code: ErrorCodeString, message: Message }, closed);
export type ActionError = Static<typeof ActionError>;

/**
 * Agent → endpoint: where one action stands on the device. `sequence` grows per action (the endpoint ignores an older
 * one); `result` with succeeded, `error` with failed; `duplicate`: the action had already run (a re-delivery or a
 * replay) and this is the stored outcome, nothing ran again. For a `cancel` the agent reports the cancelled action.
 */
export const ActionUpdate = Type.Object(
  {
    actionId: Uuid,
    deviceId: Uuid,
    sequence: Type.Integer({ minimum: 1 }),
    status: Type.Union([Type.Literal('inProgress'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled')]),
    at: Timestamp,
    progress: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    error: Type.Optional(ActionError),
    result: Type.Optional(ActionResult),
    duplicate: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false, $id: 'urn:attache:action-update', title: 'Response action update' },
);
export type ActionUpdate = Static<typeof ActionUpdate>;

/** POST /v1/device/actions/updates (and channel method postActionUpdates). */
export const ActionUpdatesRequest = Type.Object(
  { updates: Type.Array(ActionUpdate, { minItems: 1, maxItems: 50 }) },
  { additionalProperties: false, $id: 'urn:attache:action-updates-request', title: 'Response action updates' },
);
export type ActionUpdatesRequest = Static<typeof ActionUpdatesRequest>;

/** The answer: each update stored (durably, before the answer), and the action's status at the endpoint now. */
export const ActionUpdatesAck = Type.Object(
  { acks: Type.Array(Type.Object({ actionId: Uuid, sequence: Type.Integer({ minimum: 1 }), status: ActionStatus }, closed), { maxItems: 50 }) },
  { additionalProperties: false, $id: 'urn:attache:action-updates-ack', title: 'Response action updates acknowledged' },
);
export type ActionUpdatesAck = Static<typeof ActionUpdatesAck>;

/** Admin request bodies, one per route POST /v1/admin/devices/:id/<type>. Defender requires a comment on each. */
const requestBody = <T extends ActionType>(type: T, extra: Record<string, TSchema>) =>
  Type.Object({ comment: Comment, ...extra }, { additionalProperties: false, $id: `urn:attache:action-request-${type}`, title: `Request: ${type}` });
export const ActionRequestBodies = {
  isolate: requestBody('isolate', { isolationType: Type.Optional(IsolationMode) }),
  release: requestBody('release', {}),
  runAntivirusScan: requestBody('runAntivirusScan', { scanType: Type.Optional(Type.Union([Type.Literal('quick'), Type.Literal('full')])) }),
  collectInvestigationPackage: requestBody('collectInvestigationPackage', {}),
  stopAndQuarantineFile: requestBody('stopAndQuarantineFile', { sha256: Sha256Hex, path: Type.Optional(AbsolutePath) }),
  restoreFromQuarantine: requestBody('restoreFromQuarantine', { quarantineId: QuarantineId }),
  offboard: requestBody('offboard', {}),
  /** Names must be in the device's last software upload; the endpoint fills `source` from it. */
  updateSoftware: requestBody('updateSoftware', {
    packages: Type.Array(
      Type.Object({ name: Type.String({ minLength: 1, maxLength: 256 }), fixedVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) }, closed),
      { minItems: 1, maxItems: 100 },
    ),
  }),
} as const satisfies Record<ActionType, TSchema>;

export const CancelActionRequest = Type.Object(
  { comment: Comment },
  { additionalProperties: false, $id: 'urn:attache:cancel-action-request', title: 'Cancel a response action' },
);
export type CancelActionRequest = Static<typeof CancelActionRequest>;

const Admin = Type.Object({ adminId: Nullable(Uuid), username: Type.String({ minLength: 1, maxLength: 200 }) }, closed);

/** One action as the action center shows it: Defender's MachineAction, camelCase, plus delivery and progress. */
export const MachineAction = Type.Object(
  {
    id: Uuid,
    type: ActionType,
    deviceId: Uuid,
    deviceName: Type.String({ maxLength: 253 }),
    parameters: Type.Record(Type.String(), Type.Unknown()),
    status: ActionStatus,
    requestor: Admin,
    requestorComment: Comment,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    expiresAt: Timestamp,
    /** When the device first received it (a policies answer or a push message), null until then. */
    deliveredAt: Nullable(Timestamp),
    startedAt: Nullable(Timestamp),
    completedAt: Nullable(Timestamp),
    progress: Nullable(Type.Integer({ minimum: 0, maximum: 100 })),
    result: Nullable(ActionResult),
    error: Nullable(ActionError),
    cancellation: Nullable(Type.Object({ requestor: Admin, comment: Comment, at: Timestamp }, closed)),
    /** An outcome the device reported after the action had timed out or been cancelled (the status stays). */
    lateResult: Type.Optional(
      Type.Object({ status: ActionStatus, at: Timestamp, result: Type.Optional(ActionResult), error: Type.Optional(ActionError) }, closed),
    ),
    /** collectInvestigationPackage: bytes received so far, and whether the package can be downloaded. */
    package: Type.Optional(
      Type.Object({ receivedBytes: Type.Integer({ minimum: 0 }), sizeBytes: Nullable(Type.Integer({ minimum: 0 })), available: Type.Boolean() }, closed),
    ),
  },
  { additionalProperties: false, $id: 'urn:attache:machine-action', title: 'Response action' },
);
export type MachineAction = Static<typeof MachineAction>;

/** GET /v1/admin/actions: newest first, by cursor. */
export const MachineActionList = Type.Object(
  { actions: Type.Array(MachineAction), nextCursor: Nullable(Type.String({ maxLength: 200 })) },
  { additionalProperties: false, $id: 'urn:attache:machine-action-list', title: 'Response actions' },
);
export type MachineActionList = Static<typeof MachineActionList>;

/**
 * Device side of an investigation package upload: the answer of `GET /v1/device/actions/:id/package` (where to resume)
 * and of each `PUT …/package?offset&size&sha256` chunk. sizeBytes: the size the device declared (null before its first
 * chunk); complete: every byte arrived and the SHA-256 matched.
 */
export const PackageUploadStatus = Type.Object(
  { receivedBytes: Type.Integer({ minimum: 0 }), sizeBytes: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))), complete: Type.Boolean() },
  { additionalProperties: false, $id: 'urn:attache:package-upload-status', title: 'Investigation package upload status' },
);
export type PackageUploadStatus = Static<typeof PackageUploadStatus>;
