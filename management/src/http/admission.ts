// Admission control of the device API (POST /v1/enroll, /v1/device/*, the push upgrade): a burst of hosts gets a fast
// 503 ENDPOINT_BUSY with a jittered Retry-After instead of a queue that outlives their timeouts. Decided in onRequest,
// before the body is read, the signature verified or the store touched. Admin and access APIs are never refused.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock, TimerHandle } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import type { Logger } from '../logging.js';

/** Limits of the admission controller (docs/protocol.md "Endpoint at capacity"). */
export interface AdmissionLimits {
  /** Device HTTP requests between arrival and response when the endpoint is healthy; one more is refused. */
  readonly maxInFlight: number;
  /** Push WebSocket upgrades between arrival and established socket (TLS done, signature checked, handshake sent). */
  readonly maxInFlightUpgrades: number;
  /** Event-loop delay (p99 of one sample window, ms) above which the in-flight limits are halved. */
  readonly maxEventLoopDelayMs: number;
  /** The halved limits never go below this many in flight, so work keeps moving (0: a saturated endpoint refuses all). */
  readonly minInFlight: number;
  /** Retry-After is drawn uniformly from the whole seconds minRetryAfterSeconds..maxRetryAfterSeconds. */
  readonly minRetryAfterSeconds: number;
  readonly maxRetryAfterSeconds: number;
  /** How often the event-loop delay is sampled and the limits adjusted (ms). */
  readonly sampleIntervalMs: number;
}

/**
 * Defaults for a 2-core endpoint: 1,024 requests and 256 upgrades in flight (a few seconds of work at most, far inside
 * the agent's 30 s timeout); above 1 s of event-loop delay the limits halve each 500 ms window down to 16, and grow
 * back by a quarter per window once the delay is under half that; Retry-After 1–10 s.
 */
export const DEFAULT_ADMISSION_LIMITS: AdmissionLimits = {
  maxInFlight: 1024,
  maxInFlightUpgrades: 256,
  maxEventLoopDelayMs: 1000,
  minInFlight: 16,
  minRetryAfterSeconds: 1,
  maxRetryAfterSeconds: 10,
  sampleIntervalMs: 500,
};

// Multiplicative decrease when saturated, gentler increase when healthy (from 1/64 back to full in about 19 windows).
const DECREASE = 0.5;
const INCREASE = 1.25;

/** The capacity signal: `sample()` returns the event-loop delay (ms) since the previous sample. */
export interface LoadProbe {
  sample(): number;
  close(): void;
}

/** What is admitted: a plain device request or a push upgrade (counted apart, so a reconnect storm cannot starve check-ins). */
export type AdmissionKind = 'request' | 'upgrade';

/** Admitted (call `release` once when done; later calls do nothing), or refused with the seconds to wait. */
export type AdmissionDecision =
  | { readonly admitted: true; readonly release: () => void }
  | { readonly admitted: false; readonly retryAfterSeconds: number; readonly saturated: boolean };

/** Counters for operators, tests and benchmarks. */
export interface AdmissionStats {
  readonly inFlight: number;
  readonly inFlightUpgrades: number;
  /** The current limits (maxInFlight and maxInFlightUpgrades scaled down while the event loop is saturated). */
  readonly limit: number;
  readonly upgradeLimit: number;
  readonly admitted: number;
  readonly refused: number;
  /** The last sampled event-loop delay. */
  readonly eventLoopDelayMs: number;
}

/** Dependencies: clock (sampling timer and Retry-After jitter), logger, and optionally the capacity probe. */
export interface AdmissionDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Default: eventLoopDelayProbe(). */
  readonly probe?: LoadProbe;
}

const INTEGER_LIMITS: readonly (keyof AdmissionLimits)[] = [
  'maxInFlight',
  'maxInFlightUpgrades',
  'minInFlight',
  'minRetryAfterSeconds',
  'maxRetryAfterSeconds',
];

