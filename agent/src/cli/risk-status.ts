// `agent status`: the risk part — risk level, active alerts, health summary — from signals.json, as JSON and as text.
import { terminalCell as cell } from '../../../common/terminal-text.js';
import type { AgentSignalsState, Alert, RiskLevel } from '../../../policy-schemas/src/index.js';

export interface RiskSummary {
  readonly riskLevel: RiskLevel;
  readonly updatedAt: string;
  readonly activeAlerts: readonly Pick<Alert, 'alertId' | 'category' | 'severity' | 'title' | 'firstSeen' | 'lastSeen' | 'action'>[];
  readonly health: {
    readonly collectedAt: string;
    readonly antivirus: {
      readonly source: string;
      readonly mode: string;
      readonly realTimeProtection: boolean | null;
      readonly signatureAgeHours: number | null;
    };
    readonly firewall: { readonly source: string; readonly enabled: boolean | null };
  } | null;
  readonly inventoryHash: string | null;
}

export function riskSummary(state: AgentSignalsState): RiskSummary {
  const h = state.health;
  return {
    riskLevel: state.riskLevel,
    updatedAt: state.updatedAt,
    activeAlerts: state.alerts
      .filter((t) => t.alert.status === 'active')
      .map(({ alert: { alertId, category, severity, title, firstSeen, lastSeen, action } }) => ({
        alertId,
        category,
        severity,
        title,
        firstSeen,
        lastSeen,
        ...(action ? { action } : {}),
      })),
    health: h
      ? {
          collectedAt: h.collectedAt,
          antivirus: {
            source: h.antivirus.source,
            mode: h.antivirus.mode,
            realTimeProtection: h.antivirus.realTimeProtection,
            signatureAgeHours: h.antivirus.signatureAgeHours ?? null,
          },
          firewall: { source: h.firewall.source, enabled: h.firewall.enabled },
        }
      : null,
    inventoryHash: state.inventoryHash ?? null,
  };
}

const onOff = (v: boolean | null) => (v === null ? 'unknown' : v ? 'on' : 'off');

export function renderRisk(summary: RiskSummary): string {
  const lines = [`risk level: ${summary.riskLevel} (checked ${summary.updatedAt})`];
  const h = summary.health;
  if (h) {
    const age = h.antivirus.signatureAgeHours === null ? 'unknown' : `${h.antivirus.signatureAgeHours} h`;
    lines.push(
      `antivirus: ${cell(h.antivirus.source)} ${cell(h.antivirus.mode)}, real-time protection ${onOff(h.antivirus.realTimeProtection)}, signatures ${age} old`,
      `firewall: ${cell(h.firewall.source)} ${onOff(h.firewall.enabled)}`,
    );
  }
  if (summary.activeAlerts.length === 0) lines.push('no active alerts');
  for (const a of summary.activeAlerts) {
    const action = a.action ? ` [${a.action.type}${a.action.ok ? '' : ' failed'}]` : '';
    lines.push(`${a.severity.padEnd(14)}${cell(a.title)}${action} (${cell(a.alertId)}, since ${a.firstSeen})`);
  }
  return lines.join('\n');
}
