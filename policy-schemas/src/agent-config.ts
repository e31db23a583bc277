// Files the agent owns: its configuration, its identity, the last sync outcome.
import { type Static, Type } from '@sinclair/typebox';
import { PolicySigningKey, SignedPolicy } from './policy.js';
import { OsType, Platform, PolicyKind, SettingState, SettingValue, Timestamp, Uuid } from './primitives.js';

export const LogLevel = Type.Union([Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug')]);

/** Where settings are applied: the real operating system, or an in-memory simulated host of one platform. */
export const HostConfig = Type.Union([
  Type.Object({ kind: Type.Literal('native') }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal('simulated'),
      platform: Platform,
      hostname: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
      /** `server` simulates a server edition (with platform `windows`: Windows Server); reported in the device facts. */
      osType: Type.Optional(OsType),
      /** The simulated OS store (urn:attache:simulated-host-state); default `<stateDir>/simulated-host.json`. */
      stateFile: Type.Optional(Type.String({ minLength: 1 })),
    },
    { additionalProperties: false },
  ),
]);
export type HostConfig = Static<typeof HostConfig>;

/** What a setting was before the agent first managed it, and the value the agent last enforced. */
export const BaselineEntry = Type.Object(
  {
    kind: PolicyKind,
    /** Pre-management value; omitted when the host had no value (restoring then removes ours). */
    original: Type.Optional(SettingValue),
    /** Last value the agent enforced and read back; a later difference is drift. */
    applied: Type.Optional(SettingValue),
    recordedAt: Timestamp,
  },
  { additionalProperties: false },
);
export type BaselineEntry = Static<typeof BaselineEntry>;

/** baseline.json in the state dir: pre-management values of managed settings (no tattooing). */
export const AgentBaseline = Type.Object(
  { formatVersion: Type.Literal(1), settings: Type.Record(Type.String({ maxLength: 200 }), BaselineEntry) },
  { additionalProperties: false, $id: 'urn:attache:agent-baseline', title: 'Agent baseline (baseline.json)' },
);
export type AgentBaseline = Static<typeof AgentBaseline>;

/** applied-versions.json in the state dir: highest applied version per policy id (downgrade/replay protection). */
export const AgentAppliedVersions = Type.Object(
  { formatVersion: Type.Literal(1), versions: Type.Record(Type.String({ format: 'uuid' }), Type.Integer({ minimum: 1 })) },
  { additionalProperties: false, $id: 'urn:attache:agent-applied-versions', title: 'Applied policy versions (applied-versions.json)' },
);
export type AgentAppliedVersions = Static<typeof AgentAppliedVersions>;

/** The simulated host's OS store: every setting that has a value on the simulated device. */
export const SimulatedHostState = Type.Object(
  { formatVersion: Type.Literal(1), platform: Platform, values: Type.Record(Type.String({ maxLength: 200 }), SettingValue) },
  { additionalProperties: false, $id: 'urn:attache:simulated-host-state', title: 'Simulated host state' },
);
export type SimulatedHostState = Static<typeof SimulatedHostState>;

/** The agent configuration file (agent.json). Every field is optional; defaults are OS-conventional. */
export const AgentConfig = Type.Object(
  {
    stateDir: Type.Optional(Type.String({ minLength: 1 })),
    logDir: Type.Optional(Type.String({ minLength: 1 })),
    logLevel: Type.Optional(LogLevel),
    /** Periodic check-in; MDE checks in every 90 minutes. Jitter spreads a fleet's check-ins. */
    checkinIntervalMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
    checkinJitterPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
    /** How often managed settings are re-read locally to find and repair drift (default 15). */
    driftCheckMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
    /** Overrides driftCheckMinutes with a finer period; meant for tests and demos. */
    driftCheckSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })),
    /** Also check for drift as soon as the OS reports a change to a managed store, where it can (default true). */
    driftWatch: Type.Optional(Type.Boolean()),
    host: Type.Optional(HostConfig),
  },
  {
    additionalProperties: false,
    $id: 'urn:attache:agent-config',
    title: 'Agent configuration file',
  },
);
export type AgentConfig = Static<typeof AgentConfig>;

/** identity.json in the state dir: the device's directory identity and the trust anchors from its onboarding package. */
export const AgentIdentity = Type.Object(
  {
    formatVersion: Type.Literal(1),
    deviceId: Uuid,
    tenantId: Uuid,
    endpointUrl: Type.String({ minLength: 1 }),
    caCertificate: Type.String({ minLength: 1 }),
    policySigningKey: PolicySigningKey,
    publicKey: Type.String({ minLength: 1 }),
    enrolledAt: Timestamp,
  },
  { additionalProperties: false, $id: 'urn:attache:agent-identity', title: 'Agent identity file' },
);
export type AgentIdentity = Static<typeof AgentIdentity>;

/** Outcome of one setting in the last sync, as the agent reports it. */
export const SettingStatus = Type.Object(
  {
    settingId: Type.String({ minLength: 1, maxLength: 200 }),
    kind: PolicyKind,
    state: SettingState,
    /** Policies that set this setting (both sides of a conflict). */
    policyIds: Type.Array(Type.String({ format: 'uuid' }), { maxItems: 100 }),
    desired: Type.Optional(SettingValue),
    observed: Type.Optional(SettingValue),
    code: Type.Optional(Type.String({ maxLength: 64 })),
    message: Type.Optional(Type.String({ maxLength: 2048 })),
  },
  { additionalProperties: false },
);
export type SettingStatus = Static<typeof SettingStatus>;

export const PolicyStatus = Type.Object(
  { policyId: Uuid, version: Type.Integer({ minimum: 1 }), name: Type.String(), kind: PolicyKind, state: SettingState },
  { additionalProperties: false },
);
export type PolicyStatus = Static<typeof PolicyStatus>;

export const SyncTrigger = Type.Union([
  Type.Literal('startup'),
  Type.Literal('schedule'),
  Type.Literal('push'),
  Type.Literal('manual'),
  Type.Literal('enroll'),
  Type.Literal('reconnect'),
  Type.Literal('drift'),
]);
export type SyncTrigger = Static<typeof SyncTrigger>;

/** status.json in the state dir: what the last sync did. `agent status` prints it. */
export const SyncOutcome = Type.Object(
  {
    formatVersion: Type.Literal(1),
    startedAt: Timestamp,
    finishedAt: Timestamp,
    trigger: SyncTrigger,
    /** Whether fresh policies came from the endpoint, or the last good ones were re-applied offline. */
    source: Type.Union([Type.Literal('endpoint'), Type.Literal('cache')]),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false })),
    policies: Type.Array(PolicyStatus),
    settings: Type.Array(SettingStatus),
  },
  { additionalProperties: false, $id: 'urn:attache:sync-outcome', title: 'Sync outcome (status.json)' },
);
export type SyncOutcome = Static<typeof SyncOutcome>;

/** policies.json in the state dir: the last verified policy set and its etag. Verified again on every load. */
export const AgentPolicyCache = Type.Object(
  { formatVersion: Type.Literal(1), etag: Type.Optional(Type.String({ maxLength: 100 })), policies: Type.Array(SignedPolicy, { maxItems: 500 }) },
  { additionalProperties: false, $id: 'urn:attache:agent-policy-cache', title: 'Agent policy cache (policies.json)' },
);
export type AgentPolicyCache = Static<typeof AgentPolicyCache>;
