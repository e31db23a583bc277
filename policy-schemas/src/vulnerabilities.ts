// Vulnerability management (issue 18) on the wire: the device's software upload, each device's exposure and findings,
// the fleet's recommendations and top lists, and security tasks (Intune's deviceAppManagementTask, camelCase values).
// docs/vulnerabilities.md.
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Timestamp, Uuid } from './primitives.js';
import { SoftwareInventory, SoftwareSource, VersionScheme } from './software.js';

const closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Text = (max: number) => Type.String({ maxLength: max });

/** POST /v1/device/software: the whole inventory, sent only when its digest changed (agent's hash gate). */
export const SoftwareUpload = Type.Object(
  { deviceId: Uuid, inventory: SoftwareInventory },
  { additionalProperties: false, $id: 'urn:attache:software-upload', title: 'Software inventory upload' },
);
export type SoftwareUpload = Static<typeof SoftwareUpload>;

/** The answer: `stored` false when the endpoint already held this digest or a newer collection (nothing changed). */
export const SoftwareUploadAck = Type.Object(
  { digest: Type.String({ pattern: '^[0-9a-f]{64}$' }), stored: Type.Boolean() },
  { additionalProperties: false, $id: 'urn:attache:software-upload-ack', title: 'Software inventory acknowledged' },
);
export type SoftwareUploadAck = Static<typeof SoftwareUploadAck>;

/** Defender's device exposure levels (`none` when no finding). Bands of the score in docs/vulnerabilities.md. */
export const EXPOSURE_LEVELS = ['none', 'low', 'medium', 'high'] as const;
export const ExposureLevel = Type.Union(EXPOSURE_LEVELS.map((l) => Type.Literal(l)));
export type ExposureLevel = (typeof EXPOSURE_LEVELS)[number];

/** An advisory's qualitative severity (NVD's CVSS v3 bands; `unknown` when nothing states it). */
export const SEVERITY_LEVELS = ['critical', 'high', 'medium', 'low', 'none', 'unknown'] as const;
export const VulnerabilitySeverity = Type.Union(SEVERITY_LEVELS.map((l) => Type.Literal(l)));
export type VulnerabilitySeverity = (typeof SEVERITY_LEVELS)[number];

/** Finding counts by severity. */
export const SeverityCounts = Type.Object(
  {
    critical: Type.Integer({ minimum: 0 }),
    high: Type.Integer({ minimum: 0 }),
    medium: Type.Integer({ minimum: 0 }),
    low: Type.Integer({ minimum: 0 }),
    unknown: Type.Integer({ minimum: 0 }),
  },
  closed,
);
export type SeverityCounts = Static<typeof SeverityCounts>;

/** The installed software a finding is about (the device's item, as it reported it: data, never markup). */
export const FindingSoftware = Type.Object(
  {
    name: Text(256),
    version: Text(128),
    source: SoftwareSource,
    scheme: VersionScheme,
    vendor: Type.Optional(Text(256)),
    architecture: Type.Optional(Text(32)),
    /** dpkg: the source package the advisory names when it differs from `name` (with its version). */
    matchedName: Type.Optional(Text(256)),
    matchedVersion: Type.Optional(Text(128)),
  },
  closed,
);
export type FindingSoftware = Static<typeof FindingSoftware>;

/** One advisory matching one installed item of one device. */
export const VulnerabilityFinding = Type.Object(
  {
    advisoryId: Text(200),
    /** CVE ids among the advisory's id and aliases (the advisory's id first when it is one). */
    cveIds: Type.Array(Text(40), { maxItems: 50 }),
    source: Type.Union([Type.Literal('osv'), Type.Literal('nvd')]),
    severity: VulnerabilitySeverity,
    cvssScore: Nullable(Type.Number({ minimum: 0, maximum: 10 })),
    cvssVector: Nullable(Text(200)),
    published: Nullable(Timestamp),
    summary: Text(1000),
    software: FindingSoftware,
    /** The version to update to (OSV `fixed`, NVD versionEndExcluding); null when no fix is published. */
    fixedVersion: Nullable(Text(128)),
    /** The affected range as text, e.g. `>= 0, < 3.0.15-1~deb12u1` or `cpe:2.3:a:7-zip:7-zip:*:… < 24.07`. */
    affectedRange: Text(1000),
  },
  closed,
);
export type VulnerabilityFinding = Static<typeof VulnerabilityFinding>;

