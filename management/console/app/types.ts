// The wire types the console reads, from the same TypeBox schemas the endpoint validates with (type-only: nothing of
// policy-schemas/ is bundled into the browser code).
export type {
  AccessToken,
  AccessTokenCreated,
  AdminAccount,
  AdminRoleInfo,
  ApiToken,
  Assignment,
  CompliancePolicy,
  Device,
  DeviceAlerts,
  DeviceCompliance,
  DeviceEvents,
  DeviceHealthView,
  DeviceInventoryView,
  DeviceStatus,
  Group,
  GroupRulePreview,
  OnboardingPackage,
  PolicyStatusReport,
  PolicySummary,
  WhatIfResponse,
} from '../../../policy-schemas/src/index.js';

/** A device row of the paged list (contract 6): the device plus the console's columns when the endpoint adds them. */
export interface DeviceRow {
  readonly deviceId: string;
  readonly hostname: string;
  readonly platform: string;
  readonly osVersion: string;
  readonly agentVersion: string;
  readonly lastSeenAt: string | null;
  readonly connected: boolean;
  readonly revoked: boolean;
  readonly complianceState?: string;
  readonly riskLevel?: string;
  readonly policyStatus?: string;
}

/** GET /v1/admin/devices with paging (contract 6). */
export interface DevicePage {
  readonly devices: readonly DeviceRow[];
  readonly total?: number;
  readonly nextCursor?: string | null;
}
