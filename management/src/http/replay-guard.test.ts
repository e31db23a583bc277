// Unit tests of the replay guard: nonces are refused within the window, forgotten after it, and memory stays bounded.
import { describe, expect, it } from 'vitest';
import { ReplayGuard } from './replay-guard.js';

describe('ReplayGuard', () => {
  it('refuses a nonce seen within the window and forgets it afterwards', () => {
    const guard = new ReplayGuard({ windowMs: 300_000, maxEntries: 10 });
    expect(guard.check('d', 'n1', 1_000_000, 1_000_000)).toBe('fresh');
    expect(guard.check('d', 'n1', 1_000_000, 1_200_000)).toBe('replayed');
    expect(guard.check('other', 'n1', 1_000_000, 1_200_000)).toBe('fresh');
    // After time + window the timestamp check refuses the request anyway, so the nonce may be dropped.
    expect(guard.check('x', 'y', 1_400_001, 1_400_001)).toBe('fresh');
    expect(guard.size).toBe(1);
  });

  it('refuses new nonces when full of unexpired ones', () => {
    const guard = new ReplayGuard({ windowMs: 300_000, maxEntries: 2 });
    expect(guard.check('d', 'a', 0, 0)).toBe('fresh');
    expect(guard.check('d', 'b', 0, 0)).toBe('fresh');
    expect(guard.check('d', 'c', 0, 0)).toBe('full');
    expect(guard.check('d', 'c', 400_000, 400_000)).toBe('fresh');
  });
});