/** A device's exposure: level, score, counts, and when its software was collected and its exposure computed. */
const deviceExposureFields = {
  deviceId: Uuid,
  deviceName: Text(200),
  level: ExposureLevel,
  /** 0–100 (docs/vulnerabilities.md "Exposure score"). */
  score: Type.Integer({ minimum: 0, maximum: 100 }),
  findings: Type.Integer({ minimum: 0 }),
  /** Distinct advisories (a CVE fixed in two packages counts once). */
  advisories: Type.Integer({ minimum: 0 }),
  bySeverity: SeverityCounts,
  vulnerableSoftware: Type.Integer({ minimum: 0 }),
  softwareItems: Type.Integer({ minimum: 0 }),
  softwareTruncated: Type.Boolean(),
  softwareCollectedAt: Nullable(Timestamp),
  computedAt: Timestamp,
};
/** As embedded in lists and pages (no $id: one schema, one id). */
const DeviceExposureItem = Type.Object(deviceExposureFields, closed);
export const DeviceExposure = Type.Object(deviceExposureFields, { additionalProperties: false, $id: 'urn:attache:device-exposure', title: 'Device exposure' });
export type DeviceExposure = Static<typeof DeviceExposure>;

/** GET /v1/admin/devices/:id/vulnerabilities: the exposure and every finding (severity, then score, then id). */
export const DeviceVulnerabilities = Type.Object(
  { exposure: Nullable(DeviceExposureItem), findings: Type.Array(VulnerabilityFinding) },
  { additionalProperties: false, $id: 'urn:attache:device-vulnerabilities', title: "A device's vulnerabilities" },
);
export type DeviceVulnerabilities = Static<typeof DeviceVulnerabilities>;

/** GET /v1/admin/devices/:id/software: what the device last uploaded. */
export const DeviceSoftware = Type.Object(
  {
    deviceId: Uuid,
    receivedAt: Nullable(Timestamp),
    inventory: Nullable(SoftwareInventory),
  },
  { additionalProperties: false, $id: 'urn:attache:device-software', title: "A device's software inventory" },
);
export type DeviceSoftware = Static<typeof DeviceSoftware>;

/**
 * A security recommendation: update one software (as advisories name it, in one ecosystem) to the version that fixes
 * every finding on it. Its id is stable across recomputes and imports: the first 32 hex digits of
 * sha256(`${ecosystem}\u0000${matchedName}`). `fixedVersion`: the highest fixed version among its findings (by the
 * ecosystem's comparator); null when none of them has a published fix ("no update available", still listed).
 */
const recommendationFields = {
  recommendationId: Type.String({ pattern: '^[0-9a-f]{32}$' }),
  /** The text shown: `Update openssl to 3.0.15-1~deb12u1 or later`. */
  title: Text(600),
  software: Text(256),
  vendor: Nullable(Text(256)),
  /** `Debian:12`, `Ubuntu:22.04`, `Red Hat:enterprise_linux:9`, `windows`, `macos`, … */
  ecosystem: Text(200),
  fixedVersion: Nullable(Text(128)),
  exposedDevices: Type.Integer({ minimum: 0 }),
  advisories: Type.Integer({ minimum: 0 }),
  cves: Type.Integer({ minimum: 0 }),
  highestSeverity: VulnerabilitySeverity,
  highestCvss: Nullable(Type.Number({ minimum: 0, maximum: 10 })),
  /** The installed versions it covers (at most 20 listed) and device counts. */
  installedVersions: Type.Array(Type.Object({ version: Text(128), devices: Type.Integer({ minimum: 0 }) }, closed), { maxItems: 20 }),
  /** Open security tasks made from it (not completed or rejected). */
  openTasks: Type.Integer({ minimum: 0 }),
};
/** As embedded in lists and pages (no $id: one schema, one id). */
const RecommendationItem = Type.Object(recommendationFields, closed);
export const Recommendation = Type.Object(recommendationFields, {
  additionalProperties: false,
  $id: 'urn:attache:recommendation',
  title: 'Security recommendation',
});
export type Recommendation = Static<typeof Recommendation>;

