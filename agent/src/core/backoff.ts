// Exponential backoff with equal jitter: the one retry-delay formula of the agent (sync retry, signal delivery, push
// reconnect). Pure: the randomness is passed in as a `() => number` in [0, 1).
//
// Why equal jitter and not full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015): full jitter
// (random·ceiling) spreads a fleet best, and AWS found it did slightly less work than equal jitter and finished
// sooner in its contention test; but it can draw a delay of ~0 ms, retrying at once a call that has just failed.
// Every caller here retries a whole endpoint round trip (or a TLS + WebSocket handshake) of a device that cannot
// reach the endpoint, so each wants a floor (the push client used to bolt one onto "full jitter"). Equal jitter
// (ceiling/2 + random·ceiling/2) keeps half the ceiling as that floor and still spreads a fleet over the other half.
// The function's name says which formula it is.

/** Where the delays start and where they stop growing. */
export interface BackoffPolicy {
  /** Ceiling of the first retry (attempt 0), in ms; doubles per attempt. */
  readonly baseMs: number;
  /** Largest ceiling, in ms. */
  readonly maxMs: number;
}

/** The un-jittered ceiling of retry number `attempt` (0-based): min(max, base · 2^attempt). */
export function backoffCeilingMs(attempt: number, policy: BackoffPolicy): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`backoff attempt must be a whole number ≥ 0, got ${attempt}`);
  if (!(policy.baseMs > 0) || !(policy.maxMs >= policy.baseMs))
    throw new RangeError(`backoff needs 0 < baseMs ≤ maxMs, got baseMs ${policy.baseMs}, maxMs ${policy.maxMs}`);
  // 2^30 · any sane base is already past any cap; clamping the exponent keeps the arithmetic finite.
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
}

/**
 * Delay before retry number `attempt` (0-based) with equal jitter: ceiling/2 + random()·ceiling/2, rounded to whole
 * ms, so within [ceiling/2, ceiling]. `random` returns a number in [0, 1).
 */
export function equalJitterDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = backoffCeilingMs(attempt, policy);
  const r = random();
  if (!(r >= 0 && r <= 1)) throw new RangeError(`backoff random source must return a number in [0, 1], got ${r}`);
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}
