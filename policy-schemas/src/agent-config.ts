// Files the agent owns: its configuration, its identity, the last sync outcome.
import { type Static, Type } from '@sinclair/typebox';
import { SignedSuppressionList } from './alert-triage.js';
import { IP_ADDRESS } from './catalog/item-patterns.js';
import { AlternateEndpointUrls } from './onboarding.js';
import { ManifestEntry, PolicySigningKey, SignedPolicy, SignedPolicySetManifest } from './policy.js';
import { OsType, Platform, PolicyKind, SettingState, SettingValue, Timestamp, Uuid } from './primitives.js';
import { Alert, AlertSeverity, DeviceHealth, RiskLevel } from './signals.js';

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
    /**
     * The provider's write scheme (where it stores values) when the agent last wrote this setting; absent: scheme 1.
     * An entry older than its provider's scheme is handed to the provider's `migrate` once (upgrade clean-up).
     */
    scheme: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
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

/**
 * policy-set.json in the state dir: the highest policy-set version this device applied and its list. A fetched set
 * with a lower version is a replay; the same version with another list is a forgery; both are refused.
 */
export const AgentPolicySetFloor = Type.Object(
  {
    formatVersion: Type.Literal(1),
    setVersion: Type.Integer({ minimum: 1 }),
    policies: Type.Array(ManifestEntry, { maxItems: 500 }),
    /** issuedAt of the newest suppression list taken (empty ones too): an older list is a replay (docs/alerts.md). */
    suppressionsIssuedAt: Type.Optional(Timestamp),
  },
  { additionalProperties: false, $id: 'urn:attache:agent-policy-set-floor', title: 'Applied policy set version (policy-set.json)' },
);
export type AgentPolicySetFloor = Static<typeof AgentPolicySetFloor>;

/** A process running on a simulated device (risk signals: indicator matching by hash, signer, path and name). */
export const SimulatedProcess = Type.Object(
  {
    pid: Type.Integer({ minimum: 1, maximum: 2147483647 }),
    name: Type.String({ minLength: 1, maxLength: 255 }),
    /** Full path of the executable. */
    path: Type.String({ minLength: 1, maxLength: 1024 }),
    sha256: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$' })),
    sha1: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{40}$' })),
    md5: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{32}$' })),
    /** SHA-1 thumbprint of the executable's valid signer certificate (read on simulated Windows hosts only, as on real ones). */
    signerThumbprint: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{40}$' })),
  },
  { additionalProperties: false },
);
export type SimulatedProcess = Static<typeof SimulatedProcess>;

/** An active network connection on a simulated device (indicator matching by remote IP / CIDR). */
export const SimulatedConnection = Type.Object(
  {
    pid: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
    remoteAddress: Type.String({ pattern: IP_ADDRESS, maxLength: 64 }),
    remotePort: Type.Integer({ minimum: 0, maximum: 65535 }),
  },
  { additionalProperties: false },
);
export type SimulatedConnection = Static<typeof SimulatedConnection>;

