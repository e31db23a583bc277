// Messages between an agent and the endpoint: enrollment, policy fetch, status report, push channel.
import { type Static, Type } from '@sinclair/typebox';
import { DeliveredAction, MAX_DELIVERED_ACTIONS } from './actions.js';
import { PolicyStatus, SettingStatus, SyncTrigger } from './agent-config.js';
import { SignedSuppressionList } from './alert-triage.js';
import { SignedSigningKeyAnnouncement } from './key-rotation.js';
import { SignedPolicy, SignedPolicySetManifest } from './policy.js';
import { ErrorCodeString, ErrorResponse, Hostname, OsType, Platform, PublicKey, SettingValue, Signature, Timestamp, Uuid } from './primitives.js';

/** Facts a device states about itself at enrollment (the directory record's attributes). */
export const DeviceFacts = Type.Object(
  {
    hostname: Hostname,
    platform: Platform,
    osVersion: Type.String({ maxLength: 200 }),
    /** `server` on a server edition (Windows Server); absent = `workstation` (older agents, and macOS/Linux agents, omit it). */
    osType: Type.Optional(OsType),
    arch: Type.String({ maxLength: 32 }),
    agentVersion: Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+([-+][0-9A-Za-z.-]+)?$' }),
  },
  { additionalProperties: false },
);
export type DeviceFacts = Static<typeof DeviceFacts>;

/** POST /v1/enroll. `proof` signs enrollmentProofString(token, publicKey) with the private key being registered. */
export const EnrollRequest = Type.Object(
  {
    enrollmentToken: Type.String({ minLength: 1, maxLength: 200 }),
    publicKey: PublicKey,
    proof: Signature,
    device: DeviceFacts,
  },
  { additionalProperties: false, $id: 'urn:attache:enroll-request', title: 'Enroll request' },
);
export type EnrollRequest = Static<typeof EnrollRequest>;

export const EnrollResponse = Type.Object(
  { deviceId: Uuid, tenantId: Uuid, enrolledAt: Timestamp },
  { additionalProperties: false, $id: 'urn:attache:enroll-response', title: 'Enroll response' },
);
export type EnrollResponse = Static<typeof EnrollResponse>;

/** GET /v1/device/policies: every policy version assigned to the device, signed, and the signed manifest of the set. */
export const PoliciesResponse = Type.Object(
  {
    deviceId: Uuid,
    /** Changes whenever the assigned set changes; sent back as If-None-Match. */
    etag: Type.String({ pattern: '^"[0-9a-f]{64}"$' }),
    manifest: SignedPolicySetManifest,
    policies: Type.Array(SignedPolicy, { maxItems: 500 }),
    /** The policy-signing key chain, oldest first: each announcement signed by the key before it. */
    signingKeys: Type.Optional(Type.Array(SignedSigningKeyAnnouncement, { maxItems: 50 })),
    /** An admin asked this device to rotate its device key now. */
    rotateDeviceKey: Type.Optional(Type.Literal(true)),
    /** The alert suppressions in force for this device, signed like the manifest (absent: none). */
    suppressions: Type.Optional(SignedSuppressionList),
    /**
     * Response actions for this device not yet finished there (and cancellations of ones it has), signed; only to an
     * agent that states the `actions` capability (header `x-attache-capabilities`, or `capabilities=actions` on the
     * push upgrade), so an older agent's closed schema never sees them.
     */
    actions: Type.Optional(Type.Array(DeliveredAction, { maxItems: MAX_DELIVERED_ACTIONS })),
  },
  { additionalProperties: false, $id: 'urn:attache:policies-response', title: 'Policies response' },
);
export type PoliciesResponse = Static<typeof PoliciesResponse>;

/**
 * Something the agent did or refused besides applying policy: restored a setting no policy manages any more (no
 * tattooing), remediated drift (a tamper event), or rejected a policy (signature, schema, downgrade).
 */
export const SettingEvent = Type.Object(
  {
    type: Type.Union([Type.Literal('restored'), Type.Literal('remediated'), Type.Literal('rejected')]),
    at: Timestamp,
    settingId: Type.Optional(Type.String({ maxLength: 200 })),
    policyId: Type.Optional(Uuid),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    before: Type.Optional(SettingValue),
    after: Type.Optional(SettingValue),
    code: Type.Optional(ErrorCodeString),
    message: Type.Optional(Type.String({ maxLength: 2048 })),
  },
  { additionalProperties: false },
);
export type SettingEvent = Static<typeof SettingEvent>;

