// Unit tests of the per-policy status report: device states and per-setting counts, pending until the version is reported.
import { describe, expect, it } from 'vitest';
import type { PolicyPayload } from '../../../policy-schemas/src/index.js';
import type { DeviceRecord, ReportedStatus } from '../store/store.js';
import { policyStatusReport } from './policy-status.js';

const P = '11111111-1111-4111-8111-111111111111';
const T = '2025-01-01T00:00:00.000Z';
const policy: PolicyPayload = {
  policyId: P,
  version: 2,
  tenantId: P,
  name: 'AV',
  kind: 'antivirus',
  settings: { 'defender.AllowRealtimeMonitoring': 1, 'defender.AllowCloudProtection': 1 },
  createdAt: T,
};

function device(n: number): DeviceRecord {
  const id = `00000000-0000-4000-8000-00000000000${n}`;
  return {
    deviceId: id,
    hostname: `h${n}`,
    platform: 'windows',
    osVersion: '10',
    arch: 'x64',
    agentVersion: '1.0.0',
    publicKey: '',
    enrolledAt: T,
    lastSeenAt: null,
    revoked: false,
    lastReportAt: T,
    tags: [],
  };
}

function reported(version: number, rtp: 'succeeded' | 'error' | 'conflict', cloud: 'succeeded' | 'notApplicable'): ReportedStatus {
  return {
    lastReportAt: T,
    lastSyncError: null,
    policies: [{ policyId: P, version, name: 'AV', kind: 'antivirus', state: rtp === 'succeeded' ? 'succeeded' : rtp }],
    settings: [
      { settingId: 'defender.AllowRealtimeMonitoring', kind: 'antivirus', state: rtp, policyIds: [P], reportedAt: T },
      { settingId: 'defender.AllowCloudProtection', kind: 'antivirus', state: cloud, policyIds: [P], reportedAt: T },
    ],
  };
}

describe('policyStatusReport', () => {
  it('counts each setting’s state over the devices that run the latest version; older versions are pending', () => {
    const report = policyStatusReport(policy, [
      { device: device(1), reported: reported(2, 'succeeded', 'succeeded') },
      { device: device(2), reported: reported(2, 'error', 'notApplicable') },
      { device: device(3), reported: reported(2, 'conflict', 'succeeded') },
      { device: device(4), reported: reported(1, 'succeeded', 'succeeded') },
    ]);
    expect(report.devices.map((d) => [d.hostname, d.state, d.reportedVersion])).toEqual([
      ['h1', 'succeeded', 2],
      ['h2', 'error', 2],
      ['h3', 'conflict', 2],
      ['h4', 'pending', 1],
    ]);
    expect(report.counts).toEqual({ succeeded: 1, error: 1, conflict: 1, notApplicable: 0, pending: 1 });
    expect(report.settings).toEqual([
      { settingId: 'defender.AllowCloudProtection', succeeded: 2, error: 0, conflict: 0, notApplicable: 1, pending: 1 },
      { settingId: 'defender.AllowRealtimeMonitoring', succeeded: 1, error: 1, conflict: 1, notApplicable: 0, pending: 1 },
    ]);
  });
});
