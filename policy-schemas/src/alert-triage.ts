// Alert triage (issue 17 §5), modelled on Defender's alert update API and suppression rules: what an admin sends to
// resolve, classify, assign and comment on one device's alert, the suppression rules, and the signed suppression list
// the endpoint hands each device with its policies so the agent stops counting a suppressed finding.
import { type Static, Type } from '@sinclair/typebox';
import { Signature, Timestamp, Uuid } from './primitives.js';
import { Alert } from './signals.js';
import { DETERMINATIONS } from './triage-rules.js';

/** Defender's alert status (New | InProgress | Resolved), camelCase. */
export const AlertTriageStatus = Type.Union([Type.Literal('new'), Type.Literal('inProgress'), Type.Literal('resolved')]);
export type AlertTriageStatus = Static<typeof AlertTriageStatus>;

/** Defender's classification values (TruePositive | InformationalExpectedActivity | FalsePositive), camelCase. */
export const AlertClassification = Type.Union([Type.Literal('truePositive'), Type.Literal('informationalExpectedActivity'), Type.Literal('falsePositive')]);
export type AlertClassification = Static<typeof AlertClassification>;

const ALL_DETERMINATIONS: string[] = [...new Set(Object.values(DETERMINATIONS).flat())];
export const AlertDetermination = Type.Union(ALL_DETERMINATIONS.map((d) => Type.Literal(d)));
export type AlertDetermination = Static<typeof AlertDetermination>;