/** POST /v1/device/reports: the per-setting outcome of one sync. Idempotent by reportId. */
export const StatusReport = Type.Object(
  {
    reportId: Uuid,
    deviceId: Uuid,
    generatedAt: Timestamp,
    agentVersion: Type.String({ maxLength: 64 }),
    trigger: SyncTrigger,
    durationMs: Type.Integer({ minimum: 0 }),
    /** Set when the sync could not use fresh policy (endpoint unreachable, policy rejected): the last good set stayed in force. */
    syncError: Type.Optional(Type.Object({ code: ErrorCodeString, message: Type.String({ maxLength: 2048 }) }, { additionalProperties: false })),
    policies: Type.Array(PolicyStatus, { maxItems: 500 }),
    settings: Type.Array(SettingStatus, { maxItems: 5000 }),
    /** Events since the previous report (restores, drift remediations, rejections). */
    events: Type.Optional(Type.Array(SettingEvent, { maxItems: 1000 })),
  },
  { additionalProperties: false, $id: 'urn:attache:status-report', title: 'Status report' },
);
export type StatusReport = Static<typeof StatusReport>;

export const ReportAck = Type.Object(
  { reportId: Uuid, duplicate: Type.Boolean(), stale: Type.Boolean() },
  { additionalProperties: false, $id: 'urn:attache:report-ack', title: 'Report acknowledgement' },
);
export type ReportAck = Static<typeof ReportAck>;

/** Why the endpoint asks a device to sync (or delivers its set). */
export const SyncReason = Type.Union([
  Type.Literal('policy-changed'),
  Type.Literal('assignment-changed'),
  Type.Literal('admin-request'),
  Type.Literal('key-rotation'),
]);
export type SyncReason = Static<typeof SyncReason>;

/** Version of the push channel an agent asks for with `?channel=2` on the upgrade: 2 carries sets and requests. */
export const PUSH_CHANNEL_VERSION = 2;

/** The device requests that travel over the push channel (version 2), named as EndpointClient's methods. */
export const ChannelMethod = Type.Union([
  Type.Literal('getPolicies'),
  Type.Literal('postReport'),
  Type.Literal('postAlerts'),
  Type.Literal('postHealth'),
  Type.Literal('postInventory'),
  Type.Literal('postActionUpdates'),
]);
export type ChannelMethod = Static<typeof ChannelMethod>;

/** Endpoint → agent over the push WebSocket (GET /v1/device/push). */
export const ServerPushMessage = Type.Union(
  [
    Type.Object(
      { type: Type.Literal('hello'), deviceId: Uuid, serverTime: Timestamp, channel: Type.Optional(Type.Literal(PUSH_CHANNEL_VERSION)) },
      { additionalProperties: false },
    ),
    Type.Object({ type: Type.Literal('sync'), requestId: Uuid, reason: SyncReason }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('error'), code: ErrorCodeString, message: Type.String({ maxLength: 2048 }) }, { additionalProperties: false }),
    /** Channel 2: the device's signed set, exactly as GET /v1/device/policies would answer it. */
    Type.Object({ type: Type.Literal('policies'), requestId: Uuid, reason: SyncReason, body: PoliciesResponse }, { additionalProperties: false }),
    /** Channel 2, `actions` capability: response actions for the device, at once (the same envelopes a policies answer carries). */
    Type.Object(
      { type: Type.Literal('actions'), requestId: Uuid, actions: Type.Array(DeliveredAction, { minItems: 1, maxItems: MAX_DELIVERED_ACTIONS }) },
      { additionalProperties: false },
    ),
    /** Channel 2: the answer to a `request` (its `id`): `result` as the HTTP route's body, or the HTTP route's error. */
    Type.Object(
      { type: Type.Literal('response'), id: Uuid, result: Type.Optional(Type.Unknown()), error: Type.Optional(ErrorResponse.properties.error) },
      { additionalProperties: false },
    ),
  ],
  { $id: 'urn:attache:server-push-message', title: 'Push message, endpoint to agent' },
);
export type ServerPushMessage = Static<typeof ServerPushMessage>;

/** Agent → endpoint over the push WebSocket. */
export const AgentPushMessage = Type.Union(
  [
    Type.Object({ type: Type.Literal('ack'), requestId: Uuid }, { additionalProperties: false }),
    /**
     * Channel 2: one device request; `body` is what the HTTP route's body would be (validated by the same schema there),
     * `etag` the If-None-Match of getPolicies. Answered by a `response` with the same id.
     */
    Type.Object(
      {
        type: Type.Literal('request'),
        id: Uuid,
        method: ChannelMethod,
        etag: Type.Optional(Type.String({ pattern: '^"[0-9a-f]{64}"$' })),
        body: Type.Optional(Type.Unknown()),
      },
      { additionalProperties: false },
    ),
  ],
  { $id: 'urn:attache:agent-push-message', title: 'Push message, agent to endpoint' },
);
export type AgentPushMessage = Static<typeof AgentPushMessage>;
