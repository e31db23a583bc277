// A device's exposure as compliance reads it (contracts.ts ExposureSummary): the stored exposure with the receipt time
// of the software behind it and the last advisory import, so the check can refuse to trust old data (review18 M7).
import type { VulnerabilityStore } from '../../store/vulnerability-store.js';
import type { ExposureSummary } from './contracts.js';

/** Null without a computed exposure. */
export async function exposureSummary(
  store: Pick<VulnerabilityStore, 'getExposure' | 'getDeviceSoftware' | 'lastImportAt'>,
  deviceId: string,
): Promise<ExposureSummary | null> {
  const e = await store.getExposure(deviceId);
  if (!e) return null;
  const software = await store.getDeviceSoftware(deviceId);
  return {
    level: e.level,
    score: e.score,
    computedAt: e.computedAt,
    softwareReceivedAt: software?.receivedAt ?? null,
    lastImportAt: await store.lastImportAt(),
  };
}
