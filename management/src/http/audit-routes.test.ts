// Tests of the one-walk-per-admin limit of the audit export and verification: a second walk of the same admin is
// RATE_LIMITED until the first frees it; other admins are not held up; freeing twice frees once.
import { describe, expect, it } from 'vitest';
import { OneWalkPerAdmin } from './audit-routes.js';

describe('OneWalkPerAdmin', () => {
  it('refuses a second walk of the same admin until the first is freed', () => {
    const walks = new OneWalkPerAdmin();
    const free = walks.take('a1');
    expect(() => walks.take('a1')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED', retryAfterMs: 1000 }));
    const other = walks.take('a2');
    free();
    free();
    const again = walks.take('a1');
    expect(() => walks.take('a1')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    again();
    other();
  });
});
