// Remembers the nonces of accepted device requests for as long as their timestamp is inside the freshness window,
// so a captured request cannot be replayed. In memory, bounded; expired entries are pruned as time passes.

/** Outcome of checking one nonce. */
export type NonceCheck = 'fresh' | 'replayed' | 'full';

/** Options of the replay guard. */
export interface ReplayGuardOptions {
  /** Allowed distance between a request's timestamp and the endpoint clock (300 s in the protocol). */
  readonly windowMs: number;
  /** Upper bound on remembered nonces; when reached (after pruning) requests are refused until entries expire. */
  readonly maxEntries: number;
}

/** A bounded set of (device, nonce) pairs with expiry. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private nextPruneAt = 0;

  constructor(private readonly options: ReplayGuardOptions) {}

  /**
   * Records the nonce unless it was seen. A request with timestamp `requestTimeMs` is acceptable until
   * requestTimeMs + windowMs, so that is how long its nonce must be remembered.
   */
  check(deviceId: string, nonce: string, requestTimeMs: number, nowMs: number): NonceCheck {
    this.prune(nowMs, false);
    const key = `${deviceId}/${nonce}`;
    const expiresAt = this.seen.get(key);
    if (expiresAt !== undefined && expiresAt >= nowMs) return 'replayed';
    if (this.seen.size >= this.options.maxEntries) {
      this.prune(nowMs, true);
      if (this.seen.size >= this.options.maxEntries) return 'full';
    }
    this.seen.set(key, requestTimeMs + this.options.windowMs);
    return 'fresh';
  }

  /** Number of remembered nonces. */
  get size(): number {
    return this.seen.size;
  }

  // A full scan, at most ten times per window (or when full): O(1) amortised per request.
  private prune(nowMs: number, force: boolean): void {
    if (!force && nowMs < this.nextPruneAt) return;
    this.nextPruneAt = nowMs + this.options.windowMs / 10;
    for (const [key, expiresAt] of this.seen) if (expiresAt < nowMs) this.seen.delete(key);
  }
}
