// A device's exposure from its findings (docs/vulnerabilities.md "Exposure score"): score = min(100, Σ over distinct
// advisories of the severity's weight), level by Defender's bands. Pure.
import type { ExposureLevel, SeverityCounts, VulnerabilitySeverity } from '../../../../../policy-schemas/src/index.js';

/** Weight of one distinct advisory by severity: one critical alone makes a device highly exposed, one high medium. */
export const SEVERITY_WEIGHTS: Readonly<Record<VulnerabilitySeverity, number>> = {
  critical: 70,
  high: 30,
  medium: 10,
  low: 3,
  unknown: 10,
  none: 0,
};

/** Order of severities, most severe first (sorting findings, a recommendation's highest severity). */
export const SEVERITY_RANK: Readonly<Record<VulnerabilitySeverity, number>> = { critical: 5, high: 4, medium: 3, low: 2, unknown: 1, none: 0 };

/** The level of a score: no finding → none; 0–29 low, 30–69 medium, 70–100 high. */
export function exposureLevel(score: number, findings: number): ExposureLevel {
  if (findings === 0) return 'none';
  if (score >= 70) return 'high';
  if (score >= 30) return 'medium';
  return 'low';
}

/** One finding as the score reads it. */
export interface ScoredFinding {
  readonly packageId: number;
  readonly advisoryId: string;
  readonly severity: VulnerabilitySeverity;
}

export interface ExposureFigures {
  readonly score: number;
  readonly level: ExposureLevel;
  readonly findings: number;
  readonly advisories: number;
  /** Findings by severity (`none` is not counted). */
  readonly bySeverity: SeverityCounts;
  readonly vulnerableSoftware: number;
}

/** Score, level and counts of a device's findings (an advisory found in two packages weighs once). */
export function computeExposure(findings: readonly ScoredFinding[]): ExposureFigures {
  const advisories = new Map<string, VulnerabilitySeverity>();
  const bySeverity = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
  for (const f of findings) {
    advisories.set(f.advisoryId, f.severity);
    if (f.severity !== 'none') bySeverity[f.severity]++;
  }
  let sum = 0;
  for (const severity of advisories.values()) sum += SEVERITY_WEIGHTS[severity];
  const score = Math.min(100, sum);
  return {
    score,
    level: exposureLevel(score, findings.length),
    findings: findings.length,
    advisories: advisories.size,
    bySeverity,
    vulnerableSoftware: new Set(findings.map((f) => f.packageId)).size,
  };
}
