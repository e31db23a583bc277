// Pure views the admin API and the device API return: device records, per-device status, the policies etag.
import { sha256Hex } from '../../../common/signing.js';
import { type Device, type DeviceStatus, intuneCodeOf, type SignedPolicy } from '../../../policy-schemas/src/index.js';
import type { DeviceRecord, PolicySet, ReportedStatus } from '../store/store.js';

/** The admin view of a device. */
export function deviceView(record: DeviceRecord, groups: string[], connected: boolean): Device {
  return {
    deviceId: record.deviceId,
    hostname: record.hostname,
    platform: record.platform,
    osVersion: record.osVersion,
    ...(record.osType === undefined ? {} : { osType: record.osType }),
    arch: record.arch,
    agentVersion: record.agentVersion,
    enrolledAt: record.enrolledAt,
    lastSeenAt: record.lastSeenAt,
    revoked: record.revoked,
    ...(record.offboardedAt ? { offboardedAt: record.offboardedAt } : {}),
    connected,
    groups,
    tags: [...record.tags],
  };
}

/**
 * Status of one device: per assigned policy, `pending` until the device reports exactly the assigned (latest) version,
 * then the state it reported; an assigned policy whose stored version is corrupt (not served to the device) is `error`
 * with STORE_CORRUPT. Per setting, the latest statuses it reported.
 */
export function deviceStatus(deviceId: string, assigned: PolicySet, reported: ReportedStatus): DeviceStatus {
  const reportedById = new Map(reported.policies.map((p) => [p.policyId, p]));
  const corrupt: DeviceStatus['policies'] = assigned.corrupt.map((c) => ({
    policyId: c.policyId,
    name: c.name,
    kind: c.kind,
    assignedVersion: c.latestVersion,
    reportedVersion: reportedById.get(c.policyId)?.version ?? null,
    state: 'error',
    code: c.problem.code,
    message: c.problem.message,
  }));
  return {
    deviceId,
    lastReportAt: reported.lastReportAt,
    lastSyncError: reported.lastSyncError,
    policies: [
      ...assigned.policies.map(({ payload }) => {
        const r = reportedById.get(payload.policyId);
        return {
          policyId: payload.policyId,
          name: payload.name,
          kind: payload.kind,
          assignedVersion: payload.version,
          reportedVersion: r?.version ?? null,
          state: r && r.version === payload.version ? r.state : 'pending',
        };
      }),
      ...corrupt,
    ].sort((a, b) => (a.policyId < b.policyId ? -1 : a.policyId > b.policyId ? 1 : 0)),
    // Intune's code beside ours (where Microsoft documents one), so an Intune runbook for the setting can be followed.
    settings: reported.settings.map((s) => ({ ...s, ...intuneCodeOf(s.code) })),
  };
}

/** ETag of a device's policy set: `"` + hex SHA-256 of the sorted `policyId:version` lines joined by `\n` + `"`. */
export function policiesEtag(policies: readonly SignedPolicy[]): string {
  const lines = policies.map((p) => `${p.payload.policyId}:${p.payload.version}`).sort();
  return `"${sha256Hex(lines.join('\n'))}"`;
}
