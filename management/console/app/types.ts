// The wire types the console reads, from the same TypeBox schemas the endpoint validates with (type-only: of
// policy-schemas/ only the dependency-free setting-evidence.ts is bundled into the browser code).
import type { DevicePage } from '../../../policy-schemas/src/index.js';

export type {
  AccessToken,
  AccessTokenCreated,
  AdminAccount,
  AdminRoleInfo,
  ApiToken,
  Assignment,
  CompliancePolicy,
  ComplianceState,
  Device,
  DeviceAlerts,
  DeviceCompliance,
  DeviceEvents,
  DeviceHealthView,
  DeviceInventoryView,
  DevicePage,
  DeviceStatus,
  Group,
  GroupRulePreview,
  MachineAction,
  MachineActionList,
  OnboardingPackage,
  PolicySettingDevices,
  PolicySource,
  PolicyStatusReport,
  PolicySummary,
  WhatIfResponse,
} from '../../../policy-schemas/src/index.js';

/** A device row of the paged list (GET /v1/admin/devices with a query). */
export type DeviceRow = DevicePage['devices'][number];
