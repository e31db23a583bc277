import { describe, expect, it } from 'vitest';
import { AttacheError } from '../../../common/errors.js';
import { ManualClock } from '../../../common/testing/manual-clock.js';
import { createSilentLogger } from '../logging.js';
import type { StoreReadiness } from '../store/store.js';
import { ReadinessProbe } from './readiness.js';

/** A store whose readiness answers are queued by the test; counts the probes. */
function scriptedStore() {
  const answers: (() => Promise<StoreReadiness>)[] = [];
  const store = {
    probes: 0,
    checkReadiness(): Promise<StoreReadiness> {
      store.probes += 1;
      const next = answers.shift();
      return next ? next() : Promise.resolve({ pendingMigrations: [] });
    },
  };
  return { store, answers };
}

const unavailable = () => Promise.reject(new AttacheError('DATABASE_UNAVAILABLE', 'connect ECONNREFUSED'));

describe('ReadinessProbe', () => {
  it('is ready when the database answers with no pending migration, and names the pending ones otherwise', async () => {
    const clock = new ManualClock(0);
    const { store, answers } = scriptedStore();
    const probe = new ReadinessProbe({ reuseMs: 1000 }, { store, clock, logger: createSilentLogger() });
    answers.push(async () => ({ pendingMigrations: ['0009-next'] }));
    expect(await probe.check()).toEqual({ status: 'not-ready', reason: 'MIGRATIONS_PENDING', pendingMigrations: ['0009-next'] });
    await clock.advance(1000);
    expect(await probe.check()).toEqual({ status: 'ready' });
  });

  it('is not ready while the database fails or does not answer within the timeout, and ready again once it answers', async () => {
    const clock = new ManualClock(0);
    const { store, answers } = scriptedStore();
    const probe = new ReadinessProbe({ timeoutMs: 2000, reuseMs: 1000 }, { store, clock, logger: createSilentLogger() });
    answers.push(unavailable);
    expect(await probe.check()).toEqual({ status: 'not-ready', reason: 'DATABASE_UNAVAILABLE' });

    await clock.advance(1000);
    answers.push(() => new Promise(() => undefined)); // a database that never answers
    const hanging = probe.check();
    await clock.advance(1999);
    let settled = false;
    void hanging.then(() => {
      settled = true;
    });
    await clock.advance(0);
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(await hanging).toEqual({ status: 'not-ready', reason: 'DATABASE_UNAVAILABLE' });

    await clock.advance(1000);
    expect(await probe.check()).toEqual({ status: 'ready' });
  });

  it('runs one probe for concurrent callers and reuses its answer for reuseMs, so a flood of /readyz costs one query', async () => {
    const clock = new ManualClock(0);
    const { store } = scriptedStore();
    const probe = new ReadinessProbe({ reuseMs: 1000 }, { store, clock, logger: createSilentLogger() });
    const answers = await Promise.all(Array.from({ length: 50 }, () => probe.check()));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set(['ready']));
    await clock.advance(999);
    await probe.check();
    expect(store.probes).toBe(1);
    await clock.advance(1);
    await probe.check();
    expect(store.probes).toBe(2);
  });
});
