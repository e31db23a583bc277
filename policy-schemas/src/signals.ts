// What a device tells the endpoint about itself beyond policy status: inventory, health, and risk signals (alerts).
// The endpoint turns them into a machine risk level, compliance state and an access decision (issue 5).
import { type Static, Type } from '@sinclair/typebox';
import { Hostname, Platform, Timestamp, Uuid } from './primitives.js';

/** MDE alert severities (mde-domain.md §4.1). */
export const AlertSeverity = Type.Union([Type.Literal('informational'), Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]);
export type AlertSeverity = Static<typeof AlertSeverity>;

/** Machine risk level: the highest severity among active alerts, `none` without any (MDE riskScore). */
export const RiskLevel = Type.Union([Type.Literal('none'), Type.Literal('informational'), Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]);
export type RiskLevel = Static<typeof RiskLevel>;

const Short = (max = 200) => Type.String({ minLength: 1, maxLength: max });
const Evidence = Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String({ maxLength: 2048 }), Type.Number(), Type.Boolean(), Type.Null()]), {
  maxProperties: 32,
});

/** What the agent did about a `block` indicator match or a threat. */
export const AlertAction = Type.Object(
  {
    type: Type.Union([Type.Literal('none'), Type.Literal('killProcess'), Type.Literal('blockConnection')]),
    ok: Type.Boolean(),
    detail: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type AlertAction = Static<typeof AlertAction>;

/**
 * One risk signal. `alertId` is stable for the same condition (e.g. `posture.realTimeProtectionOff`,
 * `indicator.<sha256 of type+value+subject>`), so repeated observations update one alert instead of creating many.
 */
export const Alert = Type.Object(
  {
    alertId: Type.String({ pattern: '^[a-z][A-Za-z0-9]*\\.[A-Za-z0-9._:-]{1,150}$' }),
    category: Type.Union([Type.Literal('posture'), Type.Literal('threat'), Type.Literal('indicator')]),
    severity: AlertSeverity,
    title: Short(),
    evidence: Evidence,
    firstSeen: Timestamp,
    lastSeen: Timestamp,
    status: Type.Union([Type.Literal('active'), Type.Literal('resolved')]),
    resolvedAt: Type.Optional(Timestamp),
    action: Type.Optional(AlertAction),
  },
  { additionalProperties: false },
);
export type Alert = Static<typeof Alert>;

/**
 * POST /v1/device/alerts (signed): the agent's alerts that changed since the last acknowledged report, and its risk
 * level. Sent at once when an alert opens, resolves or changes severity; queued durably and retried until acked.
 * Idempotent by reportId; a report older than the newest stored one for the device does not move its risk level.
 */
export const AlertReport = Type.Object(
  {
    reportId: Uuid,
    deviceId: Uuid,
    generatedAt: Timestamp,
    riskLevel: RiskLevel,
    alerts: Type.Array(Alert, { maxItems: 1000 }),
  },
  { additionalProperties: false, $id: 'urn:attache:alert-report', title: 'Alert report' },
);
export type AlertReport = Static<typeof AlertReport>;

export const AlertReportAck = Type.Object(
  { reportId: Uuid, duplicate: Type.Boolean(), stale: Type.Boolean(), riskLevel: RiskLevel },
  { additionalProperties: false, $id: 'urn:attache:alert-report-ack', title: 'Alert report acknowledgement' },
);
export type AlertReportAck = Static<typeof AlertReportAck>;

const Version = Type.String({ maxLength: 64 });

/** Antivirus health as the OS's Defender reports it (Get-MpComputerStatus, mdatp health). null: not known. */
export const AntivirusHealth = Type.Object(
  {
    source: Type.Union([Type.Literal('defender'), Type.Literal('mdatp'), Type.Literal('simulated'), Type.Literal('none')]),
    /** MDE avMode: active, passive, off (disabled), edrBlock, unknown. */
    mode: Type.Union([Type.Literal('active'), Type.Literal('passive'), Type.Literal('off'), Type.Literal('edrBlock'), Type.Literal('unknown')]),
    realTimeProtection: Type.Union([Type.Boolean(), Type.Null()]),
    tamperProtection: Type.Union([Type.Boolean(), Type.Null()]),
    engineVersion: Type.Optional(Version),
    platformVersion: Type.Optional(Version),
    signatureVersion: Type.Optional(Version),
    signatureUpdatedAt: Type.Optional(Timestamp),
    /** Hours since the signatures were updated, when known. */
    signatureAgeHours: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()])),
    lastQuickScanAt: Type.Optional(Timestamp),
    lastFullScanAt: Type.Optional(Timestamp),
    /** Why a field is unknown (e.g. "mdatp is not installed"). */
    detail: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type AntivirusHealth = Static<typeof AntivirusHealth>;

export const FirewallHealth = Type.Object(
  {
    source: Type.Union([
      Type.Literal('windowsFirewall'),
      Type.Literal('nftables'),
      Type.Literal('socketfilterfw'),
      Type.Literal('simulated'),
      Type.Literal('none'),
    ]),
    /** True when the host firewall is on (every profile, on Windows). */
    enabled: Type.Union([Type.Boolean(), Type.Null()]),
    /** Windows: Domain/Private/Public. */
    profiles: Type.Optional(Type.Record(Type.String({ maxLength: 32 }), Type.Union([Type.Boolean(), Type.Null()]))),
    detail: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type FirewallHealth = Static<typeof FirewallHealth>;

/** The device's network isolation (response action isolate/release), as the agent holds it. */
export const IsolationHealth = Type.Object(
  {
    isolated: Type.Boolean(),
    mode: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('selective')])),
    since: Type.Optional(Timestamp),
    /** True when the OS has the isolation rules loaded now (false while a removed table awaits the refresh). */
    enforced: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type IsolationHealth = Static<typeof IsolationHealth>;

/** Device health, sent with status reports and whenever it changes. */
export const DeviceHealth = Type.Object(
  {
    collectedAt: Timestamp,
    antivirus: AntivirusHealth,
    firewall: FirewallHealth,
    /** Absent: an agent without response actions (or one that could not read its isolation state). */
    isolation: Type.Optional(IsolationHealth),
  },
  { additionalProperties: false, $id: 'urn:attache:device-health', title: 'Device health' },
);
export type DeviceHealth = Static<typeof DeviceHealth>;

/** Inventory collected with systeminformation; static facts, sent only when `hash` changes. */
export const DeviceInventory = Type.Object(
  {
    collectedAt: Timestamp,
    /** SHA-256 (hex) over the canonical JSON of everything below except collectedAt. */
    hash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    agentVersion: Version,
    hostname: Hostname,
    os: Type.Object(
      {
        platform: Platform,
        distro: Type.Optional(Type.String({ maxLength: 200 })),
        release: Type.Optional(Type.String({ maxLength: 100 })),
        build: Type.Optional(Type.String({ maxLength: 100 })),
        kernel: Type.Optional(Type.String({ maxLength: 100 })),
        arch: Type.String({ maxLength: 32 }),
      },
      { additionalProperties: false },
    ),
    hardware: Type.Object(
      {
        manufacturer: Type.Optional(Type.String({ maxLength: 200 })),
        model: Type.Optional(Type.String({ maxLength: 200 })),
        serial: Type.Optional(Type.String({ maxLength: 200 })),
        cpu: Type.Optional(Type.String({ maxLength: 200 })),
        memoryBytes: Type.Optional(Type.Integer({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
    network: Type.Array(
      Type.Object(
        {
          iface: Type.String({ maxLength: 100 }),
          mac: Type.Optional(Type.String({ maxLength: 32 })),
          addresses: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 64 },
    ),
    diskEncryption: Type.Object(
      {
        state: Type.Union([Type.Literal('encrypted'), Type.Literal('notEncrypted'), Type.Literal('unknown')]),
        method: Type.Optional(Type.Union([Type.Literal('luks'), Type.Literal('filevault'), Type.Literal('bitlocker')])),
        detail: Type.Optional(Type.String({ maxLength: 1024 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, $id: 'urn:attache:device-inventory', title: 'Device inventory' },
);
export type DeviceInventory = Static<typeof DeviceInventory>;

/**
 * POST /v1/device/inventory and POST /v1/device/health (signed): the latest inventory (only when its hash changed)
 * and health (at each check-in and when it changes). Responses are 204.
 */
export const InventoryUpload = Type.Object(
  { deviceId: Uuid, inventory: DeviceInventory },
  { additionalProperties: false, $id: 'urn:attache:inventory-upload', title: 'Inventory upload' },
);
export type InventoryUpload = Static<typeof InventoryUpload>;

export const HealthUpload = Type.Object(
  { deviceId: Uuid, health: DeviceHealth },
  { additionalProperties: false, $id: 'urn:attache:health-upload', title: 'Health upload' },
);
export type HealthUpload = Static<typeof HealthUpload>;

/**
 * Compliance states as Intune names them (Graph complianceState, without configManager: no co-management here).
 * `conflict`: a check the device fails because another manager overrides the setting it needs; `error`: a check could
 * not be evaluated. Only `compliant` and `inGracePeriod` allow access.
 * Source: https://learn.microsoft.com/graph/api/resources/intune-devices-compliancestate
 */
export const ComplianceState = Type.Union([
  Type.Literal('compliant'),
  Type.Literal('noncompliant'),
  Type.Literal('inGracePeriod'),
  Type.Literal('unknown'),
  Type.Literal('conflict'),
  Type.Literal('error'),
]);
export type ComplianceState = Static<typeof ComplianceState>;

/**
 * The access decision a conditional-access gateway asks for: GET /v1/device/access (signed device request) or
 * GET /v1/access/devices/:id (admin or access-service token). Block unless the device is compliant (or in grace).
 */
export const AccessDecision = Type.Object(
  {
    deviceId: Uuid,
    decision: Type.Union([Type.Literal('allow'), Type.Literal('block')]),
    complianceState: ComplianceState,
    riskLevel: RiskLevel,
    reasons: Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 50 }),
    /** Time of the newest evidence the decision rests on (last report / alert). */
    evidenceAt: Type.Union([Timestamp, Type.Null()]),
    evaluatedAt: Timestamp,
  },
  { additionalProperties: false, $id: 'urn:attache:access-decision', title: 'Access decision' },
);
export type AccessDecision = Static<typeof AccessDecision>;
