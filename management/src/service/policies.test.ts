// Policy documents as the endpoint receives them (create, update, what-if, the CLI's files): shape, catalog, limits
// (including the tenant-wide indicator limit, checked before anything is signed or stored).
import { describe, expect, it } from 'vitest';
import type { ServiceContext } from './context.js';
import { createPolicy, parsePolicyDocument, updatePolicy } from './policies.js';

describe('parsePolicyDocument', () => {
  it('refuses a second GROUP tag at submission with POLICY_INVALID naming the setting', () => {
    const doc = { name: 'EDR', kind: 'edr', settings: { 'mdatp.edr.tags': ['finance', 'paw'] } };
    expect(() => parsePolicyDocument(doc)).toThrow(
      expect.objectContaining({
        code: 'POLICY_INVALID',
        message: 'policy is invalid: /settings/mdatp.edr.tags accepts one value only (one value per tag type), got 2',
      }),
    );
    expect(parsePolicyDocument({ ...doc, settings: { 'mdatp.edr.tags': ['finance'] } }).settings).toEqual({ 'mdatp.edr.tags': ['finance'] });
  });
});

describe('indicator tenant limit on create and update', () => {
  const items = (n: number, prefix: number) =>
    Array.from({ length: n }, (_, i) => ({ type: 'fileSha256', value: (prefix * 1_000_000 + i).toString(16).padStart(64, '0'), action: 'block' }));
  /** Three stored indicator policies of 5,000 items (15,000 active), built in memory; any write fails the test. */
  function context(writes: string[]): ServiceContext {
    const record = (policyId: string, prefix: number) => ({
      policyId,
      createdAt: '2026-12-01T00:00:00.000Z',
      latest: { payload: { policyId, kind: 'indicators', settings: { 'indicators.items': items(5000, prefix) } } },
    });
    const store = {
      listPolicies: async () => ({ policies: [record('a', 1), record('b', 2), record('c', 3)], problems: [] }),
      getPolicyHead: async (policyId: string) => ({ policyId, kind: 'indicators', latestVersion: 1, createdAt: '2026-12-01T00:00:00.000Z' }),
      createPolicy: async () => void writes.push('createPolicy'),
      addPolicyVersion: async () => void writes.push('addPolicyVersion'),
    };
    const signingKeys = {
      advance: async () => writes.push('signingKeys.advance'),
      active: () => {
        throw new Error('signed although refused');
      },
    };
    return { store, signingKeys, clock: { now: () => Date.parse('2026-12-05T10:00:00Z') } } as unknown as ServiceContext;
  }

  it('refuses the 15,001st active indicator with INDICATOR_LIMIT_EXCEEDED naming the count, before signing or storing', async () => {
    const writes: string[] = [];
    const ctx = context(writes);
    const body = { name: 'one more', kind: 'indicators', settings: { 'indicators.items': items(1, 4) } };
    await expect(createPolicy(ctx, body)).rejects.toMatchObject({ code: 'INDICATOR_LIMIT_EXCEEDED', message: expect.stringContaining('15001 active') });
    // Updating a fourth policy counts the three others in full.
    await expect(updatePolicy(ctx, 'd', body)).rejects.toMatchObject({ code: 'INDICATOR_LIMIT_EXCEEDED' });
    expect(writes).toEqual([]);
  });
});
