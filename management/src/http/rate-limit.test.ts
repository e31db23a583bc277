// Unit tests of the token buckets on a manual clock: burst, refill, Retry-After, the first-refusal flag, the key bound.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../common/testing/manual-clock.js';
import { addressKey, EnrollmentLimiter, parseEnrollRateLimits, TokenBuckets } from './rate-limit.js';

describe('TokenBuckets', () => {
  it('allows a burst, then refuses with the seconds until the next token, then refills', async () => {
    const clock = new ManualClock();
    const buckets = new TokenBuckets({ burst: 2, perSecond: 0.5 }, { clock });
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 2, firstRefusal: true });
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 2, firstRefusal: false });
    expect(buckets.take('b').allowed).toBe(true);
    await clock.advance(1_000);
    expect(buckets.take('a')).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    await clock.advance(1_000);
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a')).toMatchObject({ allowed: false, firstRefusal: true });
  });

  it('holds at most maxKeys buckets, dropping refilled ones first', async () => {
    const clock = new ManualClock();
    const buckets = new TokenBuckets({ burst: 1, perSecond: 1 }, { clock }, 2);
    buckets.take('a');
    await clock.advance(5_000);
    buckets.take('b');
    buckets.take('c');
    expect(buckets.size).toBe(2);
    expect(buckets.take('b').allowed).toBe(false);
  });

  it('refuses a nonsensical limit', () => {
    expect(() => new TokenBuckets({ burst: 0, perSecond: 1 }, { clock: new ManualClock() })).toThrow(/burst >= 1/);
  });
});

describe('EnrollmentLimiter', () => {
  it('limits per address first, then in total', () => {
    const limiter = new EnrollmentLimiter({ perAddress: { burst: 1, perSecond: 0.01 }, global: { burst: 2, perSecond: 0.01 } }, { clock: new ManualClock() });
    expect(limiter.take('10.0.0.1').allowed).toBe(true);
    expect(limiter.take('10.0.0.1')).toMatchObject({ allowed: false, scope: 'address' });
    expect(limiter.take('10.0.0.2').allowed).toBe(true);
    expect(limiter.take('10.0.0.3')).toMatchObject({ allowed: false, scope: 'global' });
  });
});

describe('addressKey', () => {
  it('keys IPv4 (also IPv4-mapped) by address and IPv6 by its /64', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:0db8:0000:0001:ffff:ffff:ffff:ffff')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

describe('parseEnrollRateLimits', () => {
  it('reads off and per-minute,per-second and names a bad value', () => {
    expect(parseEnrollRateLimits('off')).toBe(false);
    expect(parseEnrollRateLimits('20,20')).toEqual({ perAddress: { burst: 20, perSecond: 1 / 3 }, global: { burst: 200, perSecond: 20 } });
    expect(() => parseEnrollRateLimits('0,5')).toThrow(/"0,5" must be/);
    expect(() => parseEnrollRateLimits('lots')).toThrow(/"lots" must be/);
  });
});