/** An active antivirus detection on a simulated device (what Defender would list as an unremediated threat). */
export const SimulatedDetection = Type.Object(
  {
    threatId: Type.String({ minLength: 1, maxLength: 100 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    severity: AlertSeverity,
    path: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type SimulatedDetection = Static<typeof SimulatedDetection>;

/** A file on a simulated device (its content is not simulated, only what identifies it). */
export const SimulatedFile = Type.Object(
  {
    path: Type.String({ minLength: 1, maxLength: 1024 }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    sizeBytes: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type SimulatedFile = Static<typeof SimulatedFile>;

/** Health of a simulated device where it differs from healthy (AV active, real-time protection on, fresh signatures, firewall on). */
export const SimulatedHealth = Type.Object(
  {
    antivirusMode: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('passive'), Type.Literal('off')])),
    realTimeProtection: Type.Optional(Type.Boolean()),
    signatureAgeHours: Type.Optional(Type.Number({ minimum: 0, maximum: 1000000 })),
    firewallEnabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type SimulatedHealth = Static<typeof SimulatedHealth>;

/**
 * What response actions changed on a simulated device (issue 17), kept with its OS store: the isolation rules its
 * "firewall" holds, its files (what stopAndQuarantineFile looks for), its quarantine and whether the agent's service
 * was disabled by an offboard.
 */
export const SimulatedResponseState = Type.Object(
  {
    /** The isolation the simulated OS enforces now: the endpoints let through (absent: not isolated). */
    isolation: Type.Optional(
      Type.Object(
        {
          endpoints: Type.Array(
            Type.Object(
              {
                host: Type.String({ maxLength: 253 }),
                port: Type.Integer({ minimum: 1, maximum: 65535 }),
                addresses: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 }),
              },
              { additionalProperties: false },
            ),
            { maxItems: 16 },
          ),
        },
        { additionalProperties: false },
      ),
    ),
    files: Type.Optional(Type.Array(SimulatedFile, { maxItems: 10000 })),
    quarantine: Type.Optional(
      Type.Array(
        Type.Object(
          {
            ...SimulatedFile.properties,
            quarantineId: Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }),
            quarantinedAt: Timestamp,
            /** The stopAndQuarantineFile action that moved it (recovery after a kill finds it by this). */
            actionId: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 1000 },
      ),
    ),
    serviceDisabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type SimulatedResponseState = Static<typeof SimulatedResponseState>;

/**
 * The simulated host's OS store: every setting that has a value on the simulated device, and the device's risk
 * signals (running processes, connections, AV detections, health) that tests and QA inject by editing the file.
 */
export const SimulatedHostState = Type.Object(
  {
    formatVersion: Type.Literal(1),
    platform: Platform,
    values: Type.Record(Type.String({ maxLength: 200 }), SettingValue),
    processes: Type.Optional(Type.Array(SimulatedProcess, { maxItems: 10000 })),
    connections: Type.Optional(Type.Array(SimulatedConnection, { maxItems: 10000 })),
    detections: Type.Optional(Type.Array(SimulatedDetection, { maxItems: 1000 })),
    health: Type.Optional(SimulatedHealth),
    response: Type.Optional(SimulatedResponseState),
  },
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
    /** Rotate the device key when it is older than this many days (default 90; 0 = only on request). */
    deviceKeyRotationDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
    checkinJitterPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
    /** How often managed settings are re-read locally to find and repair drift (default 15). */
    driftCheckMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
    /** Overrides driftCheckMinutes with a finer period; meant for tests and demos. */
    driftCheckSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })),
    /** Also check for drift as soon as the OS reports a change to a managed store, where it can (default true). */
    driftWatch: Type.Optional(Type.Boolean()),
    /** How often running processes and connections are matched against custom indicators (default 60). */
    riskCheckSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })),
    /** How often antivirus and firewall health and AV detections are read (default 300; also at every check-in). */
    healthCheckSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })),
    /** How often the inventory is collected (default 24); it is uploaded only when it changed. */
    inventoryIntervalHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })),
    /**
     * How often installed software is listed (default 12; first 2–5 min after start, and after each updateSoftware); it
     * is uploaded only when its digest differs from the one the endpoint last acknowledged (docs/vulnerabilities.md).
     */
    softwareInventoryIntervalHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 168 })),
    /** Signatures older than this raise the `posture.signaturesOutOfDate` alert (default 168: Defender's 7 days). */
    signatureMaxAgeHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 8760 })),
    /** A setting failing to apply in this many consecutive syncs raises `posture.applyErrors` (default 3). */
    applyErrorSyncs: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    /** A repaired drift (tamper event) stays an active alert this long after the last repair (default 24). */
    tamperAlertHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })),
    /** Executables larger than this are not hashed for file-hash indicators (default 256). */
    hashMaxMegabytes: Type.Optional(Type.Integer({ minimum: 1, maximum: 16384 })),
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
    /** The onboarding package's alternate endpoint URLs (failover order); absent in identities enrolled before them. */
    alternateEndpointUrls: Type.Optional(AlternateEndpointUrls),
    caCertificate: Type.String({ minLength: 1 }),
    policySigningKey: PolicySigningKey,
    publicKey: Type.String({ minLength: 1 }),
    enrolledAt: Timestamp,
    /** When the current device key was registered (a rotation); absent = at enrollment. */
    deviceKeyCreatedAt: Type.Optional(Timestamp),
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
  Type.Literal('retry'),
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
    error: Type.Optional(
      Type.Object(
        {
          code: Type.String(),
          message: Type.String(),
          /** The wait the endpoint asked for (Retry-After on a 503 ENDPOINT_BUSY or a 429); the retry waits at least this. */
          retryAfterMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })),
        },
        { additionalProperties: false },
      ),
    ),
    policies: Type.Array(PolicyStatus),
    settings: Type.Array(SettingStatus),
  },
  { additionalProperties: false, $id: 'urn:attache:sync-outcome', title: 'Sync outcome (status.json)' },
);
export type SyncOutcome = Static<typeof SyncOutcome>;

