// Bodies of the admin API (/v1/admin/*) for policies, groups, assignments, devices and what-if, used by the admin CLI
// and any other admin client; compliance policies, device signals and access tokens are in compliance-api.ts.
import { type Static, Type } from '@sinclair/typebox';
import { SettingStatus } from './agent-config.js';
import { SettingEvent } from './device-api.js';
import { IntuneCodeFields } from './intune-codes.js';
import { PolicyDocument } from './policy.js';
import { OsType, Platform, PolicyKind, SettingState, SettingValue, Timestamp, Uuid } from './primitives.js';

/** A device tag (Defender device tag, e.g. `MDE-Management`): letters, digits, `-`, `_`, `.`, spaces; 1–64 chars. */
export const DeviceTag = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$', description: 'device tag' });

/** POST /v1/admin/devices/:id/tags: tags to add and tags to remove (removal wins when both name a tag). */
export const DeviceTagsRequest = Type.Object(
  {
    add: Type.Optional(Type.Array(DeviceTag, { maxItems: 50, uniqueItems: true })),
    remove: Type.Optional(Type.Array(DeviceTag, { maxItems: 50, uniqueItems: true })),
  },
  { additionalProperties: false, $id: 'urn:attache:device-tags-request', title: 'Change device tags' },
);
export type DeviceTagsRequest = Static<typeof DeviceTagsRequest>;

/** A semantic version (agent versions in rules and compliance policies). */
export const Semver = Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+([-+][0-9A-Za-z.-]+)?$' });

/**
 * A device's OS as Intune targets it (device OS Windows / Windows Server / macOS / Linux): `windows` is a Windows
 * client (platform windows, osType not `server`), `windowsServer` is platform windows with osType `server`.
 */
export const DeviceOs = Type.Union([Type.Literal('windows'), Type.Literal('windowsServer'), Type.Literal('macos'), Type.Literal('linux')], {
  description: 'Device OS: Windows client, Windows Server, macOS or Linux',
});
export type DeviceOs = Static<typeof DeviceOs>;

/** One condition of a dynamic group rule, evaluated against the device record. `platform` matches any Windows. */
export const DynamicRuleCondition = Type.Union([
  Type.Object({ attribute: Type.Literal('platform'), equals: Platform }, { additionalProperties: false }),
  Type.Object({ attribute: Type.Literal('os'), equals: DeviceOs }, { additionalProperties: false }),
  Type.Object({ attribute: Type.Literal('osVersion'), startsWith: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
  Type.Object({ attribute: Type.Literal('tags'), contains: DeviceTag }, { additionalProperties: false }),
  Type.Object(
    {
      attribute: Type.Literal('agentVersion'),
      op: Type.Union([Type.Literal('>='), Type.Literal('>'), Type.Literal('<'), Type.Literal('<='), Type.Literal('==')]),
      value: Semver,
    },
    { additionalProperties: false },
  ),
]);
export type DynamicRuleCondition = Static<typeof DynamicRuleCondition>;

/** A dynamic group's membership rule: `all` conditions must hold, or `any` one of them. */
const ruleProperties = {
  match: Type.Union([Type.Literal('all'), Type.Literal('any')]),
  conditions: Type.Array(DynamicRuleCondition, { minItems: 1, maxItems: 50 }),
};
export const DynamicGroupRule = Type.Object(ruleProperties, {
  additionalProperties: false,
  $id: 'urn:attache:dynamic-group-rule',
  title: 'Dynamic group rule',
});
// Embedded copies carry no $id: Ajv registers nested ids and refuses the same id twice.
const RuleBody = Type.Object(ruleProperties, { additionalProperties: false });
const DocumentBody = Type.Object(PolicyDocument.properties, { additionalProperties: false });
export type DynamicGroupRule = Static<typeof DynamicGroupRule>;

/** PUT /v1/admin/groups/:id/rule: replaces a dynamic group's rule (membership is recomputed). */
export const GroupRuleRequest = Type.Object(
  { rule: RuleBody },
  { additionalProperties: false, $id: 'urn:attache:group-rule-request', title: 'Change dynamic group rule' },
);
export type GroupRuleRequest = Static<typeof GroupRuleRequest>;

/** Include or exclude: a device in an excluded group never gets the policy, whatever includes it (as Intune). */
export const AssignmentMode = Type.Union([Type.Literal('include'), Type.Literal('exclude')]);
export type AssignmentMode = Static<typeof AssignmentMode>;

export const OnboardingCreateRequest = Type.Object(
  {
    /** Minutes until the enrollment token expires (default 1440 = one day, at most 90 days). */
    expiresInMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 129600 })),
    /** How many devices may enroll with it (1 = single use). */
    maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000000 })),
    description: Type.Optional(Type.String({ maxLength: 200 })),
    /** Tags every device enrolled with this package gets (e.g. `MDE-Management`). */
    tags: Type.Optional(Type.Array(DeviceTag, { maxItems: 50, uniqueItems: true })),
  },
  { additionalProperties: false, $id: 'urn:attache:onboarding-create-request', title: 'Create onboarding package' },
);
export type OnboardingCreateRequest = Static<typeof OnboardingCreateRequest>;

