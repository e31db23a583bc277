// When a policy-signing key rotation takes effect: after the overlap, or at once; devices keep the old key as long again.
import { describe, expect, it } from 'vitest';
import { DEFAULT_OVERLAP_HOURS, rotationTimes } from './signing-key-ring.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const HOUR = 3_600_000;

describe('rotationTimes', () => {
  it('switches after the overlap and keeps the old key accepted as long again', () => {
    expect(rotationTimes({ overlapHours: 6 }, T0)).toEqual({
      validFrom: new Date(T0 + 6 * HOUR).toISOString(),
      overlapUntil: new Date(T0 + 12 * HOUR).toISOString(),
    });
    expect(rotationTimes({}, T0).validFrom).toBe(new Date(T0 + DEFAULT_OVERLAP_HOURS * HOUR).toISOString());
  });

  it('switches at once with now: no overlap at all', () => {
    const at = new Date(T0).toISOString();
    expect(rotationTimes({ now: true, overlapHours: 6 }, T0)).toEqual({ validFrom: at, overlapUntil: at });
  });
});
