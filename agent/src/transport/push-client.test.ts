// The push socket's failover on a manual clock, against two closed loopback ports: a refused connection moves it to the
// next URL at once, a whole cycle of refusals backs off with equal jitter (1 s, then 2 s: core/backoff.ts), and it
// attempts the URL current at the time (the HTTPS path may have moved it). Following an open socket: the integration
// test test/endpoint-failover.integration.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { freePort } from '../../../test/harness.js';
import { EndpointUrls } from './endpoint-urls.js';
import { PushClient } from './push-client.js';

/** A clock whose timers the test fires one by one (a refused loopback connection is too fast for a clock's advance). */
function steppedClock() {
  const timers: { run: () => unknown; ms: number; live: boolean }[] = [];
  const clock = {
    now: () => 0,
    random: () => 0, // equal jitter gives exactly half the ceiling
    every: () => ({ cancel() {} }),
    setTimer(run: () => unknown, ms: number) {
      const timer = { run, ms, live: true };
      timers.push(timer);
      return {
        cancel: () => {
          timer.live = false;
        },
      };
    },
  };
  /** Waits for the next timer the push client set after a refusal. */
  const nextTimer = () =>
    vi.waitFor(
      () => {
        const live = timers.find((t) => t.live);
        if (!live) throw new Error('no timer yet');
        return live;
      },
      { timeout: 5_000, interval: 5 },
    );
  /** Fires the next timer and returns its delay. */
  const fireNext = async (): Promise<number> => {
    const timer = await nextTimer();
    timer.live = false;
    timer.run();
    return timer.ms;
  };
  return { clock, nextTimer, fireNext };
}

async function fixture() {
  const urls = [`https://127.0.0.1:${await freePort()}`, `https://127.0.0.1:${await freePort()}`];
  const { clock, nextTimer, fireNext } = steppedClock();
  const endpointUrls = new EndpointUrls({ urls }, { clock });
  const attempts: string[] = [];
  const signedPaths: string[] = [];
  const client = {
    urls: endpointUrls,
    signedHeaders: (_method: string, path: string) => {
      attempts.push(endpointUrls.current.origin);
      signedPaths.push(path);
      return {};
    },
    tls: {},
  } as never;
  const push = new PushClient(client, { onSync() {}, onPolicies() {}, onState() {}, onInvalidMessage() {} }, { clock });
  return { urls, endpointUrls, attempts, signedPaths, push, nextTimer, fireNext };
}

describe('PushClient upgrade', () => {
  it('asks for channel 2 and states the actions capability in the signed path', async () => {
    const { push, signedPaths, fireNext } = await fixture();
    try {
      push.start();
      await fireNext();
      expect(signedPaths[0]).toBe('/v1/device/push?channel=2&capabilities=actions');
    } finally {
      push.stop();
    }
  });
});

describe('PushClient failover', () => {
  it('moves to the next URL at once, and backs off only after every URL refused in a row', async () => {
    const { urls, endpointUrls, attempts, push, fireNext } = await fixture();
    const [first, second] = urls;
    try {
      push.start();
      // Refused on the first URL: the second at once; refused there too: a whole cycle, back on the first after the
      // first backoff (ceiling 1 s, half of it with random 0); the next cycle backs off from a 2 s ceiling.
      expect(await fireNext()).toBe(0);
      expect(await fireNext()).toBe(500);
      expect(endpointUrls.current.origin).toBe(first);
      expect(await fireNext()).toBe(0);
      expect(await fireNext()).toBe(1_000);
      expect(attempts).toEqual([first, second, first, second, first]);
    } finally {
      push.stop();
    }
  });

  it('makes its next attempt to the URL current then, when the HTTPS path moved it during the backoff', async () => {
    const { urls, endpointUrls, attempts, push, nextTimer, fireNext } = await fixture();
    const [first, second] = urls;
    try {
      push.start();
      await fireNext();
      // Refused on the second URL too: backing off on the first. The HTTPS path now finds the first unreachable.
      expect((await nextTimer()).ms).toBe(500);
      expect(endpointUrls.current.origin).toBe(first);
      endpointUrls.failed(endpointUrls.current);
      await fireNext();
      await vi.waitFor(() => expect(attempts).toHaveLength(3));
      expect(attempts).toEqual([first, second, second]);
    } finally {
      push.stop();
    }
  });
});
