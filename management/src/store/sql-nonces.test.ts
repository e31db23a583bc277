// Tests of the used-nonce table: a claim is refused while the pair exists, sweeps remove only expired rows, in batches.
import { describe, expect, it } from 'vitest';
import type { ManagementStore } from './store.js';
import { freshStorePerTest, STORE_ENGINES } from './testing/store-engines.js';

let store: ManagementStore;

describe.each(STORE_ENGINES)('%s store', (engineName) => {
  freshStorePerTest(engineName, (s) => {
    store = s;
  });

  describe('request nonces', () => {
    it('claims a (device, nonce) pair once', async () => {
      expect(await store.claimNonce('d1', 'n1', 1_000)).toBe(true);
      expect(await store.claimNonce('d1', 'n1', 2_000)).toBe(false);
      expect(await store.claimNonce('d2', 'n1', 1_000)).toBe(true);
    });

    it('sweeps expired nonces only, at most `limit` at a time', async () => {
      for (let i = 0; i < 5; i++) await store.claimNonce('d', `old-${i}`, 1_000 + i);
      await store.claimNonce('d', 'live', 10_000);
      expect(await store.sweepNonces(5_000, 3)).toBe(3);
      expect(await store.sweepNonces(5_000, 3)).toBe(2);
      expect(await store.sweepNonces(5_000, 3)).toBe(0);
      expect(await store.claimNonce('d', 'live', 10_000)).toBe(false);
      // A swept nonce is forgotten (its request is refused by the time check by then).
      expect(await store.claimNonce('d', 'old-0', 1_000)).toBe(true);
    });
  });
});
