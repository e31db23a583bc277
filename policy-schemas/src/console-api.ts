// Answers of the console's read API: the paged device list (GET /v1/admin/devices with a query), the dashboard
// counts (GET /v1/admin/dashboard), the settings catalog for policy forms (GET /v1/admin/catalog) and the dynamic
// group rule preview (POST /v1/admin/groups/preview).
import { type Static, Type } from '@sinclair/typebox';
import { Device, StoreProblem } from './admin-api.js';
import { SettingDefinition } from './catalog/setting-definition.js';
import { IntuneCodeFields } from './intune-codes.js';
import { PLATFORMS, Platform, PolicyKind, SettingState, Timestamp, Uuid } from './primitives.js';
import { ComplianceState, RiskLevel } from './signals.js';

/** Every compliance state and risk level, in the order of their unions (filters and dashboard keys). */
export const COMPLIANCE_STATES: readonly ComplianceState[] = ComplianceState.anyOf.map((s) => s.const);
export const RISK_LEVELS: readonly RiskLevel[] = RiskLevel.anyOf.map((s) => s.const);
export const SETTING_STATES: readonly SettingState[] = SettingState.anyOf.map((s) => s.const);

/** Fields the device list sorts by. */
export const DEVICE_SORT_FIELDS = ['hostname', 'lastSeenAt', 'enrolledAt', 'complianceState', 'riskLevel'] as const;
export type DeviceSortField = (typeof DEVICE_SORT_FIELDS)[number];

/**
 * A device's overall policy state: the worst state over the policies assigned to it (error > conflict > pending >
 * succeeded > notApplicable; an assigned policy counts as pending until the device reports its latest version);
 * `none` when no policy is assigned.
 */
export const DEVICE_POLICY_STATES = ['error', 'conflict', 'pending', 'succeeded', 'notApplicable', 'none'] as const;
export type DevicePolicyState = (typeof DEVICE_POLICY_STATES)[number];
export const DevicePolicyStateSchema = Type.Union(
  DEVICE_POLICY_STATES.map((s) => Type.Literal(s)),
  { description: 'Worst state over the policies assigned to the device; none when no policy is assigned' },
);

/** Last check-in buckets of the dashboard. */
export const CHECK_IN_BUCKETS = ['lastHour', 'lastDay', 'lastWeek', 'older', 'never'] as const;
export type CheckInBucket = (typeof CHECK_IN_BUCKETS)[number];

const Count = Type.Integer({ minimum: 0 });
const countsOf = <K extends string>(keys: readonly K[]) =>
  Type.Object(Object.fromEntries(keys.map((k) => [k, Count])) as Record<K, typeof Count>, { additionalProperties: false });

/**
 * The query string of GET /v1/admin/devices (all optional; with none the answer is the original unpaged listing).
 * The endpoint checks it by hand to name the wrong parameter (service/device-list-query.ts); this is its documentation
 * for OpenAPI and the list of parameters the endpoint accepts.
 */
export const DeviceListQuery = Type.Object(
  {
    search: Type.Optional(
      Type.String({ maxLength: 200, description: 'Case-insensitive substring of hostname, device id or a tag (literal: % and _ are no wildcards)' }),
    ),
    platform: Type.Optional(Platform),
    complianceState: Type.Optional(ComplianceState),
    riskLevel: Type.Optional(RiskLevel),
    policyStatus: Type.Optional(DevicePolicyStateSchema),
    connected: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    sort: Type.Optional(
      Type.Union(
        DEVICE_SORT_FIELDS.map((f) => Type.Literal(f)),
        { default: 'hostname' },
      ),
    ),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'Page size 1–500, default 100' })),
    cursor: Type.Optional(Type.String({ maxLength: 1024, description: 'nextCursor of the previous page, with the same sort and order' })),
  },
  { additionalProperties: false, $id: 'urn:attache:device-list-query', title: 'Device list query' },
);

/** The query string of GET /v1/admin/policies/:id/status for the drill-down to devices (setting and state together). */
export const PolicySettingQuery = Type.Object(
  {
    setting: Type.Optional(Type.String({ maxLength: 200, description: 'A setting id of the latest version' })),
    state: Type.Optional(SettingState),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'Page size 1–500, default 100' })),
    cursor: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false, $id: 'urn:attache:policy-setting-query', title: 'Policy setting drill-down query' },
);