/** The limits with defaults filled in; throws CONFIG_INVALID naming the first bad field. */
export function admissionLimits(partial: Partial<AdmissionLimits> = {}): AdmissionLimits {
  const limits = { ...DEFAULT_ADMISSION_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits) as [keyof AdmissionLimits, number][]) {
    const integer = INTEGER_LIMITS.includes(name);
    const floor = name === 'minInFlight' ? 0 : 1;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < floor || (integer && !Number.isInteger(value))) {
      throw new AttacheError('CONFIG_INVALID', `admission limit ${name} must be ${integer ? 'an integer' : 'a number'} >= ${floor}, got ${String(value)}`);
    }
  }
  if (limits.maxRetryAfterSeconds < limits.minRetryAfterSeconds) {
    throw new AttacheError(
      'CONFIG_INVALID',
      `admission limit maxRetryAfterSeconds (${limits.maxRetryAfterSeconds}) is below minRetryAfterSeconds (${limits.minRetryAfterSeconds})`,
    );
  }
  return limits;
}

/**
 * Parses the `--admission` value: `off`, or `<requests>,<upgrades>,<event-loop delay ms>` (maxInFlight,
 * maxInFlightUpgrades, maxEventLoopDelayMs; the other limits keep their defaults). Throws an Error naming the value.
 */
export function parseAdmissionLimits(value: string): AdmissionLimits | false {
  if (value === 'off') return false;
  const match = /^(\d{1,6}),(\d{1,6}),(\d{1,6})$/.exec(value);
  if (!match) throw new Error(`admission "${value}" must be "off" or "<requests>,<upgrades>,<event-loop delay ms>" with positive integers`);
  try {
    return admissionLimits({ maxInFlight: Number(match[1]), maxInFlightUpgrades: Number(match[2]), maxEventLoopDelayMs: Number(match[3]) });
  } catch (err) {
    throw new Error(`admission "${value}": ${(err as Error).message}`);
  }
}

/** Node's event-loop delay histogram (10 ms resolution): each sample is the p99 since the previous one. */
export function eventLoopDelayProbe(): LoadProbe {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return {
    sample: () => {
      const ms = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
      histogram.reset();
      return ms;
    },
    close: () => histogram.disable(),
  };
}

/**
 * Counts in-flight device work and decides admission. The limits adapt to the event-loop delay sampled every
 * sampleIntervalMs: halved while it is above maxEventLoopDelayMs, grown back while it is below half of it. A run of
 * refusals is logged once when it starts and once when a sampling window passes without one (not per refusal).
 */
export class AdmissionController {
  readonly limits: AdmissionLimits;
  private readonly probe: LoadProbe;
  private readonly log: Logger;
  private readonly timer: TimerHandle;
  private readonly inFlight = { request: 0, upgrade: 0 };
  private scale = 1;
  private delayMs = 0;
  private admitted = 0;
  private refused = 0;
  // A run of refusals starts with the first refusal and ends with the first sampling window without one.
  private refusedInRun = 0;
  private refusedInWindow = 0;

  constructor(
    limits: Partial<AdmissionLimits>,
    private readonly deps: AdmissionDeps,
  ) {
    this.limits = admissionLimits(limits);
    this.probe = deps.probe ?? eventLoopDelayProbe();
    this.log = deps.logger.child({ component: 'admission' });
    this.timer = deps.clock.every(this.limits.sampleIntervalMs, () => this.adjust(this.probe.sample()));
  }

