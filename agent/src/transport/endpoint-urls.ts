// Which of the endpoint's URLs the agent talks to: the one choice shared by HTTPS requests and the push socket. The
// onboarding package's endpointUrl is preferred; its alternateEndpointUrls are tried in order when the current URL
// cannot be reached, and the agent returns to the preferred URL once a probe finds it answering again.
import type { Clock, TimerHandle } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';

/**
 * While on an alternate URL, the preferred one is probed no more often than this (plus up to half of it as jitter, so
 * a fleet that failed over together does not come back in step). Five minutes: a replica back from a restart gets its
 * devices back within minutes, and a preferred URL that stays down costs each device one connection attempt per probe.
 */
export const PREFERRED_RETRY_MS = 5 * 60_000;

export interface EndpointUrlsOptions {
  /** The preferred URL first, then the alternates in failover order. */
  readonly urls: readonly string[];
  /** Least time between two probes of the preferred URL (default PREFERRED_RETRY_MS). */
  readonly preferredRetryMs?: number;
}

export interface EndpointUrlsDeps {
  readonly clock: Pick<Clock, 'setTimer' | 'random'>;
  /** Whether the endpoint at `url` answers (any HTTP answer short of 5xx); absent: no return before a failover cycle. */
  readonly probe?: (url: URL) => Promise<boolean>;
}

/** The endpoint URLs of one deployment and the one the agent uses now. */
export class EndpointUrls {
  readonly all: readonly URL[];
  /** The URLs as the package wrote them (what `status` shows). */
  private readonly written: readonly string[];
  private index = 0;
  private probeTimer: TimerHandle | undefined;
  private closed = false;
  private readonly listeners = new Set<(url: URL) => void>();
  private readonly retryMs: number;

  constructor(
    options: EndpointUrlsOptions,
    private readonly deps: EndpointUrlsDeps,
  ) {
    this.all = parseUrls(options.urls);
    this.written = [...options.urls];
    this.retryMs = options.preferredRetryMs ?? PREFERRED_RETRY_MS;
    if (!(this.retryMs > 0)) throw new AttacheError('CONFIG_INVALID', `preferred URL retry must be > 0 ms, got ${this.retryMs}`);
  }

  /** The URL requests and the push socket use now. */
  get current(): URL {
    return this.all[this.index] as URL;
  }

  /** The current URL as the package wrote it (no trailing slash added). */
  get currentAsWritten(): string {
    return this.written[this.index] as string;
  }

  get preferred(): URL {
    return this.all[0] as URL;
  }

  get onPreferred(): boolean {
    return this.index === 0;
  }

  /**
   * `url` could not be reached (refused, reset, timed out, TLS failed): the next URL becomes current, after the last
   * one the preferred again. A failure of a URL that is no longer current (a concurrent request already moved on)
   * changes nothing, so two paths failing at once move one step, not two.
   */
  failed(url: URL): void {
    if (this.closed || url.href !== this.current.href) return;
    this.moveTo((this.index + 1) % this.all.length);
  }

  /** Calls `listener` with the new current URL whenever it changes; returns the unsubscribe function. */
  onChange(listener: (url: URL) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops probing; the current URL stays. */
  close(): void {
    this.closed = true;
    this.probeTimer?.cancel();
    this.probeTimer = undefined;
  }

  private moveTo(index: number): void {
    if (index === this.index) return;
    this.index = index;
    if (index === 0) {
      this.probeTimer?.cancel();
      this.probeTimer = undefined;
    } else {
      this.scheduleProbe();
    }
    for (const listener of [...this.listeners]) listener(this.current);
  }

  private scheduleProbe(): void {
    const probe = this.deps.probe;
    if (!probe || this.probeTimer || this.closed) return;
    const delay = this.retryMs + this.deps.clock.random() * this.retryMs * 0.5;
    this.probeTimer = this.deps.clock.setTimer(async () => {
      this.probeTimer = undefined;
      if (this.closed || this.onPreferred) return;
      const answered = await probe(this.preferred).catch(() => false);
      if (this.closed || this.onPreferred) return;
      if (answered) this.moveTo(0);
      else this.scheduleProbe();
    }, delay);
  }
}

/** Parses the URL list: at least one, each https, no duplicates (normalised: a trailing slash does not make a second). */
function parseUrls(urls: readonly string[]): URL[] {
  if (urls.length === 0) throw new AttacheError('CONFIG_INVALID', 'no endpoint URL');
  const seen = new Set<string>();
  return urls.map((text) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new AttacheError('CONFIG_INVALID', `endpoint URL ${text} is not a URL`);
    }
    if (url.protocol !== 'https:') throw new AttacheError('CONFIG_INVALID', `endpoint URL ${text} must use https`);
    if (seen.has(url.href)) throw new AttacheError('CONFIG_INVALID', `endpoint URL ${text} is listed twice`);
    seen.add(url.href);
    return url;
  });
}
