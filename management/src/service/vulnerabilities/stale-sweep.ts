// The consistency sweep (review18 H3): exposure heals itself. Packages left unevaluated (an import marks the packages
// of its changed keys in its own transaction, so one that failed after its commit leaves them marked; an upload whose
// matching failed) are matched and their devices recomputed; devices whose exposure is missing or older than their
// stored software (a recompute that failed after the upload was stored) are recomputed. Bounded pages; the leader
// runs it every STALE_SWEEP_MS (endpoint.ts), an admin by hand (POST /v1/admin/vulnerabilities/recompute).
import { endOfTurn } from '../../../../common/clock.js';
import type { Logger } from '../../logging.js';
import type { VulnerabilityStore } from '../../store/vulnerability-store.js';
import type { Recomputer } from './recompute.js';

/** Devices (or pending packages) handled per serial recompute: uploads and imports queue between pages. */
export const STALE_PAGE = 100;
/** Pages per sweep run and kind: at most 5,000 devices and 5,000 packages a run; the next run goes on. */
export const STALE_MAX_PAGES = 50;
/** How often the leader sweeps (endpoint.ts). */
export const STALE_SWEEP_MS = 10 * 60_000;

export interface StaleSweepDeps {
  readonly store: VulnerabilityStore;
  readonly recomputer: Recomputer;
  readonly logger: Logger;
}

/** One sweep run; returns the devices recomputed. */
export async function recomputeStale(deps: StaleSweepDeps, pageSize = STALE_PAGE, maxPages = STALE_MAX_PAGES): Promise<number> {
  const { store, recomputer } = deps;
  let devices = 0;
  // Pending packages matched page by page, then one scan for the devices holding any of them.
  const matched: number[] = [];
  for (let page = 0; page < maxPages; page++) {
    const pending = await store.pendingPackages(pageSize);
    if (pending.length === 0) break;
    await recomputer.serial(async () => recomputer.matchPackages(await store.packagesByIds(pending)));
    matched.push(...pending);
    await endOfTurn();
  }
  if (matched.length > 0) devices += await recomputer.serial(async () => recomputer.recomputeDevices(await store.devicesWithPackages(matched)));
  let after: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const ids = await store.staleExposures({ limit: pageSize, ...(after === undefined ? {} : { after }) });
    if (ids.length === 0) break;
    devices += await recomputer.serial(async () => {
      const held = (await Promise.all(ids.map((id) => store.getDeviceSoftware(id)))).filter((s) => s !== undefined);
      const fresh = await store.unevaluatedPackages([...new Set(held.flatMap((s) => s.packageIds))]);
      if (fresh.length > 0) await recomputer.matchPackages(await store.packagesByIds(fresh));
      return recomputer.recomputeSoftware(held);
    });
    after = ids[ids.length - 1];
    if (ids.length < pageSize) break;
    await endOfTurn();
  }
  if (devices > 0) deps.logger.info('stale exposure recomputed', { devices });
  return devices;
}
