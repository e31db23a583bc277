// Recomputer.matchPackages yields to the event loop while it matches (review18 H2): other requests and push sockets
// are served between slices of MATCH_SLICE packages, not only after a whole batch of 500.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../common/testing/manual-clock.js';
import { createSilentLogger } from '../../logging.js';
import { debPackage } from '../../store/testing/vulnerability-fixtures.js';
import type { VulnerabilityStore } from '../../store/vulnerability-store.js';
import { CompiledAdvisoryCache } from './matching/compiled-advisory.js';
import { MATCH_SLICE, Recomputer } from './recompute.js';

describe('Recomputer.matchPackages', () => {
  it('lets the event loop run between slices of packages', async () => {
    const replaced: number[] = [];
    // A store whose answers are ready at once (as a cached or synchronous driver's): only the matcher's own yields
    // let a setImmediate callback run before matching ends.
    const store = {
      advisoriesByKeys: async () => [],
      replacePackageFindings: async (ids: readonly number[]) => {
        replaced.push(...ids);
      },
    } as unknown as VulnerabilityStore;
    const recomputer = new Recomputer({ store, clock: new ManualClock(0), logger: createSilentLogger(), cache: new CompiledAdvisoryCache() });
    const packages = Array.from({ length: MATCH_SLICE * 3 }, (_, i) => ({ ...debPackage(`pkg-${i}`, '1.0'), packageId: i + 1 }));
    let ticks = 0;
    let running = true;
    const tick = () => {
      if (!running) return;
      ticks++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const totals = await recomputer.matchPackages(packages);
    running = false;
    expect(totals.packages).toBe(packages.length);
    expect(replaced).toHaveLength(packages.length);
    expect(ticks).toBeGreaterThanOrEqual(2);
  });
});