export const GroupCreateRequest = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$' }),
    /** Makes the group dynamic: members are exactly the devices the rule matches (no manual members). */
    rule: Type.Optional(RuleBody),
  },
  { additionalProperties: false, $id: 'urn:attache:group-create-request', title: 'Create group' },
);
export type GroupCreateRequest = Static<typeof GroupCreateRequest>;

export const GroupMemberRequest = Type.Object(
  { deviceId: Uuid },
  { additionalProperties: false, $id: 'urn:attache:group-member-request', title: 'Add device to group' },
);
export type GroupMemberRequest = Static<typeof GroupMemberRequest>;

export const AssignmentCreateRequest = Type.Object(
  { policyId: Uuid, groupId: Uuid, mode: Type.Optional(AssignmentMode) },
  { additionalProperties: false, $id: 'urn:attache:assignment-create-request', title: 'Assign policy to group' },
);
export type AssignmentCreateRequest = Static<typeof AssignmentCreateRequest>;

export const Group = Type.Object(
  {
    groupId: Uuid,
    name: Type.String(),
    createdAt: Timestamp,
    memberCount: Type.Integer({ minimum: 0 }),
    membership: Type.Union([Type.Literal('static'), Type.Literal('dynamic')]),
    rule: Type.Optional(RuleBody),
  },
  { additionalProperties: false, $id: 'urn:attache:group', title: 'Group' },
);
export type Group = Static<typeof Group>;

export const Assignment = Type.Object(
  { assignmentId: Uuid, policyId: Uuid, groupId: Uuid, mode: AssignmentMode, createdAt: Timestamp },
  { additionalProperties: false, $id: 'urn:attache:assignment', title: 'Assignment' },
);
export type Assignment = Static<typeof Assignment>;

/**
 * Where a policy came from when it was not authored here: the Intune policy `attache-admin policy import` produced it
 * from (issue 16). A re-import updates the policies whose source has the same Intune id and kind instead of adding new
 * ones. Not part of the signed payload: devices never see it.
 */
export const PolicySource = Type.Object(
  {
    system: Type.Literal('intune'),
    /** The Intune (Graph) policy id. */
    id: Type.String({ minLength: 1, maxLength: 200 }),
    name: Type.String({ maxLength: 1000 }),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    /** Graph type, e.g. `#microsoft.graph.deviceManagementConfigurationPolicy`. */
    odataType: Type.Optional(Type.String({ maxLength: 200 })),
    /** Endpoint-security template name or family, when the export names one. */
    template: Type.Optional(Type.String({ maxLength: 200 })),
    /**
     * sha256 (hex) of the content the import wrote (name, description, settings; compliance: and grace period): a
     * re-import updates the policy only while its content still has this hash, i.e. nobody edited it since.
     */
    importedHash: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  },
  { additionalProperties: false, $id: 'urn:attache:policy-source', title: 'Policy source' },
);
export type PolicySource = Static<typeof PolicySource>;
/** PolicySource inlined (no `$id`) where a request or answer carries one: policies and compliance policies. */
export const PolicySourceBody = Type.Object(PolicySource.properties, { additionalProperties: false });

/** POST /v1/admin/policies and PUT /v1/admin/policies/:id: a policy document, optionally with where it came from. */
export const PolicyRequest = Type.Object(
  { ...PolicyDocument.properties, source: Type.Optional(PolicySourceBody) },
  { additionalProperties: false, $id: 'urn:attache:policy-request', title: 'Create or update a policy' },
);
export type PolicyRequest = Static<typeof PolicyRequest>;

