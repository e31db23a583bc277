// Policy documents as the endpoint receives them (create, update, what-if, the CLI's files): shape, catalog, limits.
// The tenant-wide indicator limit, checked in the store's write transaction: indicator-limit-concurrency.test.ts.
import { describe, expect, it } from 'vitest';
import { parsePolicyDocument } from './policies.js';

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
