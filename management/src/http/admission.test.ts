// Unit tests of the admission controller on a manual clock and a settable capacity signal (no sockets, no sleeps).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import winston from 'winston';
import { ManualClock } from '../../../common/testing/manual-clock.js';
import { createSilentLogger } from '../logging.js';
import {
  AdmissionController,
  type AdmissionDecision,
  type AdmissionLimits,
  admissionLimits,
  DEFAULT_ADMISSION_LIMITS,
  parseAdmissionLimits,
} from './admission.js';

function controller(limits: Partial<AdmissionLimits>, seed = 1, logger = createSilentLogger()) {
  const load = { delayMs: 0, closed: false };
  const probe = {
    sample: () => load.delayMs,
    close: () => {
      load.closed = true;
    },
  };
  const clock = new ManualClock(0, { seed });
  const admission = new AdmissionController(limits, { clock, logger, probe });
  // One sampling window with `delayMs` of event-loop delay.
  const window = async (delayMs: number) => {
    load.delayMs = delayMs;
    await clock.tick();
  };
  return { admission, load, clock, window };
}

function admitted(decision: AdmissionDecision): () => void {
  if (!decision.admitted) throw new Error('refused');
  return decision.release;
}

describe('AdmissionController', () => {
  it('admits up to maxInFlight requests, refuses the next, and admits again once one is released', () => {
    const { admission } = controller({ maxInFlight: 2 });
    const first = admitted(admission.admit('request'));
    admitted(admission.admit('request'));
    expect(admission.admit('request')).toMatchObject({ admitted: false, saturated: false });
    first();
    first(); // a second release must not free a slot that another request holds
    admitted(admission.admit('request'));
    expect(admission.admit('request').admitted).toBe(false);
    expect(admission.stats()).toMatchObject({ inFlight: 2, admitted: 3, refused: 2 });
  });

  it('counts upgrades apart from requests', () => {
    const { admission } = controller({ maxInFlight: 1, maxInFlightUpgrades: 1 });
    admitted(admission.admit('request'));
    const upgrade = admitted(admission.admit('upgrade'));
    expect(admission.admit('upgrade').admitted).toBe(false);
    expect(admission.admit('request').admitted).toBe(false);
    upgrade();
    expect(admission.stats()).toMatchObject({ inFlight: 1, inFlightUpgrades: 0 });
    admitted(admission.admit('upgrade'));
  });

  it('samples the event-loop delay on the clock every sampleIntervalMs', () => {
    const { clock } = controller({ sampleIntervalMs: 250 });
    expect(clock.intervals()).toEqual([250]);
  });

  it('halves the limits per saturated window down to minInFlight, and grows them back once the delay falls', async () => {
    const { admission, window } = controller({ maxInFlight: 64, maxInFlightUpgrades: 8, minInFlight: 4, maxEventLoopDelayMs: 200 });
    await window(201);
    expect(admission.stats()).toMatchObject({ limit: 32, upgradeLimit: 4, eventLoopDelayMs: 201 });
    for (let i = 0; i < 10; i++) await window(5_000);
    expect(admission.stats()).toMatchObject({ limit: 4, upgradeLimit: 4 });
    const held = Array.from({ length: 4 }, () => admitted(admission.admit('request')));
    expect(admission.admit('request')).toMatchObject({ admitted: false, saturated: true });
    // Between half the limit and the limit: hold steady.
    await window(150);
    expect(admission.stats().limit).toBe(4);
    await window(100);
    expect(admission.stats().limit).toBe(5);
    admitted(admission.admit('request'));
    for (let i = 0; i < 30; i++) await window(0);
    expect(admission.stats()).toMatchObject({ limit: 64, upgradeLimit: 8 });
    for (const release of held) release();
  });

  it('refuses everything once saturated when minInFlight is 0', async () => {
    const { admission, window } = controller({ maxInFlight: 1, maxInFlightUpgrades: 1, minInFlight: 0 });
    await window(10_000);
    expect(admission.admit('request')).toMatchObject({ admitted: false, saturated: true });
    expect(admission.admit('upgrade')).toMatchObject({ admitted: false, saturated: true });
  });

  it('draws Retry-After in whole seconds across the configured window, so a refused herd is spread out', () => {
    const { admission } = controller({ maxInFlight: 1, minRetryAfterSeconds: 2, maxRetryAfterSeconds: 6 });
    admitted(admission.admit('request'));
    const waits = Array.from({ length: 500 }, () => {
      const d = admission.admit('request');
      return d.admitted ? 0 : d.retryAfterSeconds;
    });
    for (const w of waits) expect(Number.isInteger(w) && w >= 2 && w <= 6, String(w)).toBe(true);
    expect(new Set(waits)).toEqual(new Set([2, 3, 4, 5, 6]));
  });

  it('gives the same Retry-After sequence for the same seed (the jitter comes from the injected clock)', () => {
    const draw = (seed: number) => {
      const { admission } = controller({ maxInFlight: 1 }, seed);
      admitted(admission.admit('request'));
      return Array.from({ length: 20 }, () => {
        const d = admission.admit('request');
        return d.admitted ? 0 : d.retryAfterSeconds;
      });
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('logs a run of refusals once when it starts and once when a window passes without one, not per refusal', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
    const { admission, window } = controller({ maxInFlight: 1 }, 1, logger);
    let held = admitted(admission.admit('request'));
    for (let i = 0; i < 6; i++) {
      expect(admission.admit('request').admitted).toBe(false);
      held();
      held = admitted(admission.admit('request')); // oscillating at the limit is still one run
    }
    await window(0);
    await window(0);
    await new Promise((resolve) => setImmediate(resolve)); // winston writes to its stream asynchronously
    expect(lines.map((l) => l.message)).toEqual(['endpoint busy', 'endpoint accepting again']);
    expect(lines[0]).toMatchObject({ component: 'admission', kind: 'request', saturated: false, inFlight: 1, limit: 1 });
    expect(lines[1]).toMatchObject({ refused: 6 });
  });

  it('stops its timer and closes its probe', () => {
    const { admission, load, clock } = controller({});
    admission.close();
    expect(load.closed).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('admission limits', () => {
  it('fills in the defaults', () => {
    expect(admissionLimits()).toEqual(DEFAULT_ADMISSION_LIMITS);
    expect(admissionLimits({ maxInFlight: 5 })).toEqual({ ...DEFAULT_ADMISSION_LIMITS, maxInFlight: 5 });
  });

  it.each([
    [{ maxInFlight: 0 }, 'maxInFlight'],
    [{ maxInFlightUpgrades: 1.5 }, 'maxInFlightUpgrades'],
    [{ minInFlight: -1 }, 'minInFlight'],
    [{ maxEventLoopDelayMs: Number.NaN }, 'maxEventLoopDelayMs'],
    [{ sampleIntervalMs: 0 }, 'sampleIntervalMs'],
    [{ minRetryAfterSeconds: 5, maxRetryAfterSeconds: 4 }, 'maxRetryAfterSeconds'],
  ])('refuses %j naming %s', (limits, name) => {
    expect(() => admissionLimits(limits)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(name) }));
  });

  it('parses the --admission option', () => {
    expect(parseAdmissionLimits('off')).toBe(false);
    expect(parseAdmissionLimits('100,20,300')).toEqual({ ...DEFAULT_ADMISSION_LIMITS, maxInFlight: 100, maxInFlightUpgrades: 20, maxEventLoopDelayMs: 300 });
    expect(() => parseAdmissionLimits('100,20')).toThrow(/"100,20" must be "off"/);
    expect(() => parseAdmissionLimits('0,20,300')).toThrow(/maxInFlight/);
  });
});
