// The endpoint's Retry-After header (RFC 9110 §10.2.3, delay-seconds) on a 503 ENDPOINT_BUSY or a 429,
// and the retry delay it implies. Pure: the randomness is passed in.

/** Longest wait the agent accepts from a Retry-After header: a saturated endpoint must not park a device for a day. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/**
 * The wait a Retry-After header asks for, in ms, bounded to [0, MAX_RETRY_AFTER_MS]; undefined when the header is
 * absent or unreadable (the caller's backoff alone applies then). Only the delay-seconds form is read: the endpoint
 * sends seconds, and the HTTP-date form would need this pure core to read a clock.
 */
export function parseRetryAfterMs(header: string | undefined): number | undefined {
  const text = header?.trim();
  if (text === undefined || !/^\d{1,12}$/.test(text)) return undefined;
  return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
}

/**
 * Delay before a retry: the backoff delay, or when the endpoint asked for a wait, at least that wait plus up to half
 * of it again at random (a fleet told the same wait by a saturated endpoint must not come back in one burst).
 */
export function retryDelayMs(backoffMs: number, retryAfterMs: number | undefined, random: () => number): number {
  if (retryAfterMs === undefined) return backoffMs;
  const r = random();
  if (!(r >= 0 && r <= 1)) throw new RangeError(`retry jitter random source must return a number in [0, 1], got ${r}`);
  const bounded = Math.min(Math.max(0, retryAfterMs), MAX_RETRY_AFTER_MS);
  return Math.max(backoffMs, Math.round(bounded + (bounded / 2) * r));
}
