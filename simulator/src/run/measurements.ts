// Measurements taken once at the end of a run: per-host footprint of the fleet processes, and the endpoint's view of
// the fleet's compliance and risk.
import type { AdminApi } from '../endpoint/admin-api.js';
import type { FootprintResult } from '../fleet/protocol.js';
import type { RunResults } from './results.js';

/** Per-host memory and idle CPU from the fleet processes' measurements. */
export function footprint(
  results: readonly FootprintResult[],
  idleSeconds: number,
): Partial<Pick<RunResults['fleet'], 'bytesPerHost' | 'heapBytesPerHost' | 'stateBytesPerHost' | 'idleCpuPercentPerHost'>> {
  const hosts = results.reduce((n, r) => n + r.hosts, 0);
  if (hosts === 0) return {};
  const rss = results.reduce((n, r) => n + (r.rss - r.baselineRss), 0);
  const heap = results.reduce((n, r) => n + (r.heapUsed - r.baselineHeap), 0);
  const state = results.reduce((n, r) => n + r.stateChars, 0);
  const idle = results.filter((r) => r.idleMs > 0);
  const cpuShare = idleSeconds > 0 && idle.length > 0 ? idle.reduce((n, r) => n + r.idleCpuMicros / 1000 / r.idleMs, 0) : undefined;
  return {
    bytesPerHost: rss / hosts,
    heapBytesPerHost: heap / hosts,
    stateBytesPerHost: state / hosts,
    ...(cpuShare === undefined ? {} : { idleCpuPercentPerHost: (cpuShare * 100) / hosts }),
  };
}

/** Hosts of this run per compliance state and per risk level, from the endpoint's overview (undefined: no such route). */
export async function complianceCounts(
  admin: AdminApi,
  hostOfDevice: ReadonlyMap<string, number>,
): Promise<{ states: Record<string, number>; riskLevels: Record<string, number> } | undefined> {
  const overview = await admin.complianceOverview().catch(() => undefined);
  if (!overview) return undefined;
  const states: Record<string, number> = {};
  const riskLevels: Record<string, number> = {};
  for (const d of overview.devices) {
    if (!hostOfDevice.has(d.deviceId)) continue;
    states[d.complianceState] = (states[d.complianceState] ?? 0) + 1;
    riskLevels[d.riskLevel] = (riskLevels[d.riskLevel] ?? 0) + 1;
  }
  return { states, riskLevels };
}

/** Hosts of this run per vulnerability exposure level (`unknown`: no exposure computed); undefined without the route. */
export async function exposureCounts(admin: AdminApi, hostOfDevice: ReadonlyMap<string, number>): Promise<Record<string, number> | undefined> {
  const exposures = await admin.exposures().catch(() => undefined);
  if (!exposures) return undefined;
  const counts: Record<string, number> = {};
  const seen = new Set<string>();
  for (const d of exposures) {
    if (!hostOfDevice.has(d.deviceId) || seen.has(d.deviceId)) continue;
    seen.add(d.deviceId);
    counts[d.level] = (counts[d.level] ?? 0) + 1;
  }
  const unknown = hostOfDevice.size - seen.size;
  if (unknown > 0) counts.unknown = unknown;
  return counts;
}
