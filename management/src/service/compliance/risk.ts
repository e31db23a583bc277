// Machine risk, pure: the level is the highest severity among the device's active alerts (`none` without any), as MDE
// derives riskScore from active alerts (mde-domain.md §4.1); and whether a level is within a compliance maximum.
import type { Alert, ComplianceRiskLevel, RiskLevel } from '../../../../policy-schemas/src/index.js';

/** Order of risk levels, lowest first. */
export const RISK_RANK: Readonly<Record<RiskLevel, number>> = { none: 0, informational: 1, low: 2, medium: 3, high: 4 };

// Highest level each compliance maximum allows. `clear` is MDE's "Secure": no active alert, not even informational.
const MAX_ALLOWED: Readonly<Record<ComplianceRiskLevel, RiskLevel>> = { clear: 'none', low: 'low', medium: 'medium', high: 'high' };

/** The device's risk level from its alerts: highest severity among the active ones, `none` when none is active. */
export function riskLevelOf(alerts: readonly Pick<Alert, 'severity' | 'status'>[]): RiskLevel {
  let level: RiskLevel = 'none';
  for (const a of alerts) if (a.status === 'active' && RISK_RANK[a.severity] > RISK_RANK[level]) level = a.severity;
  return level;
}

/** True when `level` is at or under the compliance maximum (Intune "at or under the machine risk score"). */
export function riskWithin(level: RiskLevel, max: ComplianceRiskLevel): boolean {
  return RISK_RANK[level] <= RISK_RANK[MAX_ALLOWED[max]];
}

/** Active alerts, highest severity first, then most recently seen (what a reason names first). */
export function activeBySeverity<T extends Pick<Alert, 'severity' | 'status' | 'lastSeen'>>(alerts: readonly T[]): T[] {
  return alerts.filter((a) => a.status === 'active').sort((a, b) => RISK_RANK[b.severity] - RISK_RANK[a.severity] || b.lastSeen.localeCompare(a.lastSeen));
}
