// Bodies of the admin API for device signals, compliance policies and access tokens (issue 5): what the admin CLI and
// gateways read and send; the devices' own signal messages are in signals.ts.
import { type Static, Type } from '@sinclair/typebox';
import { AssignmentMode, PolicySourceBody, Semver } from './admin-api.js';
import { AlertEffect, AlertTriage } from './alert-triage.js';
import { DisplayName, Platform, Timestamp, Uuid } from './primitives.js';
import { Alert, ComplianceState, DeviceHealth, DeviceInventory, RiskLevel } from './signals.js';
import { EXPOSURE_LEVELS } from './vulnerabilities.js';

/**
 * Intune's "Require the device to be at or under the machine risk score": `clear` (MDE "Secure": no active alert of
 * any severity), `low` (informational and low alerts allowed), `medium`, `high` (every level allowed: report only).
 */
export const ComplianceRiskLevel = Type.Union([Type.Literal('clear'), Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')], {
  description: 'Highest machine risk level a compliant device may have',
});
export type ComplianceRiskLevel = Static<typeof ComplianceRiskLevel>;

/** What a compliance policy requires. An absent setting is "Not configured" and never makes a device noncompliant. */
export const ComplianceSettings = Type.Object(
  {
    maxRiskLevel: Type.Optional(ComplianceRiskLevel),
    requireRealTimeProtection: Type.Optional(Type.Boolean({ description: 'Real-time protection on (health antivirus.realTimeProtection)' })),
    requireFirewall: Type.Optional(Type.Boolean({ description: 'Host firewall on (health firewall.enabled; every profile on Windows)' })),
    requireSignaturesUpToDate: Type.Optional(Type.Boolean({ description: 'Antivirus signatures no older than maxSignatureAgeHours' })),
    maxSignatureAgeHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 8760, description: 'With requireSignaturesUpToDate; default 72' })),
    maxHoursSinceCheckin: Type.Optional(Type.Integer({ minimum: 1, maximum: 8760, description: 'Hours since the last signed request (or enrollment)' })),
    minAgentVersion: Type.Optional(Type.String({ pattern: Semver.pattern, description: 'Lowest agent version (semver) a compliant device may run' })),
    /**
     * Ours (Intune has no such setting; Defender's exposure level is the analogy): the highest vulnerability exposure
     * level (docs/vulnerabilities.md "Exposure score") a compliant device may have; unknown until it uploaded software.
     */
    maxVulnerabilityExposureLevel: Type.Optional(
      Type.Union(
        EXPOSURE_LEVELS.map((l) => Type.Literal(l)),
        { description: 'Highest vulnerability exposure level a compliant device may have' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ComplianceSettings = Static<typeof ComplianceSettings>;

const complianceDocumentProperties = {
  name: DisplayName,
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  settings: ComplianceSettings,
  /** Hours a device stays `inGracePeriod` (access allowed) after it first fails the policy; default 0 (Intune: "Immediately"). */
  gracePeriodHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 8760 })),
  /**
   * The Intune compliance policy an import made it from (issue 16; migration 0015). An update without one keeps the
   * stored source; absent for a policy authored here. Re-imports match on its id.
   */
  source: Type.Optional(PolicySourceBody),
};

/** POST /v1/admin/compliance-policies and PUT /v1/admin/compliance-policies/:id. */
export const CompliancePolicyDocument = Type.Object(complianceDocumentProperties, {
  additionalProperties: false,
  $id: 'urn:attache:compliance-policy-document',
  title: 'Compliance policy document',
});
export type CompliancePolicyDocument = Static<typeof CompliancePolicyDocument>;

