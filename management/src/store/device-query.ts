// The device listing and dashboard as the store answers them (ManagementStore.queryDevices / deviceDashboard): the
// filters, sort and keyset position the service decided, and the rows and counts computed in SQL.
import type { ComplianceState, DevicePolicyState, DeviceSortField, Platform, RiskLevel, SettingState } from '../../../policy-schemas/src/index.js';
import type { DeviceWithGroups } from './store.js';
import type { StoreProblem } from './stored-json.js';

/**
 * Which devices count as connected: those whose push socket this process holds (`here`) and, with replicas, those
 * another replica (not `except`) that was alive within `aliveMs` of the database's time lists in push_presence.
 */
export interface ConnectedDevices {
  readonly here: readonly string[];
  readonly elsewhere?: { readonly except: string; readonly aliveMs: number };
}

/** Filters shared by the listing and the dashboard. */
export interface DeviceScope {
  /** Only devices in one of these groups; null or absent: every device (an admin without scope tags). */
  readonly scopeGroupIds?: readonly string[] | null;
}

export interface DeviceFilters extends DeviceScope {
  /** Case-insensitive substring of hostname, device id or a tag (matched literally: % and _ are no wildcards). */
  readonly search?: string;
  readonly platform?: Platform;
  readonly complianceState?: ComplianceState;
  readonly riskLevel?: RiskLevel;
  readonly policyStatus?: DevicePolicyState;
  readonly connected?: { readonly value: boolean; readonly devices: ConnectedDevices };
}

/** The position after which a page starts: the last row's sort value and device id. */
export interface DeviceKey {
  readonly value: string | number;
  readonly deviceId: string;
}

export interface DeviceQuery extends DeviceFilters {
  readonly sort: DeviceSortField;
  readonly order: 'asc' | 'desc';
  readonly limit: number;
  readonly after?: DeviceKey;
}

/** A listed device with what the console shows beside it. */
export interface DeviceListRow extends DeviceWithGroups {
  readonly complianceState: ComplianceState;
  readonly riskLevel: RiskLevel;
  readonly policyStatus: DevicePolicyState;
}

export interface DeviceQueryPage {
  readonly devices: DeviceListRow[];
  /** Corrupt device rows on this page (left out of `devices`). */
  readonly problems: StoreProblem[];
  /** Devices matching the filters. */
  readonly total: number;
  /** The key of the page's last row when more rows may follow. */
  readonly nextKey: DeviceKey | null;
}

/** The dashboard's question: the scope, the connected devices and the check-in bucket limits (RFC 3339). */
export interface DashboardQuery extends DeviceScope {
  readonly connected: ConnectedDevices;
  readonly hourAgo: string;
  readonly dayAgo: string;
  readonly weekAgo: string;
}

/** Counts by value; values with no device are absent. */
export interface DeviceCounts {
  readonly total: number;
  readonly revoked: number;
  readonly connected: number;
  readonly complianceState: Readonly<Record<string, number>>;
  readonly riskLevel: Readonly<Record<string, number>>;
  readonly platform: Readonly<Record<string, number>>;
  readonly lastCheckIn: Readonly<Record<string, number>>;
  readonly policyStatus: Readonly<Record<string, number>>;
}

/** Sort fields whose keys are numbers (severity ranks); the others sort by text. Cursors carry a key of that type. */
export const NUMERIC_SORT_FIELDS: ReadonlySet<DeviceSortField> = new Set<DeviceSortField>(['complianceState', 'riskLevel']);

/** The devices of one policy setting in one state (the per-policy report's drill-down), a page after `afterDeviceId`. */
export interface PolicySettingQuery extends DeviceScope {
  readonly policyId: string;
  readonly latestVersion: number;
  readonly settingId: string;
  readonly state: SettingState;
  readonly limit: number;
  readonly afterDeviceId?: string;
}

export interface PolicySettingPage {
  /** `code`: what the device reported for the setting (null when it reported none, or the version is not yet reported). */
  readonly devices: { deviceId: string; hostname: string; platform: Platform; lastReportAt: string | null; code: string | null }[];
  readonly total: number;
  readonly nextDeviceId: string | null;
}
