import { describe, expect, it } from 'vitest';
import type { PolicyPayload } from '../../../policy-schemas/src/index.js';
import { findDowngrades, raiseFloor } from './version-floor.js';

const policy = (policyId: string, version: number): PolicyPayload => ({
  policyId,
  version,
  tenantId: '11111111-1111-4111-8111-111111111111',
  name: `p${version}`,
  kind: 'antivirus',
  settings: {},
  createdAt: '2026-11-22T00:00:00.000Z',
});
const A = '22222222-2222-4222-8222-222222222222';
const B = '33333333-3333-4333-8333-333333333333';

describe('version floor', () => {
  it('finds policies older than the applied version; equal and newer versions and new policies pass', () => {
    const floor = { [A]: 3, [B]: 1 };
    expect(findDowngrades([policy(A, 3), policy(B, 2)], floor)).toEqual([]);
    expect(findDowngrades([policy(A, 2), policy(B, 1), policy('44444444-4444-4444-8444-444444444444', 1)], floor)).toEqual([
      { policyId: A, name: 'p2', version: 2, applied: 3 },
    ]);
  });

  it('only ever raises, and keeps policies no longer assigned', () => {
    expect(raiseFloor({ [A]: 3, [B]: 5 }, [policy(A, 4), policy(B, 2)])).toEqual({ [A]: 4, [B]: 5 });
    expect(raiseFloor({ [A]: 3 }, [])).toEqual({ [A]: 3 });
  });
});