export const CompliancePolicy = Type.Object(
  {
    compliancePolicyId: Uuid,
    ...complianceDocumentProperties,
    gracePeriodHours: Type.Integer({ minimum: 0, maximum: 8760 }),
    version: Type.Integer({ minimum: 1 }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { additionalProperties: false, $id: 'urn:attache:compliance-policy', title: 'Compliance policy' },
);
export type CompliancePolicy = Static<typeof CompliancePolicy>;

/** POST /v1/admin/compliance-policies/:id/assignments. */
export const ComplianceAssignmentRequest = Type.Object(
  { groupId: Uuid, mode: Type.Optional(AssignmentMode) },
  { additionalProperties: false, $id: 'urn:attache:compliance-assignment-request', title: 'Assign compliance policy to group' },
);
export type ComplianceAssignmentRequest = Static<typeof ComplianceAssignmentRequest>;

export const ComplianceAssignment = Type.Object(
  { assignmentId: Uuid, compliancePolicyId: Uuid, groupId: Uuid, mode: AssignmentMode, createdAt: Timestamp },
  { additionalProperties: false, $id: 'urn:attache:compliance-assignment', title: 'Compliance assignment' },
);
export type ComplianceAssignment = Static<typeof ComplianceAssignment>;

const Decision = Type.Union([Type.Literal('allow'), Type.Literal('block')]);
const OptionalTime = Type.Union([Timestamp, Type.Null()]);
const ObservedValue = Type.Union([Type.String({ maxLength: 1024 }), Type.Number(), Type.Boolean(), Type.Null()]);

/** Why a device is not (or not known to be) compliant: the policy, the setting, what it requires and what was observed. */
export const ComplianceReason = Type.Object(
  {
    compliancePolicyId: Type.Union([Uuid, Type.Null()], { description: 'null for reasons of the device itself (revoked, no policy)' }),
    policyName: Type.Union([Type.String(), Type.Null()]),
    setting: Type.String({ maxLength: 64, description: 'A ComplianceSettings name, or device / assignment' }),
    result: Type.Union([
      Type.Literal('noncompliant'),
      Type.Literal('inGracePeriod'),
      Type.Literal('unknown'),
      Type.Literal('conflict'),
      Type.Literal('error'),
      Type.Literal('info'),
    ]),
    expected: ObservedValue,
    observed: ObservedValue,
    message: Type.String({ maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type ComplianceReason = Static<typeof ComplianceReason>;

/** One change of a device's compliance state. */
export const ComplianceTransition = Type.Object(
  { at: Timestamp, from: Type.Union([ComplianceState, Type.Null()]), to: ComplianceState, reasons: Type.Array(Type.String({ maxLength: 1024 })) },
  { additionalProperties: false },
);
export type ComplianceTransition = Static<typeof ComplianceTransition>;

/** One compliance policy's result on a device; the grace period counts from noncompliantSince. */
const PolicyOutcome = Type.Object(
  {
    compliancePolicyId: Uuid,
    name: Type.String(),
    version: Type.Integer({ minimum: 1 }),
    state: ComplianceState,
    noncompliantSince: OptionalTime,
    graceEndsAt: OptionalTime,
  },
  { additionalProperties: false },
);

/** GET /v1/admin/devices/:id/compliance: state, reasons, per-policy results and the last state changes (newest first). */
export const DeviceCompliance = Type.Object(
  {
    deviceId: Uuid,
    state: ComplianceState,
    decision: Decision,
    riskLevel: RiskLevel,
    reasons: Type.Array(ComplianceReason),
    policies: Type.Array(PolicyOutcome),
    evaluatedAt: Timestamp,
    evidenceAt: OptionalTime,
    /** When the state may change with time alone (check-in deadline, signature age, grace end); the timer re-evaluates then. */
    nextEvaluationAt: OptionalTime,
    transitions: Type.Array(ComplianceTransition),
  },
  { additionalProperties: false, $id: 'urn:attache:device-compliance', title: 'Device compliance' },
);
export type DeviceCompliance = Static<typeof DeviceCompliance>;

/** GET /v1/admin/devices/:id/alerts: the risk level the endpoint computed from stored alerts, and the alerts. */
export const DeviceAlerts = Type.Object(
  {
    deviceId: Uuid,
    riskLevel: RiskLevel,
    /** The level the agent claimed in its newest applied alert report (null before the first). */
    agentRiskLevel: Type.Union([RiskLevel, Type.Null()]),
    lastAlertReportAt: OptionalTime,
    /** Alerts that count toward the risk level (effect `active`). */
    activeCount: Type.Integer({ minimum: 0 }),
    /** Active alerts first (highest severity first), then resolved ones, newest first; each with its triage. */
    alerts: Type.Array(
      Type.Object(
        {
          ...Alert.properties,
          receivedAt: Timestamp,
          triage: Type.Union([AlertTriage, Type.Null()]),
          effect: AlertEffect,
          suppressedBy: Type.Union([Uuid, Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, $id: 'urn:attache:device-alerts', title: 'Device alerts' },
);
export type DeviceAlerts = Static<typeof DeviceAlerts>;

/** GET /v1/admin/devices/:id/health: the latest health the device uploaded (null before the first). */
export const DeviceHealthView = Type.Object(
  {
    deviceId: Uuid,
    receivedAt: OptionalTime,
    health: Type.Union([Type.Object(DeviceHealth.properties, { additionalProperties: false }), Type.Null()]),
  },
  { additionalProperties: false, $id: 'urn:attache:device-health-view', title: 'Device health view' },
);
export type DeviceHealthView = Static<typeof DeviceHealthView>;

/** GET /v1/admin/devices/:id/inventory: the latest inventory the device uploaded (null before the first). */
export const DeviceInventoryView = Type.Object(
  {
    deviceId: Uuid,
    receivedAt: OptionalTime,
    inventory: Type.Union([Type.Object(DeviceInventory.properties, { additionalProperties: false }), Type.Null()]),
  },
  { additionalProperties: false, $id: 'urn:attache:device-inventory-view', title: 'Device inventory view' },
);
export type DeviceInventoryView = Static<typeof DeviceInventoryView>;

/** POST /v1/admin/access-tokens: a bearer token for a conditional-access gateway (GET /v1/access/devices/:id only). */
export const AccessTokenCreateRequest = Type.Object(
  { description: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false, $id: 'urn:attache:access-token-create-request', title: 'Create access token' },
);
export type AccessTokenCreateRequest = Static<typeof AccessTokenCreateRequest>;

const accessTokenProperties = { tokenId: Uuid, description: Type.Optional(Type.String({ maxLength: 200 })), createdAt: Timestamp, revokedAt: OptionalTime };

/** An access token as listed: never the token itself (only its SHA-256 is stored). */
export const AccessToken = Type.Object(accessTokenProperties, { additionalProperties: false, $id: 'urn:attache:access-token', title: 'Access token' });
export type AccessToken = Static<typeof AccessToken>;

/** The answer to POST /v1/admin/access-tokens: the only time the token is shown. */
export const AccessTokenCreated = Type.Object(
  { ...accessTokenProperties, token: Type.String({ pattern: '^att_acc_[A-Za-z0-9_-]{43}$' }) },
  { additionalProperties: false, $id: 'urn:attache:access-token-created', title: 'Created access token' },
);
export type AccessTokenCreated = Static<typeof AccessTokenCreated>;

const overviewItem = {
  deviceId: Uuid,
  hostname: Type.String(),
  platform: Platform,
  decision: Decision,
  complianceState: ComplianceState,
  riskLevel: RiskLevel,
  evaluatedAt: Timestamp,
};
/** GET /v1/admin/compliance/devices: every device's precomputed decision and its first reason (fleet overview). */
export const ComplianceOverview = Type.Object(
  {
    devices: Type.Array(Type.Object({ ...overviewItem, firstReason: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false })),
  },
  { additionalProperties: false, $id: 'urn:attache:compliance-overview', title: 'Compliance overview' },
);
export type ComplianceOverview = Static<typeof ComplianceOverview>;
