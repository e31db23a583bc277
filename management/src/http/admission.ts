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
  /** Device HTTP requests between arrival and response; one more is refused. */
  readonly maxInFlight: number;
  /** Push WebSocket upgrades between arrival and established socket (TLS done, signature checked, handshake sent). */
  readonly maxInFlightUpgrades: number;
  /** Event-loop delay (p99 of the last sample window, ms) above which the endpoint counts as saturated. */
  readonly maxEventLoopDelayMs: number;
  /** While saturated, requests (and upgrades) are still admitted up to this many in flight, so work keeps moving. */
  readonly saturatedInFlight: number;
  /** Retry-After is drawn uniformly from the whole seconds minRetryAfterSeconds..maxRetryAfterSeconds. */
  readonly minRetryAfterSeconds: number;
  readonly maxRetryAfterSeconds: number;
  /** How often the event-loop delay is sampled (ms). */
  readonly sampleIntervalMs: number;
}

/**
 * Defaults for a 2-core endpoint: 256 requests (about 0.5 s of work at 2 ms each, far inside the agent's 30 s timeout),
 * 64 upgrades, saturated above 500 ms of event-loop delay (then 16 in flight), Retry-After 1–10 s, sampled every 500 ms.
 */
export const DEFAULT_ADMISSION_LIMITS: AdmissionLimits = {
  maxInFlight: 256,
  maxInFlightUpgrades: 64,
  maxEventLoopDelayMs: 500,
  saturatedInFlight: 16,
  minRetryAfterSeconds: 1,
  maxRetryAfterSeconds: 10,
  sampleIntervalMs: 500,
};

/** The capacity signal: the event-loop delay of the last window, in ms. */
export interface LoadProbe {
  eventLoopDelayMs(): number;
  close(): void;
}

/** What is admitted: a plain device request or a push upgrade (counted apart, so a reconnect storm cannot starve check-ins). */
export type AdmissionKind = 'request' | 'upgrade';

/** Admitted (call `release` once when done; later calls do nothing), or refused with the seconds to wait. */
export type AdmissionDecision =
  | { readonly admitted: true; readonly release: () => void }
  | { readonly admitted: false; readonly retryAfterSeconds: number; readonly reason: 'inFlight' | 'eventLoopDelay' };

/** Counters for operators, tests and benchmarks. */
export interface AdmissionStats {
  readonly inFlight: number;
  readonly inFlightUpgrades: number;
  readonly admitted: number;
  readonly refused: number;
  readonly eventLoopDelayMs: number;
}

/** Dependencies: clock (sampling timer and Retry-After jitter), logger, and optionally the capacity probe. */
export interface AdmissionDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Default: eventLoopDelayProbe on `clock` every sampleIntervalMs. */
  readonly probe?: LoadProbe;
}

const INTEGER_LIMITS: readonly (keyof AdmissionLimits)[] = ['maxInFlight', 'maxInFlightUpgrades', 'saturatedInFlight', 'minRetryAfterSeconds'];

/** The limits with defaults filled in; throws CONFIG_INVALID naming the first bad field. */
export function admissionLimits(partial: Partial<AdmissionLimits> = {}): AdmissionLimits {
  const limits = { ...DEFAULT_ADMISSION_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits) as [keyof AdmissionLimits, number][]) {
    const integer = INTEGER_LIMITS.includes(name) || name === 'maxRetryAfterSeconds';
    const floor = name === 'saturatedInFlight' ? 0 : 1;
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

/** Node's event-loop delay histogram, read and reset every `intervalMs` on `clock`: the p99 of each window. */
export function eventLoopDelayProbe(clock: Clock, intervalMs: number): LoadProbe {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let lastMs = 0;
  const timer: TimerHandle = clock.every(intervalMs, () => {
    lastMs = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
    histogram.reset();
  });
  return {
    eventLoopDelayMs: () => lastMs,
    close: () => {
      timer.cancel();
      histogram.disable();
    },
  };
}

/** Counts in-flight device work and decides admission; logs a run of refusals once when it starts and once when it ends. */
export class AdmissionController {
  readonly limits: AdmissionLimits;
  private readonly probe: LoadProbe;
  private readonly log: Logger;
  private readonly inFlight = { request: 0, upgrade: 0 };
  private admitted = 0;
  private refused = 0;
  private refusedInRun = 0;

  constructor(
    limits: Partial<AdmissionLimits>,
    private readonly deps: AdmissionDeps,
  ) {
    this.limits = admissionLimits(limits);
    this.probe = deps.probe ?? eventLoopDelayProbe(deps.clock, this.limits.sampleIntervalMs);
    this.log = deps.logger.child({ component: 'admission' });
  }

  /** Admits one unit of `kind` or refuses it. */
  admit(kind: AdmissionKind): AdmissionDecision {
    const delayMs = this.probe.eventLoopDelayMs();
    const saturated = delayMs > this.limits.maxEventLoopDelayMs;
    const cap = kind === 'request' ? this.limits.maxInFlight : this.limits.maxInFlightUpgrades;
    const limit = saturated ? Math.min(cap, this.limits.saturatedInFlight) : cap;
    if (this.inFlight[kind] >= limit) return this.refuse(kind, saturated ? 'eventLoopDelay' : 'inFlight', delayMs);
    if (this.refusedInRun > 0) {
      this.log.info('endpoint accepting again', { refused: this.refusedInRun, eventLoopDelayMs: Math.round(delayMs) });
      this.refusedInRun = 0;
    }
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

  stats(): AdmissionStats {
    const { request, upgrade } = this.inFlight;
    return { inFlight: request, inFlightUpgrades: upgrade, admitted: this.admitted, refused: this.refused, eventLoopDelayMs: this.probe.eventLoopDelayMs() };
  }

  /** Stops the sampling timer. */
  close(): void {
    this.probe.close();
  }

  private refuse(kind: AdmissionKind, reason: 'inFlight' | 'eventLoopDelay', delayMs: number): AdmissionDecision {
    const { minRetryAfterSeconds: min, maxRetryAfterSeconds: max } = this.limits;
    // Jittered so a refused herd comes back spread over the window, not in step.
    const retryAfterSeconds = Math.min(max, min + Math.floor(this.deps.clock.random() * (max - min + 1)));
    if (this.refusedInRun === 0) {
      this.log.warn('endpoint busy', {
        kind,
        reason,
        inFlight: this.inFlight.request,
        inFlightUpgrades: this.inFlight.upgrade,
        eventLoopDelayMs: Math.round(delayMs),
      });
    }
    this.refusedInRun += 1;
    this.refused += 1;
    return { admitted: false, retryAfterSeconds, reason };
  }
}

// The device API by route pattern (unknown paths are answered 404 without work, so they are not counted).
const DEVICE_ROUTE = /^\/v1\/(?:device\/|enroll$)/;

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
      const why = decision.reason === 'inFlight' ? `too many ${kind === 'upgrade' ? 'push upgrades' : 'device requests'} in flight` : 'event loop saturated';
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
