// Tests of the admin-auth helpers: reading the session cookie from a Cookie header, and the Set-Cookie attributes.
import { describe, expect, it } from 'vitest';
import { cookieValue, sessionCookie } from './admin-auth.js';

describe('session cookie', () => {
  it('reads the named cookie among others and ignores malformed values', () => {
    expect(cookieValue('a=1; attache_session=abc_DEF-9; b=2', 'attache_session')).toBe('abc_DEF-9');
    expect(cookieValue('xattache_session=abc', 'attache_session')).toBeUndefined();
    expect(cookieValue('attache_session=a"b', 'attache_session')).toBeUndefined();
    expect(cookieValue(undefined, 'attache_session')).toBeUndefined();
    expect(cookieValue(`attache_session=${'a'.repeat(200)}`, 'attache_session')).toBeUndefined();
  });

  it('sets HttpOnly, Secure, SameSite=Strict and Path=/', () => {
    expect(sessionCookie('v', 43_200)).toBe('attache_session=v; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=43200');
    expect(sessionCookie('', 0)).toContain('Max-Age=0');
  });
});
