// Token-bucket rate limiting on the injected clock (no timers): one bucket per key (e.g. source address) plus an
// optional global bucket. Used on enrollment, which anyone who can reach the endpoint may call.
import type { Clock } from '../../../common/clock.js';

/** A bucket: up to `burst` requests at once, refilled at `perSecond`. */
export interface RateLimit {
  readonly burst: number;
  readonly perSecond: number;
}

/** Outcome of one request: allowed, or refused with the seconds until a token is back (`firstRefusal` since the last allowed). */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number; readonly firstRefusal: boolean };

interface Bucket {
  tokens: number;
  at: number;
  refusing: boolean;
}

/** Buckets by key, bounded in number: full (idle) buckets are dropped first, then the oldest. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly deps: { readonly clock: Pick<Clock, 'now'> },
    private readonly maxKeys = 10_000,
  ) {
    if (!(limit.burst >= 1) || !(limit.perSecond > 0)) throw new Error(`rate limit needs burst >= 1 and perSecond > 0, got ${JSON.stringify(limit)}`);
  }

  /** Takes one token of `key`'s bucket if there is one. */
  take(key: string): RateDecision {
    const now = this.deps.clock.now();
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.refusing = false;
      return { allowed: true };
    }
    const firstRefusal = !bucket.refusing;
    bucket.refusing = true;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond)), firstRefusal };
  }

  /** Number of buckets held. */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.evict(now);
      bucket = { tokens: this.limit.burst, at: now, refusing: false };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsedSeconds = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + elapsedSeconds * this.limit.perSecond);
    bucket.at = now;
    return bucket;
  }

  // A bucket that has refilled is the same as no bucket; if none has, the oldest key goes (Map keeps insertion order).
  private evict(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.limit.perSecond >= this.limit.burst) this.buckets.delete(key);
    }
    if (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
  }
}

/** Enrollment limits: per source address and in total. */
export interface EnrollRateLimits {
  readonly perAddress: RateLimit;
  readonly global: RateLimit;
}

/** Defaults: 20 at once then 1 every 3 s per address; 200 at once then 20/s for the whole endpoint. */
export const DEFAULT_ENROLL_RATE_LIMITS: EnrollRateLimits = {
  perAddress: { burst: 20, perSecond: 1 / 3 },
  global: { burst: 200, perSecond: 20 },
};

/**
 * The bucket key of a source address: an IPv4 address as is (also when IPv4-mapped), an IPv6 address by its /64, the
 * smallest block one subscriber usually holds (so one host cannot rotate through its 2^64 addresses).
 */
export function addressKey(ip: string): string {
  const bare = (ip.split('%')[0] ?? '').toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(bare);
  if (mapped) return mapped[1] as string;
  if (!bare.includes(':')) return bare;
  const [head = '', tail] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The per-address bucket first (a refused address does not use up the global budget), then the global one. */
export class EnrollmentLimiter {
  private readonly perAddress: TokenBuckets;
  private readonly global: TokenBuckets;

  constructor(limits: EnrollRateLimits, deps: { readonly clock: Pick<Clock, 'now'> }) {
    this.perAddress = new TokenBuckets(limits.perAddress, deps);
    this.global = new TokenBuckets(limits.global, deps, 1);
  }

  /** The decision for one enrollment from `address`, and which limit refused it. */
  take(address: string): RateDecision & { readonly scope?: 'address' | 'global' } {
    const byAddress = this.perAddress.take(addressKey(address));
    if (!byAddress.allowed) return { ...byAddress, scope: 'address' };
    const total = this.global.take('*');
    return total.allowed ? total : { ...total, scope: 'global' };
  }
}

/**
 * Parses the `--enroll-rate-limit` value: `off`, or `<per address per minute>,<total per second>` (each bucket holds
 * what it refills in one minute resp. ten seconds). Throws an Error naming the value otherwise.
 */
export function parseEnrollRateLimits(value: string): EnrollRateLimits | false {
  if (value === 'off') return false;
  const match = /^(\d{1,6}),(\d{1,6})$/.exec(value);
  const perMinute = Number(match?.[1]);
  const perSecond = Number(match?.[2]);
  if (!match || perMinute < 1 || perSecond < 1) {
    throw new Error(`enroll rate limit "${value}" must be "off" or "<per address per minute>,<total per second>" with positive integers`);
  }
  return { perAddress: { burst: perMinute, perSecond: perMinute / 60 }, global: { burst: perSecond * 10, perSecond } };
}