const AlertId = Alert.properties.alertId;
const Comment = Type.String({ minLength: 1, maxLength: 1000 });
const Person = Type.String({ minLength: 1, maxLength: 200 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/**
 * PATCH /v1/admin/devices/:id/alerts/:alertId: omitted properties keep their values (Defender's update alert); null
 * clears one. A comment may come with or without a change. The determination must belong to the classification.
 */
export const AlertTriagePatch = Type.Object(
  {
    status: Type.Optional(AlertTriageStatus),
    classification: Type.Optional(Nullable(AlertClassification)),
    determination: Type.Optional(Nullable(AlertDetermination)),
    assignedTo: Type.Optional(Nullable(Person)),
    comment: Type.Optional(Comment),
  },
  { additionalProperties: false, minProperties: 1, $id: 'urn:attache:alert-triage-patch', title: 'Alert triage change' },
);
export type AlertTriagePatch = Static<typeof AlertTriagePatch>;

/** The admin's triage of one device's alert. */
export const AlertTriage = Type.Object(
  {
    status: AlertTriageStatus,
    classification: Nullable(AlertClassification),
    determination: Nullable(AlertDetermination),
    assignedTo: Nullable(Person),
    /** When an admin resolved it (null unless status is resolved). */
    resolvedAt: Nullable(Timestamp),
    resolvedBy: Nullable(Person),
    updatedAt: Timestamp,
    updatedBy: Person,
  },
  { additionalProperties: false },
);
export type AlertTriage = Static<typeof AlertTriage>;

/** One entry of an alert's "Comments and history". */
export const AlertComment = Type.Object({ at: Timestamp, author: Person, text: Comment }, { additionalProperties: false });
export type AlertComment = Static<typeof AlertComment>;

/** POST /v1/admin/devices/:id/alerts/:alertId/comments. */
export const AlertCommentRequest = Type.Object(
  { comment: Comment },
  { additionalProperties: false, $id: 'urn:attache:alert-comment-request', title: 'Alert comment' },
);
export type AlertCommentRequest = Static<typeof AlertCommentRequest>;

/**
 * Why an alert does or does not count toward the device's risk: `active` (it counts), `resolvedByAgent` (the agent no
 * longer sees it), `resolvedByAdmin` (resolved by an admin after the agent first saw this occurrence), `suppressed`
 * (an unexpired suppression rule matches it).
 */
export const AlertEffect = Type.Union([Type.Literal('active'), Type.Literal('resolvedByAgent'), Type.Literal('resolvedByAdmin'), Type.Literal('suppressed')]);
export type AlertEffect = Static<typeof AlertEffect>;

/** Suppress on this device or on every device of the organization (Defender's two suppression contexts). */
export const SuppressionScope = Type.Union([Type.Literal('device'), Type.Literal('organization')]);
export type SuppressionScope = Static<typeof SuppressionScope>;

/** POST /v1/admin/suppression-rules: `deviceId` with scope device, never with organization. */
export const SuppressionRuleRequest = Type.Object(
  {
    scope: SuppressionScope,
    deviceId: Type.Optional(Uuid),
    alertId: AlertId,
    comment: Comment,
    /** The rule stops applying then, on the endpoint and on the device (absent: until deleted). */
    expiresAt: Type.Optional(Timestamp),
  },
  { additionalProperties: false, $id: 'urn:attache:suppression-rule-request', title: 'Suppression rule request' },
);
export type SuppressionRuleRequest = Static<typeof SuppressionRuleRequest>;

export const SuppressionRule = Type.Object(
  {
    ruleId: Uuid,
    scope: SuppressionScope,
    deviceId: Nullable(Uuid),
    alertId: AlertId,
    comment: Comment,
    createdAt: Timestamp,
    createdBy: Person,
    expiresAt: Nullable(Timestamp),
  },
  { additionalProperties: false, $id: 'urn:attache:suppression-rule', title: 'Suppression rule' },
);
export type SuppressionRule = Static<typeof SuppressionRule>;

/** PATCH /v1/admin/suppression-rules/:id: a new reason or expiry (null: until deleted); scope and alert stay. */
export const SuppressionRulePatch = Type.Object(
  { comment: Type.Optional(Comment), expiresAt: Type.Optional(Nullable(Timestamp)) },
  { additionalProperties: false, minProperties: 1, $id: 'urn:attache:suppression-rule-patch', title: 'Suppression rule change' },
);
export type SuppressionRulePatch = Static<typeof SuppressionRulePatch>;

export const SuppressionRuleList = Type.Object(
  { rules: Type.Array(SuppressionRule) },
  { additionalProperties: false, $id: 'urn:attache:suppression-rule-list', title: 'Suppression rules' },
);
export type SuppressionRuleList = Static<typeof SuppressionRuleList>;

/** GET and PATCH /v1/admin/devices/:id/alerts/:alertId: the alert, its triage, why it counts or not, its comments. */
export const AlertTriageView = Type.Object(
  {
    deviceId: Uuid,
    alert: Type.Object({ ...Alert.properties, receivedAt: Timestamp }, { additionalProperties: false }),
    triage: Nullable(AlertTriage),
    effect: AlertEffect,
    /** The rule that suppresses it (effect suppressed). */
    suppressedBy: Nullable(Uuid),
    /** Oldest first, at most the newest 200. */
    comments: Type.Array(AlertComment),
  },
  { additionalProperties: false, $id: 'urn:attache:alert-triage-view', title: 'Alert triage view' },
);
export type AlertTriageView = Static<typeof AlertTriageView>;

/** The most suppressions one device's list carries (device and organization rules together). */
export const MAX_DEVICE_SUPPRESSIONS = 1000;

/** One suppression as the device holds it. */
export const DeviceSuppression = Type.Object({ ruleId: Uuid, alertId: AlertId, expiresAt: Type.Optional(Timestamp) }, { additionalProperties: false });
export type DeviceSuppression = Static<typeof DeviceSuppression>;

/**
 * The suppressions in force for one device, signed by the policy-signing key over its canonical JSON (as a policy
 * set manifest): bound to the device and tenant; `issuedAt` lets the agent refuse a list older than the one it holds.
 */
export const SuppressionListPayload = Type.Object(
  {
    purpose: Type.Literal('attache-suppressions'),
    deviceId: Uuid,
    tenantId: Uuid,
    issuedAt: Timestamp,
    suppressions: Type.Array(DeviceSuppression, { maxItems: MAX_DEVICE_SUPPRESSIONS }),
  },
  { additionalProperties: false },
);
export type SuppressionListPayload = Static<typeof SuppressionListPayload>;

export const SignedSuppressionList = Type.Object(
  { payload: SuppressionListPayload, keyId: Type.String({ pattern: '^[0-9a-f]{32}$' }), signature: Signature },
  { additionalProperties: false, $id: 'urn:attache:signed-suppression-list', title: 'Signed suppression list' },
);
export type SignedSuppressionList = Static<typeof SignedSuppressionList>;

export { DETERMINATIONS, suppressionApplies } from './triage-rules.js';