export const PolicySummary = Type.Object(
  {
    policyId: Uuid,
    name: Type.String(),
    kind: PolicyKind,
    description: Type.Optional(Type.String()),
    /** Absent for a policy authored here; kept across versions until a request gives another. */
    source: Type.Optional(PolicySourceBody),
    latestVersion: Type.Integer({ minimum: 1 }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    settings: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false, $id: 'urn:attache:policy-summary', title: 'Policy' },
);
export type PolicySummary = Static<typeof PolicySummary>;

/** A stored row the endpoint could not read (STORE_CORRUPT): left out of a list and named here. */
export const StoreProblem = Type.Object(
  {
    /** The database table of the row, e.g. `policy_versions`, `device_groups`. */
    table: Type.String(),
    /** The row: an object id (`<policyId>@<version>` for a policy version). */
    id: Type.String(),
    code: Type.Literal('STORE_CORRUPT'),
    message: Type.String(),
  },
  { additionalProperties: false, $id: 'urn:attache:store-problem', title: 'Corrupt stored row' },
);
export type StoreProblem = Static<typeof StoreProblem>;

/** GET /v1/admin/policies: every readable policy, and the policies whose latest stored version is corrupt. */
export const PolicyList = Type.Object(
  { policies: Type.Array(PolicySummary), problems: Type.Array(StoreProblem) },
  { additionalProperties: false, $id: 'urn:attache:policy-list', title: 'Policy list' },
);
export type PolicyList = Static<typeof PolicyList>;

/** GET /v1/admin/groups: every readable group, and the groups whose stored rule is corrupt. */
export const GroupList = Type.Object(
  { groups: Type.Array(Group), problems: Type.Array(StoreProblem) },
  { additionalProperties: false, $id: 'urn:attache:group-list', title: 'Group list' },
);
export type GroupList = Static<typeof GroupList>;

export const Device = Type.Object(
  {
    deviceId: Uuid,
    hostname: Type.String(),
    platform: Platform,
    osVersion: Type.String(),
    /** As the device stated it at enrollment; absent when it did not (treated as `workstation` by rules). */
    osType: Type.Optional(OsType),
    arch: Type.String(),
    agentVersion: Type.String(),
    enrolledAt: Timestamp,
    lastSeenAt: Type.Union([Timestamp, Type.Null()]),
    revoked: Type.Boolean(),
    /** When an offboard action finished on the device (its identity is gone; it is refused like a revoked one). */
    offboardedAt: Type.Optional(Timestamp),
    connected: Type.Boolean(),
    groups: Type.Array(Type.String()),
    tags: Type.Array(Type.String()),
  },
  { additionalProperties: false, $id: 'urn:attache:device', title: 'Device' },
);
export type Device = Static<typeof Device>;

/** Per-policy status of one device: `pending` until the device reports the assigned version. */
export const DevicePolicyStatus = Type.Object(
  {
    policyId: Uuid,
    name: Type.String(),
    kind: PolicyKind,
    assignedVersion: Type.Integer(),
    reportedVersion: Type.Union([Type.Integer(), Type.Null()]),
    state: SettingState,
    /** With state `error`: why, e.g. STORE_CORRUPT when the policy's stored version cannot be read (it is not served). */
    code: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const DeviceStatus = Type.Object(
  {
    deviceId: Uuid,
    lastReportAt: Type.Union([Timestamp, Type.Null()]),
    /** Why the device's last sync kept its last good policy (e.g. POLICY_SIGNATURE_INVALID); null when it used fresh policy. */
    lastSyncError: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false }), Type.Null()]),
    policies: Type.Array(DevicePolicyStatus),
    settings: Type.Array(Type.Object({ ...SettingStatus.properties, ...IntuneCodeFields, reportedAt: Timestamp }, { additionalProperties: false })),
  },
  { $id: 'urn:attache:device-status', title: 'Device status' },
);
export type DeviceStatus = Static<typeof DeviceStatus>;

