// Row <-> record mapping of the SQL store: JSON columns, 0/1 booleans, optional fields that are NULL in SQL.
import type { OsType, Platform, PolicyKind, PolicyStatus, SettingState, SignedPolicy } from '../../../policy-schemas/src/index.js';
import type { DeviceTable, PolicyStatusTable, PolicyVersionTable, SettingStatusTable } from './schema.js';
import type { DeviceRecord, StoredSettingStatus } from './store.js';
import { parseStoredJson, storeCorrupt } from './stored-json.js';

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
    tags: parseStoredJson<string[]>(row.tags, { table: 'devices', id: row.deviceId, column: 'tags' }),
    ...(row.keyRotationRequestedAt ? { keyRotationRequestedAt: row.keyRotationRequestedAt } : {}),
    ...(row.offboardedAt ? { offboardedAt: row.offboardedAt } : {}),
  };
}

/**
 * A stored policy version as the signed envelope devices receive (payload parsed from the exact bytes signed).
 * STORE_CORRUPT when the payload does not parse or is not the payload of this row (id, version, the fields every reader
 * uses); the full schema was checked when it was written and the device checks the signature.
 */
export function signedPolicyFromRow(row: Pick<PolicyVersionTable, 'policyId' | 'version' | 'payload' | 'keyId' | 'signature'>): SignedPolicy {
  const where = { table: 'policy_versions', id: `${row.policyId}@${row.version}`, column: 'payload' };
  const payload = parseStoredJson<Partial<SignedPolicy['payload']> | null>(row.payload, where);
  const shapeError =
    typeof payload !== 'object' || payload === null || Array.isArray(payload)
      ? 'payload is not an object'
      : payload.policyId !== row.policyId || payload.version !== row.version
        ? 'payload names another policy or version'
        : typeof payload.name !== 'string' || typeof payload.kind !== 'string' || typeof payload.createdAt !== 'string'
          ? 'payload lacks name, kind or createdAt'
          : typeof payload.settings !== 'object' || payload.settings === null || Array.isArray(payload.settings)
            ? 'payload settings are not an object'
            : undefined;
  if (shapeError) throw storeCorrupt(where, shapeError);
  return { payload: payload as SignedPolicy['payload'], keyId: row.keyId, signature: row.signature };
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
  const where = (column: string) => ({ table: 'setting_status', id: `${row.deviceId}/${row.settingId}`, column });
  return {
    settingId: row.settingId,
    kind: row.kind as PolicyKind,
    state: row.state as SettingState,
    policyIds: parseStoredJson<string[]>(row.policyIds, where('policy_ids')),
    ...(row.desired === null ? {} : { desired: parseStoredJson<StoredSettingStatus['desired']>(row.desired, where('desired')) }),
    ...(row.observed === null ? {} : { observed: parseStoredJson<StoredSettingStatus['observed']>(row.observed, where('observed')) }),
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

/** True for UNIQUE / PRIMARY KEY violations (better-sqlite3's codes; PostgreSQL's SQLSTATE 23505 unique_violation). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** RFC 3339 time normalised to toISOString() form, so stored times compare as strings and as instants alike. */
export function normaliseTime(value: string): string {
  return new Date(value).toISOString();
}
