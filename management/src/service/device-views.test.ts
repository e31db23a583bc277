// Unit tests of the pure views: per-policy `pending` until the assigned version is reported, and the policies etag.
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
});

describe('policiesEtag', () => {
  it('hashes the sorted policyId:version lines and ignores order', () => {
    const expected = `"${createHash('sha256').update(`${P1}:2\n${P2}:1`).digest('hex')}"`;
    expect(policiesEtag([signed(P2, 1), signed(P1, 2)])).toBe(expected);
    expect(policiesEtag([signed(P1, 3), signed(P2, 1)])).not.toBe(expected);
  });
});
