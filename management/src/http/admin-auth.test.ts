// Tests of the admin-auth helpers: reading the session cookie from a Cookie header, and the Set-Cookie attributes.
import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../service/identity/authenticate.js';
import { cookieValue, cookieValues, sessionCookie } from './admin-auth.js';

describe('session cookie', () => {
  it('reads the named cookie among others and ignores malformed values', () => {
    expect(cookieValue('a=1; __Host-attache_session=abc_DEF-9; b=2', '__Host-attache_session')).toBe('abc_DEF-9');
    expect(cookieValue('x__Host-attache_session=abc', '__Host-attache_session')).toBeUndefined();
    expect(cookieValue('__Host-attache_session=a"b', '__Host-attache_session')).toBeUndefined();
    expect(cookieValue(undefined, '__Host-attache_session')).toBeUndefined();
    expect(cookieValue(`__Host-attache_session=${'a'.repeat(200)}`, '__Host-attache_session')).toBeUndefined();
  });

  it('refuses a session cookie sent twice, and lists every value for the login to end', () => {
    const twice = `${SESSION_COOKIE}=one; ${SESSION_COOKIE}=two`;
    expect(() => cookieValue(twice, SESSION_COOKIE)).toThrow(
      expect.objectContaining({ code: 'ADMIN_UNAUTHORIZED', message: expect.stringContaining('2 times') }),
    );
    expect(cookieValues(twice, SESSION_COOKIE)).toEqual(['one', 'two']);
    expect(cookieValue('attache_session=old', SESSION_COOKIE)).toBeUndefined();
  });

  it('sets HttpOnly, Secure, SameSite=Strict and Path=/', () => {
    expect(SESSION_COOKIE).toBe('__Host-attache_session');
    expect(sessionCookie('v', 43_200)).toBe('__Host-attache_session=v; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=43200');
    expect(sessionCookie('', 0)).toContain('Max-Age=0');
  });
});
