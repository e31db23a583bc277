// How stored advisories and recommendation rows are shown: CVE ids of an advisory, an advisory's summary and detail,
// and a recommendation reduced from its store row (highest fixed version, CVE count, highest severity).
import type { AdvisoryDetail, AdvisorySummary, Recommendation, VulnerabilitySeverity } from '../../../../policy-schemas/src/index.js';
import type { NormalizedAdvisory } from '../../advisories/model.js';
import type { RecommendationRow, StoredAdvisory, VulnerabilityStore } from '../../store/vulnerability-store.js';
import { SEVERITY_RANK } from './matching/exposure.js';
import { fixedVersionScheme, recommendationTitle, recommendedVersion } from './matching/recommendations.js';

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

/** CVE ids among an advisory's id and aliases (its id first when it is one), at most 50. */
export function cveIdsOf(advisory: Pick<NormalizedAdvisory, 'id' | 'aliases'>): string[] {
  return [...new Set([advisory.id, ...advisory.aliases].filter((id) => CVE_ID.test(id)))].slice(0, 50);
}

/** The most severe of these (unknown when empty). */
export function highestSeverity(severities: readonly VulnerabilitySeverity[]): VulnerabilitySeverity {
  return severities.reduce<VulnerabilitySeverity>((a, b) => (SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a), severities.length === 0 ? 'unknown' : 'none');
}

export function advisorySummary(stored: StoredAdvisory, exposedDevices: number): AdvisorySummary {
  const a = stored.advisory;
  return {
    advisoryId: a.id,
    cveIds: cveIdsOf(a),
    severity: a.severity.level,
    cvssScore: a.severity.cvssScore ?? null,
    summary: a.summary,
    exposedDevices,
    published: a.published ?? null,
  };
}

export function advisoryDetail(stored: StoredAdvisory, exposedDevices: number): AdvisoryDetail {
  const a = stored.advisory;
  return {
    advisoryId: a.id,
    source: a.source,
    aliases: a.aliases.slice(0, 200),
    cveIds: cveIdsOf(a),
    modified: a.modified,
    published: a.published ?? null,
    importedAt: stored.importedAt,
    summary: a.summary,
    severity: a.severity.level,
    cvssScore: a.severity.cvssScore ?? null,
    cvssVector: a.severity.cvssVector ?? null,
    affected: [...a.affected].slice(0, 10_000),
    exposedDevices,
  };
}

/** Reads advisories once per view (a page of recommendations shares many). */
export class AdvisoryMemo {
  private readonly held = new Map<string, StoredAdvisory | null>();

  constructor(private readonly store: VulnerabilityStore) {}

  async get(advisoryId: string): Promise<StoredAdvisory | undefined> {
    if (!this.held.has(advisoryId)) this.held.set(advisoryId, (await this.store.getAdvisory(advisoryId)) ?? null);
    return this.held.get(advisoryId) ?? undefined;
  }
}

/** One store row as the API's Recommendation (`openTasks` from the task store's hook). */
export async function toRecommendation(row: RecommendationRow, memo: AdvisoryMemo, openTasks: number): Promise<Recommendation> {
  const fixedVersion = recommendedVersion(fixedVersionScheme(row.ecosystem, row.scheme), row.fixedVersions);
  const cves = new Set<string>();
  for (const id of row.advisoryIds) {
    const stored = await memo.get(id);
    for (const cve of stored ? cveIdsOf(stored.advisory) : cveIdsOf({ id, aliases: [] })) cves.add(cve);
  }
  return {
    recommendationId: row.recommendationId,
    title: recommendationTitle(row.matchedName, fixedVersion),
    software: row.matchedName,
    vendor: row.vendor,
    ecosystem: row.ecosystem,
    fixedVersion,
    exposedDevices: row.exposedDevices,
    advisories: row.advisoryIds.length,
    cves: cves.size,
    highestSeverity: highestSeverity(row.severities),
    highestCvss: row.highestCvss,
    installedVersions: row.installedVersions.slice(0, 20).map((v) => ({ version: v.version, devices: v.devices })),
    openTasks,
  };
}