/** policies.json in the state dir: the last verified policy set and its etag. Verified again on every load. */
export const AgentPolicyCache = Type.Object(
  {
    formatVersion: Type.Literal(1),
    etag: Type.Optional(Type.String({ maxLength: 100 })),
    /** The set's signed manifest (absent in caches written before manifests existed). */
    manifest: Type.Optional(SignedPolicySetManifest),
    policies: Type.Array(SignedPolicy, { maxItems: 500 }),
    /** The signed suppression list that came with the set (absent: none). */
    suppressions: Type.Optional(SignedSuppressionList),
  },
  { additionalProperties: false, $id: 'urn:attache:agent-policy-cache', title: 'Agent policy cache (policies.json)' },
);
export type AgentPolicyCache = Static<typeof AgentPolicyCache>;

/** Which observation an alert comes from; an observation that failed keeps its alerts as they were. */
export const AlertScope = Type.Union([
  Type.Literal('health'),
  Type.Literal('sync'),
  Type.Literal('processes'),
  Type.Literal('connections'),
  Type.Literal('detections'),
]);
export type AlertScope = Static<typeof AlertScope>;

/** One alert the agent tracks: the wire alert plus what the engine needs to keep it. */
export const TrackedAlert = Type.Object(
  {
    scope: AlertScope,
    alert: Alert,
    /** Epoch ms of resolvedAt (resolved alerts are kept a day for `status` and then dropped). */
    resolvedMs: Type.Optional(Type.Number()),
    /** The admin's suppression rule covering this active alert: it adds no risk and requests no block (issue 17). */
    suppressedBy: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type TrackedAlert = Static<typeof TrackedAlert>;

/** A repaired drift of one managed setting (tamper event), as the risk engine remembers it. */
export const TamperRecord = Type.Object(
  {
    at: Timestamp,
    ms: Type.Number(),
    before: Type.Optional(Type.String({ maxLength: 2048 })),
    after: Type.Optional(Type.String({ maxLength: 2048 })),
  },
  { additionalProperties: false },
);
export type TamperRecord = Static<typeof TamperRecord>;

/**
 * signals.json in the state dir: the risk engine's state (alerts, tamper records, apply-error streaks), the last
 * health reading and what was last queued for the endpoint. `agent status` prints it.
 */
export const AgentSignalsState = Type.Object(
  {
    formatVersion: Type.Literal(1),
    updatedAt: Timestamp,
    riskLevel: RiskLevel,
    alerts: Type.Array(TrackedAlert, { maxItems: 5000 }),
    tamper: Type.Record(Type.String({ maxLength: 200 }), TamperRecord),
    /** Consecutive syncs in which each setting failed to apply. */
    applyErrors: Type.Record(Type.String({ maxLength: 200 }), Type.Integer({ minimum: 1 })),
    /** The last health read, as uploaded (DeviceHealth's fields; isolation included). */
    health: Type.Optional(Type.Object(DeviceHealth.properties, { additionalProperties: false })),
    /** Digest of the last health queued for upload (changes only). */
    healthDigest: Type.Optional(Type.String({ maxLength: 128 })),
    /** Hash of the last inventory queued for upload. */
    inventoryHash: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
    inventoryCollectedAt: Type.Optional(Timestamp),
  },
  { additionalProperties: false, $id: 'urn:attache:agent-signals', title: 'Agent risk signals state (signals.json)' },
);
export type AgentSignalsState = Static<typeof AgentSignalsState>;
