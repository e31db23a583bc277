// The consistency sweep (review18 H3): exposure heals itself. Devices whose exposure is missing, older than their
// stored software (a recompute that failed after the upload was stored) or older than the last advisory import (an
// import that failed after its commit) are matched and recomputed, in bounded pages. The leader runs it periodically.
import { endOfTurn } from '../../../../common/clock.js';
import type { Logger } from '../../logging.js';
import type { VulnerabilityStore } from '../../store/vulnerability-store.js';
import type { Recomputer } from './recompute.js';

/** Devices recomputed per page (one serial recompute each: uploads and imports queue between pages). */
export const STALE_PAGE = 100;
/** Pages per sweep run: at most 5,000 devices a run; the next run goes on where the stale ones remain. */
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
  const { lastImportAt } = await store.advisoryStats();
  let after: string | undefined;
  let devices = 0;
  for (let page = 0; page < maxPages; page++) {
    const ids = await store.staleExposures({ limit: pageSize, lastImportAt, ...(after === undefined ? {} : { after }) });
    if (ids.length === 0) break;
    devices += await recomputer.serial(async () => {
      const held = await Promise.all(ids.map((id) => store.getDeviceSoftware(id)));
      const packageIds = [...new Set(held.flatMap((s) => s?.packageIds ?? []))];
      // Packages never matched, or matched before the last import (its recompute may not have finished).
      const stale = await store.unevaluatedPackages(packageIds, lastImportAt ?? undefined);
      if (stale.length > 0) await recomputer.matchPackages(await store.packagesByIds(stale));
      return recomputer.recomputeDevices(ids);
    });
    after = ids[ids.length - 1];
    if (ids.length < pageSize) break;
    await endOfTurn();
  }
  if (devices > 0) deps.logger.info('stale exposure recomputed', { devices });
  return devices;
}
