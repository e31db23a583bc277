// The fleet's vulnerability views (unscoped admins): the dashboard, devices by exposure, recommendations (a page, and
// one with its advisories and devices), and one advisory. Read-only over the store.
import { AttacheError } from '../../../../common/errors.js';
import type {
  AdvisoryDetail,
  DeviceExposureList,
  ExposureLevel,
  Recommendation,
  RecommendationDetail,
  RecommendationList,
  VulnerabilityDashboard,
} from '../../../../policy-schemas/src/index.js';
import type { RecommendationRow, VulnerabilityStore } from '../../store/vulnerability-store.js';
import { AdvisoryMemo, advisoryDetail, advisorySummary, highestSeverity, toRecommendation } from './advisory-views.js';
import type { PageQuery } from './contracts.js';
import { exposureView } from './device-views.js';

/** Open security tasks per recommendation id; HT's task store fills it (absent: 0 everywhere). */
export type OpenTaskCounts = (recommendationIds: readonly string[]) => Promise<ReadonlyMap<string, number>>;

export interface FleetViewDeps {
  readonly store: VulnerabilityStore;
  readonly openTaskCounts?: OpenTaskCounts;
}

const TOP = 10;
const MAX_DETAIL_ADVISORIES = 1000;
/** Devices in a recommendation detail (its schema's maxItems); a task for more names its devices (security-tasks.ts). */
export const MAX_DETAIL_DEVICES = 10_000;
const MAX_INSTALLED = 100;

async function recommendationsOf(deps: FleetViewDeps, rows: readonly RecommendationRow[]): Promise<Recommendation[]> {
  const memo = new AdvisoryMemo(deps.store);
  const open = deps.openTaskCounts && rows.length > 0 ? await deps.openTaskCounts(rows.map((r) => r.recommendationId)) : new Map<string, number>();
  const out: Recommendation[] = [];
  for (const row of rows) out.push(await toRecommendation(row, memo, open.get(row.recommendationId) ?? 0));
  return out;
}

export async function dashboardView(deps: FleetViewDeps): Promise<VulnerabilityDashboard> {
  const { store } = deps;
  const stats = await store.advisoryStats();
  const counts = await store.exposureCounts();
  const rows = (await store.recommendationRows({ limit: TOP })).items;
  const memo = new AdvisoryMemo(store);
  const topAdvisories = [];
  for (const top of await store.topAdvisories(TOP)) {
    const stored = await memo.get(top.advisoryId);
    if (stored) topAdvisories.push(advisorySummary(stored, top.exposedDevices));
  }
  return {
    advisoriesStored: stats.stored,
    lastImportAt: stats.lastImportAt,
    devicesWithSoftware: counts.devicesWithSoftware,
    exposedDevices: counts.byLevel.low + counts.byLevel.medium + counts.byLevel.high,
    byLevel: { ...counts.byLevel },
    topSoftware: rows.map((r) => ({
      software: r.matchedName,
      ecosystem: r.ecosystem,
      exposedDevices: r.exposedDevices,
      advisories: r.advisoryIds.length,
      highestSeverity: highestSeverity(r.severities),
    })),
    topAdvisories,
    topRecommendations: await recommendationsOf(deps, rows),
  };
}

export async function exposuresView(store: VulnerabilityStore, query: PageQuery & { readonly level?: ExposureLevel }): Promise<DeviceExposureList> {
  const page = await store.listExposures(query);
  return { items: page.items.map((e) => exposureView(e, e.deviceName)), nextCursor: page.nextCursor };
}

export async function recommendationsView(
  deps: FleetViewDeps,
  query: PageQuery & { readonly ecosystem?: string; readonly search?: string },
): Promise<RecommendationList> {
  const page = await deps.store.recommendationRows(query);
  return { items: await recommendationsOf(deps, page.items), nextCursor: page.nextCursor };
}

export async function recommendationDetailView(deps: FleetViewDeps, recommendationId: string): Promise<RecommendationDetail> {
  const { store } = deps;
  const row = /^[0-9a-f]{32}$/.test(recommendationId) ? (await store.recommendationRows({ limit: 1, recommendationId })).items[0] : undefined;
  if (!row)
    throw new AttacheError('RECOMMENDATION_NOT_FOUND', `no security recommendation ${JSON.stringify(recommendationId.slice(0, 80))} with exposed devices`);
  const [recommendation] = await recommendationsOf(deps, [row]);
  const memo = new AdvisoryMemo(store);
  const advisoryIds = row.advisoryIds.slice(0, MAX_DETAIL_ADVISORIES);
  const counts = await store.exposedDevicesOfAdvisories(advisoryIds);
  const advisories = [];
  for (const id of advisoryIds) {
    const stored = await memo.get(id);
    if (stored) advisories.push(advisorySummary(stored, counts.get(id) ?? 0));
  }
  // The first MAX_DETAIL_DEVICES by id, levels joined in: recommendation.exposedDevices says how many there are in all.
  const exposed = await store.recommendationDevices(recommendationId, MAX_DETAIL_DEVICES);
  const packages = new Map((await store.packagesByIds([...new Set(exposed.flatMap((d) => d.packageIds))])).map((p) => [p.packageId, p]));
  const devices = exposed.map((d) => {
    const installed = d.packageIds.flatMap((id) => {
      const p = packages.get(id);
      return p ? [{ name: p.name, version: p.version }] : [];
    });
    return { deviceId: d.deviceId, deviceName: d.deviceName, level: d.level, installed: installed.slice(0, MAX_INSTALLED) };
  });
  return { recommendation: recommendation as Recommendation, advisories, devices };
}

export async function advisoryView(store: VulnerabilityStore, advisoryId: string): Promise<AdvisoryDetail> {
  const stored = await store.getAdvisory(advisoryId);
  if (!stored) throw new AttacheError('ADVISORY_NOT_FOUND', `no advisory ${JSON.stringify(advisoryId.slice(0, 200))} is imported`);
  return advisoryDetail(stored, await store.exposedDevicesOfAdvisory(advisoryId));
}
