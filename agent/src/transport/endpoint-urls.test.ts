// The choice of endpoint URL on a manual clock: failover in order, wrap-around, stale failures, the probe of the
// preferred URL (not before PREFERRED_RETRY_MS, jittered, repeated until it answers) and bad URL lists.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../common/testing/manual-clock.js';
import { EndpointUrls, PREFERRED_RETRY_MS } from './endpoint-urls.js';

const A = 'https://a.example:8443';
const B = 'https://b.example:8443';
const C = 'https://c.example';

function fixture(urls = [A, B, C], random = 0) {
  const clock = new ManualClock(0, { random: () => random });
  const probes: string[] = [];
  let answers = false;
  const endpointUrls = new EndpointUrls(
    { urls },
    {
      clock,
      probe: async (url) => {
        probes.push(url.origin);
        return answers;
      },
    },
  );
  const changes: string[] = [];
  endpointUrls.onChange((url) => changes.push(url.origin));
  return { clock, urls: endpointUrls, probes, changes, answer: (yes: boolean) => (answers = yes) };
}

describe('EndpointUrls', () => {
  it('starts on the preferred URL and moves through the alternates in order, then back to the preferred', () => {
    const { urls, changes } = fixture();
    expect(urls.current.origin).toBe(A);
    expect(urls.onPreferred).toBe(true);
    urls.failed(urls.current);
    expect(urls.current.origin).toBe(B);
    expect(urls.currentAsWritten).toBe(B);
    urls.failed(urls.current);
    expect(urls.current.origin).toBe(C);
    urls.failed(urls.current);
    expect(urls.current.origin).toBe(A);
    expect(changes).toEqual([B, C, A]);
  });

  it('ignores the failure of a URL that is no longer current (two paths failing at once move one step)', () => {
    const { urls } = fixture();
    const first = urls.current;
    urls.failed(first);
    urls.failed(first);
    expect(urls.current.origin).toBe(B);
  });

  it('probes the preferred URL after PREFERRED_RETRY_MS plus jitter, again while it fails, and returns when it answers', async () => {
    const { clock, urls, probes, changes } = fixture([A, B], 0.5);
    urls.failed(urls.current);
    const delay = PREFERRED_RETRY_MS * 1.25; // random 0.5 → half of the jitter window of PREFERRED_RETRY_MS / 2
    await clock.advance(delay - 1);
    expect(probes).toEqual([]);
    await clock.advance(1);
    expect(probes).toEqual([A]);
    expect(urls.current.origin).toBe(B);
    await clock.advance(delay);
    expect(probes).toEqual([A, A]);
    expect(urls.current.origin).toBe(B);
    expect(changes).toEqual([B]);
  });

  it('moves back to the preferred URL when the probe answers, and stops probing there', async () => {
    const { clock, urls, probes, changes, answer } = fixture([A, B]);
    urls.failed(urls.current);
    answer(true);
    await clock.advance(PREFERRED_RETRY_MS);
    expect(urls.current.origin).toBe(A);
    expect(urls.onPreferred).toBe(true);
    expect(changes).toEqual([B, A]);
    await clock.advance(10 * PREFERRED_RETRY_MS);
    expect(probes).toEqual([A]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('drops the probe when a failover cycle reaches the preferred URL first', async () => {
    const { clock, urls, probes } = fixture([A, B]);
    urls.failed(urls.current);
    urls.failed(urls.current);
    expect(urls.current.origin).toBe(A);
    await clock.advance(2 * PREFERRED_RETRY_MS);
    expect(probes).toEqual([]);
  });

  it('stops probing once closed', async () => {
    const { clock, urls, probes, answer } = fixture([A, B]);
    urls.failed(urls.current);
    answer(true);
    urls.close();
    await clock.advance(2 * PREFERRED_RETRY_MS);
    expect(probes).toEqual([]);
    expect(urls.current.origin).toBe(B);
  });

  it('with one URL never moves and never probes', async () => {
    const { clock, urls, changes, probes } = fixture([A]);
    urls.failed(urls.current);
    await clock.advance(2 * PREFERRED_RETRY_MS);
    expect(urls.current.origin).toBe(A);
    expect(changes).toEqual([]);
    expect(probes).toEqual([]);
  });

  it('refuses an empty list, a non-https URL, a non-URL and a duplicate, naming it', () => {
    const clock = new ManualClock(0);
    expect(() => new EndpointUrls({ urls: [] }, { clock })).toThrow(/no endpoint URL/);
    expect(() => new EndpointUrls({ urls: [A, 'http://b.example'] }, { clock })).toThrow(/http:\/\/b\.example must use https/);
    expect(() => new EndpointUrls({ urls: ['nope'] }, { clock })).toThrow(/nope is not a URL/);
    expect(() => new EndpointUrls({ urls: [A, `${A}/`] }, { clock })).toThrow(/listed twice/);
  });
});