const SettingCounts = Type.Object(
  {
    succeeded: Type.Integer({ minimum: 0 }),
    error: Type.Integer({ minimum: 0 }),
    conflict: Type.Integer({ minimum: 0 }),
    notApplicable: Type.Integer({ minimum: 0 }),
    pending: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

/** GET /v1/admin/policies/:id/status: the policy's report, as Intune's per-policy device and setting status. */
export const PolicyStatusReport = Type.Object(
  {
    policyId: Uuid,
    name: Type.String(),
    kind: PolicyKind,
    latestVersion: Type.Integer({ minimum: 1 }),
    /** Devices by policy state. */
    counts: SettingCounts,
    devices: Type.Array(
      Type.Object(
        {
          deviceId: Uuid,
          hostname: Type.String(),
          platform: Platform,
          reportedVersion: Type.Union([Type.Integer(), Type.Null()]),
          state: SettingState,
          lastReportAt: Type.Union([Timestamp, Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
    /** Per setting of the latest version: how many devices are in each state. */
    settings: Type.Array(Type.Object({ settingId: Type.String(), ...SettingCounts.properties }, { additionalProperties: false })),
  },
  { additionalProperties: false, $id: 'urn:attache:policy-status-report', title: 'Policy status report' },
);
export type PolicyStatusReport = Static<typeof PolicyStatusReport>;

/** GET /v1/admin/devices/:id/events: the device's reported events, newest first (the endpoint keeps the last 1000). */
export const DeviceEvents = Type.Object(
  {
    deviceId: Uuid,
    events: Type.Array(Type.Object({ ...SettingEvent.properties, reportId: Uuid, receivedAt: Timestamp }, { additionalProperties: false })),
  },
  { additionalProperties: false, $id: 'urn:attache:device-events', title: 'Device events' },
);
export type DeviceEvents = Static<typeof DeviceEvents>;

/** POST /v1/admin/what-if: a proposed change, evaluated without storing or pushing anything. */
export const WhatIfRequest = Type.Union(
  [
    Type.Object(
      {
        change: Type.Literal('createPolicy'),
        document: DocumentBody,
        /** Groups the new policy would be assigned to (a policy assigned nowhere affects no device). */
        assignments: Type.Optional(
          Type.Array(Type.Object({ groupId: Uuid, mode: Type.Optional(AssignmentMode) }, { additionalProperties: false }), { maxItems: 50 }),
        ),
      },
      { additionalProperties: false },
    ),
    Type.Object({ change: Type.Literal('updatePolicy'), policyId: Uuid, document: DocumentBody }, { additionalProperties: false }),
    Type.Object({ change: Type.Literal('deletePolicy'), policyId: Uuid }, { additionalProperties: false }),
    Type.Object({ change: Type.Literal('addAssignment'), policyId: Uuid, groupId: Uuid, mode: Type.Optional(AssignmentMode) }, { additionalProperties: false }),
    Type.Object({ change: Type.Literal('removeAssignment'), assignmentId: Uuid }, { additionalProperties: false }),
  ],
  { $id: 'urn:attache:what-if-request', title: 'What-if request' },
);
export type WhatIfRequest = Static<typeof WhatIfRequest>;

/** What a proposed change would do to one device. */
export const WhatIfDevice = Type.Object(
  {
    deviceId: Uuid,
    hostname: Type.String(),
    platform: Platform,
    /** Settings whose desired value changes; `from` is the last observed value (else the current desired value, else null). */
    changes: Type.Array(
      Type.Object({ settingId: Type.String(), from: Type.Union([SettingValue, Type.Null()]), to: SettingValue }, { additionalProperties: false }),
    ),
    /** Settings that would become conflicts, with every policy that claims them. */
    newConflicts: Type.Array(Type.Object({ settingId: Type.String(), policyIds: Type.Array(Uuid), reason: Type.String() }, { additionalProperties: false })),
    /** Settings no policy would manage any more: the agent restores them. */
    restored: Type.Array(Type.Object({ settingId: Type.String(), from: Type.Union([SettingValue, Type.Null()]) }, { additionalProperties: false })),
    /** Settings that would be newly not applicable on this device. */
    notApplicable: Type.Array(Type.Object({ settingId: Type.String(), reason: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type WhatIfDevice = Static<typeof WhatIfDevice>;

export const WhatIfResponse = Type.Object(
  { change: Type.String(), affectedDevices: Type.Integer({ minimum: 0 }), devices: Type.Array(WhatIfDevice) },
  { additionalProperties: false, $id: 'urn:attache:what-if-response', title: 'What-if response' },
);
export type WhatIfResponse = Static<typeof WhatIfResponse>;
