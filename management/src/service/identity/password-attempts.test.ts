// Tests of the lockout of unknown usernames: it locks at the threshold like an account, unlocks after LOCKOUT_MS, is
// case-insensitive, and forgets the oldest name past its size.
import { describe, expect, it } from 'vitest';
import { LOCKOUT_MS, LOCKOUT_THRESHOLD, UnknownUsernameLockout } from './password-attempts.js';

function clock() {
  let now = Date.parse('2026-01-10T12:00:00.000Z');
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const fail = (lockout: UnknownUsernameLockout, name: string) => {
  try {
    lockout.countFailure(name);
    return 'counted';
  } catch (err) {
    return (err as { code: string }).code;
  }
};

describe('UnknownUsernameLockout', () => {
  it('locks a name at the threshold, case-insensitively, until LOCKOUT_MS has passed', () => {
    const c = clock();
    const lockout = new UnknownUsernameLockout(c);
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) expect(fail(lockout, 'Ghost')).toBe('counted');
    expect(fail(lockout, 'ghost')).toBe('LOGIN_LOCKED');
    expect(() => lockout.assertNotLocked('GHOST')).toThrow(expect.objectContaining({ code: 'LOGIN_LOCKED' }));
    expect(() => lockout.assertNotLocked('other')).not.toThrow();
    c.advance(LOCKOUT_MS);
    expect(() => lockout.assertNotLocked('ghost')).not.toThrow();
    expect(fail(lockout, 'ghost')).toBe('counted');
  });

  it('forgets the oldest name beyond its size', () => {
    const lockout = new UnknownUsernameLockout(clock(), 2);
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) fail(lockout, 'first');
    fail(lockout, 'second');
    fail(lockout, 'third');
    expect(fail(lockout, 'first')).toBe('counted');
  });
});
