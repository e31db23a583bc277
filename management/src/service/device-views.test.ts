// Unit tests of the pure views: per-policy `pending` until the assigned version is reported, Intune's code beside
// ours on reported settings, and the policies etag.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SignedPolicy } from '../../../policy-schemas/src/index.js';
import { deviceStatus, policiesEtag } from './device-views.js';

const P1 = '11111111-1111-4111-8111-111111111111';
const P2 = '22222222-2222-4222-8222-222222222222';

function signed(policyId: string, version: number): SignedPolicy {
  return {
    payload: { policyId, version, tenantId: P1, name: 'n', kind: 'antivirus', settings: {}, createdAt: '2025-01-01T00:00:00.000Z' },
    keyId: '0'.repeat(32),
    signature: `${'A'.repeat(86)}==`,
  };
}

describe('deviceStatus', () => {
  it('is pending until the device reports the assigned version, then shows the reported state', () => {
    const status = deviceStatus(
      'd',
      { policies: [signed(P1, 2), signed(P2, 1)], corrupt: [] },
      {
        lastReportAt: '2025-01-01T00:00:00.000Z',
        lastSyncError: null,
        policies: [
          { policyId: P1, version: 1, name: 'n', kind: 'antivirus', state: 'succeeded' },
          { policyId: P2, version: 1, name: 'n', kind: 'antivirus', state: 'error' },
        ],
        settings: [],
      },
    );
    expect(status.policies.map((p) => [p.policyId, p.reportedVersion, p.state])).toEqual([
      [P1, 1, 'pending'],
      [P2, 1, 'error'],
    ]);
  });

  it("puts Intune's code beside ours on each reported setting that has one", () => {
    const reportedAt = '2025-01-01T00:00:00.000Z';
    const setting = { kind: 'antivirus' as const, policyIds: [P1], reportedAt };
    const status = deviceStatus(
      'd',
      { policies: [], corrupt: [] },
      {
        lastReportAt: reportedAt,
        lastSyncError: null,
        policies: [],
        settings: [
          { ...setting, settingId: 'a', state: 'conflict', code: 'SETTING_OVERRIDDEN', message: "Group Policy 'X' wins" },
          { ...setting, settingId: 'b', state: 'conflict', code: 'SETTING_CONFLICT' },
          { ...setting, settingId: 'c', state: 'succeeded' },
        ],
      },
    );
    expect(status.settings[0]).toMatchObject({ code: 'SETTING_OVERRIDDEN', intuneCode: -2016281106, intuneHex: '0x87D1FDEE' });
    expect(status.settings[1]).not.toHaveProperty('intuneCode');
    expect(status.settings[2]).toEqual({ ...setting, settingId: 'c', state: 'succeeded' });
  });
});

describe('policiesEtag', () => {
  it('hashes the sorted policyId:version lines and ignores order', () => {
    const expected = `"${createHash('sha256').update(`${P1}:2\n${P2}:1`).digest('hex')}"`;
    expect(policiesEtag([signed(P2, 1), signed(P1, 2)])).toBe(expected);
    expect(policiesEtag([signed(P1, 3), signed(P2, 1)])).not.toBe(expected);
  });
});