/** GET /v1/admin/vulnerabilities/recommendations: one page, most exposed devices first, keyset cursor. */
export const RecommendationList = Type.Object(
  { items: Type.Array(RecommendationItem), nextCursor: Nullable(Type.String({ maxLength: 400 })) },
  { additionalProperties: false, $id: 'urn:attache:recommendation-list', title: 'Security recommendations' },
);
export type RecommendationList = Static<typeof RecommendationList>;

/** One page of devices by exposure (GET /v1/admin/vulnerabilities/devices), highest score first. */
export const DeviceExposureList = Type.Object(
  { items: Type.Array(DeviceExposureItem), nextCursor: Nullable(Type.String({ maxLength: 400 })) },
  { additionalProperties: false, $id: 'urn:attache:device-exposure-list', title: 'Devices by exposure' },
);
export type DeviceExposureList = Static<typeof DeviceExposureList>;

/** One of the fleet's top vulnerable software. */
export const VulnerableSoftwareSummary = Type.Object(
  {
    software: Text(256),
    ecosystem: Text(200),
    exposedDevices: Type.Integer({ minimum: 0 }),
    advisories: Type.Integer({ minimum: 0 }),
    highestSeverity: VulnerabilitySeverity,
  },
  closed,
);
export type VulnerableSoftwareSummary = Static<typeof VulnerableSoftwareSummary>;

/** One of the fleet's top advisories (CVEs). */
export const AdvisorySummary = Type.Object(
  {
    advisoryId: Text(200),
    cveIds: Type.Array(Text(40), { maxItems: 50 }),
    severity: VulnerabilitySeverity,
    cvssScore: Nullable(Type.Number({ minimum: 0, maximum: 10 })),
    summary: Text(1000),
    exposedDevices: Type.Integer({ minimum: 0 }),
    published: Nullable(Timestamp),
  },
  closed,
);
export type AdvisorySummary = Static<typeof AdvisorySummary>;

/** GET /v1/admin/vulnerabilities/recommendations/:id: the recommendation, its advisories and its exposed devices. */
export const RecommendationDetail = Type.Object(
  {
    recommendation: RecommendationItem,
    advisories: Type.Array(AdvisorySummary, { maxItems: 1000 }),
    devices: Type.Array(
      Type.Object(
        {
          deviceId: Uuid,
          deviceName: Text(200),
          level: ExposureLevel,
          installed: Type.Array(Type.Object({ name: Text(256), version: Text(128) }, closed), { maxItems: 100 }),
        },
        closed,
      ),
      { maxItems: 10_000 },
    ),
  },
  { additionalProperties: false, $id: 'urn:attache:recommendation-detail', title: 'Security recommendation with devices' },
);
export type RecommendationDetail = Static<typeof RecommendationDetail>;

/** GET /v1/admin/vulnerabilities/advisories/:id: one stored advisory as imported, and how many devices it exposes. */
export const AdvisoryDetail = Type.Object(
  {
    advisoryId: Text(200),
    source: Type.Union([Type.Literal('osv'), Type.Literal('nvd')]),
    aliases: Type.Array(Text(200), { maxItems: 200 }),
    cveIds: Type.Array(Text(40), { maxItems: 50 }),
    modified: Timestamp,
    published: Nullable(Timestamp),
    importedAt: Timestamp,
    summary: Text(1000),
    severity: VulnerabilitySeverity,
    cvssScore: Nullable(Type.Number({ minimum: 0, maximum: 10 })),
    cvssVector: Nullable(Text(200)),
    /** The affected entries (OSV) or configurations (NVD) as stored, for display. */
    affected: Type.Array(Type.Unknown(), { maxItems: 10_000 }),
    exposedDevices: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false, $id: 'urn:attache:advisory-detail', title: 'Advisory' },
);
export type AdvisoryDetail = Static<typeof AdvisoryDetail>;

