// Bodies of the admin API (/v1/admin/*), used by the admin CLI and any other admin client.
import { type Static, Type } from '@sinclair/typebox';
import { SettingStatus } from './agent-config.js';
import { Platform, PolicyKind, SettingState, Timestamp, Uuid } from './primitives.js';

export const OnboardingCreateRequest = Type.Object(
  {
    /** Minutes until the enrollment token expires (default 1440 = one day, at most 90 days). */
    expiresInMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 129600 })),
    /** How many devices may enroll with it (1 = single use). */
    maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000000 })),
    description: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false, $id: 'urn:attache:onboarding-create-request', title: 'Create onboarding package' },
);
export type OnboardingCreateRequest = Static<typeof OnboardingCreateRequest>;

export const GroupCreateRequest = Type.Object(
  { name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$' }) },
  { additionalProperties: false, $id: 'urn:attache:group-create-request', title: 'Create group' },
);
export type GroupCreateRequest = Static<typeof GroupCreateRequest>;

export const GroupMemberRequest = Type.Object(
  { deviceId: Uuid },
  { additionalProperties: false, $id: 'urn:attache:group-member-request', title: 'Add device to group' },
);
export type GroupMemberRequest = Static<typeof GroupMemberRequest>;

export const AssignmentCreateRequest = Type.Object(
  { policyId: Uuid, groupId: Uuid },
  { additionalProperties: false, $id: 'urn:attache:assignment-create-request', title: 'Assign policy to group' },
);
export type AssignmentCreateRequest = Static<typeof AssignmentCreateRequest>;

export const Group = Type.Object(
  { groupId: Uuid, name: Type.String(), createdAt: Timestamp, memberCount: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false, $id: 'urn:attache:group', title: 'Group' },
);
export type Group = Static<typeof Group>;

export const Assignment = Type.Object(
  { assignmentId: Uuid, policyId: Uuid, groupId: Uuid, createdAt: Timestamp },
  { additionalProperties: false, $id: 'urn:attache:assignment', title: 'Assignment' },
);
export type Assignment = Static<typeof Assignment>;

export const PolicySummary = Type.Object(
  {
    policyId: Uuid,
    name: Type.String(),
    kind: PolicyKind,
    description: Type.Optional(Type.String()),
    latestVersion: Type.Integer({ minimum: 1 }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    settings: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false, $id: 'urn:attache:policy-summary', title: 'Policy' },
);
export type PolicySummary = Static<typeof PolicySummary>;

export const Device = Type.Object(
  {
    deviceId: Uuid,
    hostname: Type.String(),
    platform: Platform,
    osVersion: Type.String(),
    arch: Type.String(),
    agentVersion: Type.String(),
    enrolledAt: Timestamp,
    lastSeenAt: Type.Union([Timestamp, Type.Null()]),
    revoked: Type.Boolean(),
    connected: Type.Boolean(),
    groups: Type.Array(Type.String()),
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
    settings: Type.Array(Type.Object({ ...SettingStatus.properties, reportedAt: Timestamp }, { additionalProperties: false })),
  },
  { $id: 'urn:attache:device-status', title: 'Device status' },
);
export type DeviceStatus = Static<typeof DeviceStatus>;
