// Row <-> record mapping of the SQL store: JSON columns, 0/1 booleans, optional fields that are NULL in SQL.
import type { OsType, Platform, PolicyKind, PolicyStatus, SettingState, SignedPolicy } from '../../../policy-schemas/src/index.js';
import type { DeviceTable, PolicyStatusTable, PolicyVersionTable, SettingStatusTable } from './schema.js';
import type { DeviceRecord, StoredSettingStatus } from './store.js';

/** A device row as a record. Platform and OS type strings were validated on the way in; NULL osType is left absent. */
export function deviceFromRow(row: DeviceTable): DeviceRecord {
  return {
    deviceId: row.deviceId,
    publicKey: row.publicKey,
    hostname: row.hostname,
    platform: row.platform as Platform,
    osVersion: row.osVersion,
    ...(row.osType === null ? {} : { osType: row.osType as OsType }),
    arch: row.arch,
    agentVersion: row.agentVersion,
    enrolledAt: row.enrolledAt,
    lastSeenAt: row.lastSeenAt,
    revoked: row.revoked === 1,
    lastReportAt: row.lastReportAt,
    tags: JSON.parse(row.tags) as string[],
    ...(row.keyRotationRequestedAt ? { keyRotationRequestedAt: row.keyRotationRequestedAt } : {}),
  };
}

/** A stored policy version as the signed envelope devices receive (payload parsed from the exact bytes signed). */
export function signedPolicyFromRow(row: Pick<PolicyVersionTable, 'payload' | 'keyId' | 'signature'>): SignedPolicy {
  return { payload: JSON.parse(row.payload) as SignedPolicy['payload'], keyId: row.keyId, signature: row.signature };
}

/** One reported setting status as a row of setting_status. */
export function settingStatusToRow(deviceId: string, s: Omit<StoredSettingStatus, 'reportedAt'>, reportedAt: string): SettingStatusTable {
  return {
    deviceId,
    settingId: s.settingId,
    kind: s.kind,
    state: s.state,
    policyIds: JSON.stringify(s.policyIds),
    desired: s.desired === undefined ? null : JSON.stringify(s.desired),
    observed: s.observed === undefined ? null : JSON.stringify(s.observed),
    code: s.code ?? null,
    message: s.message ?? null,
    reportedAt,
  };
}

/** A setting_status row as the status DeviceStatus carries (NULL columns become absent fields). */
export function settingStatusFromRow(row: SettingStatusTable): StoredSettingStatus {
  return {
    settingId: row.settingId,
    kind: row.kind as PolicyKind,
    state: row.state as SettingState,
    policyIds: JSON.parse(row.policyIds) as string[],
    ...(row.desired === null ? {} : { desired: JSON.parse(row.desired) as StoredSettingStatus['desired'] }),
    ...(row.observed === null ? {} : { observed: JSON.parse(row.observed) as StoredSettingStatus['observed'] }),
    ...(row.code === null ? {} : { code: row.code }),
    ...(row.message === null ? {} : { message: row.message }),
    reportedAt: row.reportedAt,
  };
}

/** A policy_status row as a PolicyStatus. */
export function policyStatusFromRow(row: PolicyStatusTable): PolicyStatus {
  return { policyId: row.policyId, version: row.version, name: row.name, kind: row.kind as PolicyKind, state: row.state as SettingState };
}

/** Splits rows into batches so one INSERT stays under SQLite's bound-parameter limit. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** True for UNIQUE / PRIMARY KEY violations (better-sqlite3 error codes; PostgreSQL would be 23505). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** RFC 3339 time normalised to toISOString() form, so stored times compare as strings and as instants alike. */
export function normaliseTime(value: string): string {
  return new Date(value).toISOString();
}