/** GET /v1/admin/vulnerabilities: the fleet at a glance (the console's Vulnerabilities page). */
export const VulnerabilityDashboard = Type.Object(
  {
    advisoriesStored: Type.Integer({ minimum: 0 }),
    lastImportAt: Nullable(Timestamp),
    devicesWithSoftware: Type.Integer({ minimum: 0 }),
    exposedDevices: Type.Integer({ minimum: 0 }),
    byLevel: Type.Object({ none: Type.Integer(), low: Type.Integer(), medium: Type.Integer(), high: Type.Integer() }, closed),
    topSoftware: Type.Array(VulnerableSoftwareSummary, { maxItems: 50 }),
    topAdvisories: Type.Array(AdvisorySummary, { maxItems: 50 }),
    topRecommendations: Type.Array(RecommendationItem, { maxItems: 50 }),
  },
  { additionalProperties: false, $id: 'urn:attache:vulnerability-dashboard', title: 'Vulnerability dashboard' },
);
export type VulnerabilityDashboard = Static<typeof VulnerabilityDashboard>;

/** What an import did (POST /v1/admin/vulnerabilities/advisories, `attache-admin vulnerabilities import`). */
export const AdvisoryImportResult = Type.Object(
  {
    format: Type.Union([Type.Literal('osv'), Type.Literal('nvd')]),
    read: Type.Integer({ minimum: 0 }),
    stored: Type.Integer({ minimum: 0 }),
    /** Already held with the same or a newer `modified`: nothing changed. */
    unchanged: Type.Integer({ minimum: 0 }),
    skipped: Type.Array(Type.Object({ id: Text(200), path: Text(400), reason: Text(1000) }, closed), { maxItems: 1000 }),
    /** Total skips (the list is cut at 1,000). */
    skippedCount: Type.Integer({ minimum: 0 }),
    withdrawn: Type.Array(Text(200), { maxItems: 1000 }),
    /** Withdrawn ids that were in the store and are now removed. */
    removed: Type.Integer({ minimum: 0 }),
    /** Devices whose exposure was recomputed because of this import. */
    devicesRecomputed: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false, $id: 'urn:attache:advisory-import-result', title: 'Advisory import result' },
);
export type AdvisoryImportResult = Static<typeof AdvisoryImportResult>;

/** POST /v1/admin/vulnerabilities/recompute: what was recomputed (one device, or every device when deviceId is null). */
export const VulnerabilityRecomputeResult = Type.Object(
  {
    deviceId: Nullable(Text(200)),
    devicesRecomputed: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false, $id: 'urn:attache:vulnerability-recompute-result', title: 'Vulnerability recompute result' },
);
export type VulnerabilityRecomputeResult = Static<typeof VulnerabilityRecomputeResult>;

/** Graph deviceAppManagementTaskStatus (unknown is never set here). */
export const TASK_STATUSES = ['pending', 'active', 'completed', 'rejected'] as const;
export const TaskStatus = Type.Union(TASK_STATUSES.map((s) => Type.Literal(s)));
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** Graph deviceAppManagementTaskPriority. */
export const TaskPriority = Type.Union([Type.Literal('none'), Type.Literal('high'), Type.Literal('low')]);
export type TaskPriority = Static<typeof TaskPriority>;

/** One change of a task: who, when, from, to, note. */
export const TaskEvent = Type.Object(
  {
    at: Timestamp,
    by: Text(200),
    from: Nullable(TaskStatus),
    to: TaskStatus,
    note: Text(2000),
  },
  closed,
);
export type TaskEvent = Static<typeof TaskEvent>;