  /** Admits one unit of `kind` or refuses it. */
  admit(kind: AdmissionKind): AdmissionDecision {
    if (this.inFlight[kind] >= this.limitOf(kind)) return this.refuse(kind);
    this.inFlight[kind] += 1;
    this.admitted += 1;
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight[kind] -= 1;
      },
    };
  }

  // One event-loop delay sample, from the sampling timer.
  private adjust(delayMs: number): void {
    this.delayMs = delayMs;
    if (this.refusedInRun > 0 && this.refusedInWindow === 0) {
      this.log.info('endpoint accepting again', { refused: this.refusedInRun, eventLoopDelayMs: Math.round(delayMs) });
      this.refusedInRun = 0;
    }
    this.refusedInWindow = 0;
    const before = this.limitOf('request');
    // The scale stops where the request limit reaches minInFlight (or just below 1 for 0), so growth restarts from there.
    const floor = Math.min(1, Math.max(this.limits.minInFlight, 0.5) / this.limits.maxInFlight);
    if (delayMs > this.limits.maxEventLoopDelayMs) this.scale = Math.max(floor, this.scale * DECREASE);
    else if (delayMs <= this.limits.maxEventLoopDelayMs / 2) this.scale = Math.min(1, this.scale * INCREASE);
    const after = this.limitOf('request');
    if (after !== before) this.log.debug('admission limit changed', { limit: after, eventLoopDelayMs: Math.round(delayMs) });
  }

  /** The current counts, limits and last event-loop delay sample. */
  stats(): AdmissionStats {
    const { request, upgrade } = this.inFlight;
    return {
      inFlight: request,
      inFlightUpgrades: upgrade,
      limit: this.limitOf('request'),
      upgradeLimit: this.limitOf('upgrade'),
      admitted: this.admitted,
      refused: this.refused,
      eventLoopDelayMs: this.delayMs,
    };
  }

  /** Stops the sampling timer and the probe. */
  close(): void {
    this.timer.cancel();
    this.probe.close();
  }

  private limitOf(kind: AdmissionKind): number {
    const cap = kind === 'request' ? this.limits.maxInFlight : this.limits.maxInFlightUpgrades;
    return Math.max(Math.min(cap, this.limits.minInFlight), Math.floor(cap * this.scale));
  }

  private refuse(kind: AdmissionKind): AdmissionDecision {
    const { minRetryAfterSeconds: min, maxRetryAfterSeconds: max } = this.limits;
    // Jittered so a refused herd comes back spread over the window, not in step.
    const retryAfterSeconds = Math.min(max, min + Math.floor(this.deps.clock.random() * (max - min + 1)));
    const saturated = this.scale < 1;
    if (this.refusedInRun === 0) {
      this.log.warn('endpoint busy', { kind, saturated, ...this.stats(), eventLoopDelayMs: Math.round(this.delayMs) });
    }
    this.refusedInRun += 1;
    this.refusedInWindow += 1;
    this.refused += 1;
    return { admitted: false, retryAfterSeconds, saturated };
  }
}

/** The device API by route pattern (unknown paths are answered 404 without work, so they are not counted; metrics.ts too). */
export const DEVICE_ROUTE = /^\/v1\/(?:device\/|enroll$)/;

/**
 * Adds the admission hook to `app` (register it after @fastify/websocket, whose onRequest hook marks upgrades).
 * A request's slot is released when its response closes; an upgrade's when its WebSocket is established or its
 * socket closes, whichever comes first.
 */
export function registerAdmission(app: FastifyInstance, controller: AdmissionController): void {
  const upgrades = new WeakMap<object, () => void>();
  app.websocketServer.on('connection', (_socket: unknown, rawRequest: object) => upgrades.get(rawRequest)?.());
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const route = req.routeOptions.url;
    if (route === undefined || !DEVICE_ROUTE.test(route)) return;
    const kind: AdmissionKind = req.ws ? 'upgrade' : 'request';
    const decision = controller.admit(kind);
    if (!decision.admitted) {
      reply.header('retry-after', String(decision.retryAfterSeconds));
      const what = kind === 'upgrade' ? 'push upgrades' : 'device requests';
      const why = decision.saturated ? `event loop saturated, limit of ${what} in flight lowered` : `too many ${what} in flight`;
      throw new AttacheError('ENDPOINT_BUSY', `endpoint at capacity (${why}); retry after ${decision.retryAfterSeconds} s`);
    }
    if (kind === 'upgrade') {
      upgrades.set(req.raw, decision.release);
      req.raw.socket.once('close', decision.release);
    } else {
      reply.raw.once('close', decision.release);
    }
  });
}