/** One device of a paged listing: the admin view plus its compliance state, risk level and overall policy state. */
export const DeviceListItem = Type.Object(
  {
    ...Device.properties,
    /** `unknown` until the device was first evaluated. */
    complianceState: ComplianceState,
    /** `none` until the device was first evaluated. */
    riskLevel: RiskLevel,
    policyStatus: DevicePolicyStateSchema,
  },
  { additionalProperties: false },
);
export type DeviceListItem = Static<typeof DeviceListItem>;

/** GET /v1/admin/devices with any query parameter: one page, the number of matching devices and the next page's cursor. */
export const DevicePage = Type.Object(
  {
    devices: Type.Array(DeviceListItem),
    /** Devices matching the filters (all pages). */
    total: Count,
    /** Opaque; pass as `cursor` for the next page. Null on the last page. */
    nextCursor: Type.Union([Type.String(), Type.Null()]),
    problems: Type.Array(StoreProblem),
  },
  { additionalProperties: false, $id: 'urn:attache:device-page', title: 'Device page' },
);
export type DevicePage = Static<typeof DevicePage>;

/** GET /v1/admin/dashboard: device counts (in the admin's scope). Breakdowns count devices that are not revoked. */
export const Dashboard = Type.Object(
  {
    generatedAt: Timestamp,
    totals: Type.Object({ devices: Count, active: Count, revoked: Count, connected: Count }, { additionalProperties: false }),
    complianceState: countsOf(COMPLIANCE_STATES),
    riskLevel: countsOf(RISK_LEVELS),
    platform: countsOf(PLATFORMS),
    /** By lastSeenAt: within the last hour, day, week, older, or never seen since enrollment. */
    lastCheckIn: countsOf(CHECK_IN_BUCKETS),
    policyStatus: countsOf(DEVICE_POLICY_STATES),
  },
  { additionalProperties: false, $id: 'urn:attache:dashboard', title: 'Dashboard' },
);
export type Dashboard = Static<typeof Dashboard>;

/** GET /v1/admin/catalog: every managed setting, grouped by policy kind, for policy forms. */
export const SettingsCatalog = Type.Object(
  {
    kinds: Type.Array(
      Type.Object(
        {
          kind: PolicyKind,
          /** Platforms at least one setting of the kind applies to. */
          platforms: Type.Array(Platform),
          settings: Type.Array(SettingDefinition),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, $id: 'urn:attache:settings-catalog', title: 'Settings catalog' },
);
export type SettingsCatalog = Static<typeof SettingsCatalog>;

/** GET /v1/admin/policies/:id/status?setting=…&state=…: the devices with one setting of the policy in one state. */
export const PolicySettingDevices = Type.Object(
  {
    policyId: Uuid,
    settingId: Type.String(),
    state: SettingState,
    total: Count,
    devices: Type.Array(
      Type.Object(
        {
          deviceId: Uuid,
          hostname: Type.String(),
          platform: Platform,
          lastReportAt: Type.Union([Timestamp, Type.Null()]),
          /** The code the device reported for the setting (absent when none, e.g. succeeded or pending). */
          code: Type.Optional(Type.String()),
          ...IntuneCodeFields,
        },
        { additionalProperties: false },
      ),
    ),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false, $id: 'urn:attache:policy-setting-devices', title: 'Devices of one policy setting in one state' },
);
export type PolicySettingDevices = Static<typeof PolicySettingDevices>;

/** The query string of POST /v1/admin/groups/preview (the body is urn:attache:group-rule-request): the page asked for. */
export const GroupPreviewQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'Page size 1–500, default 100' })),
    cursor: Type.Optional(Type.String({ maxLength: 1024, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false, $id: 'urn:attache:group-preview-query', title: 'Group rule preview query' },
);

/**
 * POST /v1/admin/groups/preview: the devices in the admin's scope a dynamic rule would make members now (not revoked),
 * by hostname, one page at a time, and how many there are. Nothing is stored.
 */
export const GroupRulePreview = Type.Object(
  {
    devices: Type.Array(Device),
    /** Devices the rule matches (all pages). */
    total: Count,
    /** Opaque; pass as `cursor` for the next page. Null on the last page. */
    nextCursor: Type.Union([Type.String(), Type.Null()]),
    /** Device rows that could not be read, so could not be matched (an unscoped admin only). */
    problems: Type.Array(StoreProblem),
  },
  { additionalProperties: false, $id: 'urn:attache:group-rule-preview', title: 'Group rule preview' },
);
export type GroupRulePreview = Static<typeof GroupRulePreview>;