/** A targeted device's progress: fixed when its latest inventory no longer matches the recommendation. */
export const TaskDeviceProgress = Type.Object(
  {
    deviceId: Uuid,
    deviceName: Text(200),
    fixed: Type.Boolean(),
    installedVersion: Nullable(Text(128)),
    /** The last updateSoftware action made for this device from this task (issue 17 action id), if any. */
    actionId: Nullable(Uuid),
    actionStatus: Nullable(Text(20)),
  },
  closed,
);
export type TaskDeviceProgress = Static<typeof TaskDeviceProgress>;

/**
 * A security task (Graph appVulnerabilityTask fields, camelCase): made from a recommendation for its exposed devices.
 * Status pending → active (accepted) → completed, or rejected with a note; `completion` automatic (every device fixed)
 * or manual (an admin marked it completed).
 */
const securityTaskFields = {
  taskId: Uuid,
  displayName: Text(600),
  description: Text(4000),
  recommendationId: Type.String({ pattern: '^[0-9a-f]{32}$' }),
  appName: Text(256),
  appPublisher: Nullable(Text(256)),
  appVersion: Nullable(Text(128)),
  ecosystem: Text(200),
  mitigationType: Type.Union([Type.Literal('update'), Type.Literal('manual')]),
  priority: TaskPriority,
  dueDateTime: Nullable(Timestamp),
  assignedTo: Nullable(Text(200)),
  creator: Text(200),
  creatorNotes: Text(4000),
  status: TaskStatus,
  completion: Nullable(Type.Union([Type.Literal('automatic'), Type.Literal('manual')])),
  createdDateTime: Timestamp,
  updatedDateTime: Timestamp,
  managedDeviceCount: Type.Integer({ minimum: 0 }),
  fixedDeviceCount: Type.Integer({ minimum: 0 }),
  history: Type.Array(TaskEvent, { maxItems: 200 }),
};
/** As embedded in lists and pages (no $id: one schema, one id). */
const SecurityTaskItem = Type.Object(securityTaskFields, closed);
export const SecurityTask = Type.Object(securityTaskFields, { additionalProperties: false, $id: 'urn:attache:security-task', title: 'Security task' });
export type SecurityTask = Static<typeof SecurityTask>;

/** GET /v1/admin/security-tasks: one page, newest first. */
export const SecurityTaskList = Type.Object(
  { items: Type.Array(SecurityTaskItem), nextCursor: Nullable(Type.String({ maxLength: 400 })) },
  { additionalProperties: false, $id: 'urn:attache:security-task-list', title: 'Security tasks' },
);
export type SecurityTaskList = Static<typeof SecurityTaskList>;

/** GET /v1/admin/security-tasks/:id: the task and each targeted device's progress. */
export const SecurityTaskDetail = Type.Object(
  { task: SecurityTaskItem, devices: Type.Array(TaskDeviceProgress) },
  { additionalProperties: false, $id: 'urn:attache:security-task-detail', title: 'Security task with progress' },
);
export type SecurityTaskDetail = Static<typeof SecurityTaskDetail>;

/** POST /v1/admin/security-tasks. Devices: the recommendation's exposed devices now (all of them when absent). */
export const CreateSecurityTaskRequest = Type.Object(
  {
    recommendationId: Type.String({ pattern: '^[0-9a-f]{32}$' }),
    priority: Type.Optional(TaskPriority),
    dueDateTime: Type.Optional(Timestamp),
    assignedTo: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    creatorNotes: Type.Optional(Type.String({ maxLength: 4000 })),
    deviceIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 10_000 })),
  },
  { additionalProperties: false, $id: 'urn:attache:create-security-task', title: 'Create a security task' },
);
export type CreateSecurityTaskRequest = Static<typeof CreateSecurityTaskRequest>;

/**
 * POST /v1/admin/security-tasks/:id/status: accept (→ active), reject (note required), complete (manual), or reopen a
 * rejected task (→ pending). `remediate` true with `active`: also create an updateSoftware action for every targeted
 * device not yet fixed.
 */
export const UpdateSecurityTaskRequest = Type.Object(
  {
    status: TaskStatus,
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    remediate: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, $id: 'urn:attache:update-security-task', title: 'Change a security task' },
);
export type UpdateSecurityTaskRequest = Static<typeof UpdateSecurityTaskRequest>;
