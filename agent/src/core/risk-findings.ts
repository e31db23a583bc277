// What the device's observations say is wrong, as findings (would-be alerts): posture from health and from the sync
// engine's history, threats from the antivirus, and custom indicator matches. Pure; ids are stable for the same
// condition, so repeated observations update one alert.
//
// Severities (decided here, documented in agent/README.md). MDE derives risk from alerts and keeps posture gaps in a
// separate exposure score, and compliance can require RTP, firewall and fresh signatures on its own, so posture
// stays at medium or below except an antivirus that does not run at all:
//   posture.antivirusOff            high    the antivirus is not running at all (MDE avMode "disabled")
//   posture.realTimeProtectionOff   medium  AV active (not passive) but real-time protection off
//   posture.firewallOff             medium  the host firewall (any Windows profile) is off
//   posture.signaturesOutOfDate     low     signatures older than signatureMaxAgeHours (an exposure, not an attack)
//   posture.tamper.<settingId>      medium  a managed setting was changed behind the agent's back and repaired;
//                                            active for tamperAlertHours after the last repair
//   posture.applyErrors             low     settings failing to apply in applyErrorSyncs consecutive syncs
//   threat.<source>.<threatId>      the antivirus' severity (Defender: Low/Moderate/High/Severe → low/medium/high/high)
//   indicator.<digest>              the indicator's severity, else high for block/blockAndRemediate and medium for
//                                    audit/warn (allowed never alerts; generateAlert false blocks without an alert)
import type { AlertScope, AlertSeverity, AntivirusHealth, FirewallHealth, TamperRecord } from '../../../policy-schemas/src/index.js';
import type { IndicatorMatch, ObservedConnection, ObservedProcess, RiskIndicator } from './indicator-match.js';
import { enforcementOf, raisesAlert } from './indicator-policy.js';

export type EvidenceValue = string | number | boolean | null;

/** A condition the engine found now; becomes (or keeps) an active alert with the same id. */
export interface Finding {
  readonly alertId: string;
  readonly scope: AlertScope;
  readonly category: 'posture' | 'threat' | 'indicator';
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly evidence: Readonly<Record<string, EvidenceValue>>;
  /** Set for block/blockAndRemediate indicators: what the shell should stop. */
  readonly block?: BlockRequest;
  /** True when the finding only carries a block and raises no alert (an indicator with generateAlert false). */
  readonly silent?: boolean;
}

export type BlockRequest =
  | {
      readonly kind: 'killProcess';
      readonly indicator: RiskIndicator;
      readonly processes: readonly ObservedProcess[];
      /** blockAndRemediate: quarantine the executable once its processes are stopped. */
      readonly quarantine?: boolean;
    }
  | { readonly kind: 'blockConnection'; readonly indicator: RiskIndicator; readonly connections: readonly ObservedConnection[] };

/** An active antivirus detection (unremediated threat). */
export interface ThreatDetection {
  readonly source: 'defender' | 'mdatp' | 'simulated';
  readonly threatId: string;
  readonly name: string;
  readonly severity: AlertSeverity;
  readonly path?: string;
  readonly status?: string;
  readonly detectedAt?: string;
}

/** Hex digest of a text (SHA-256 in the agent); injected because the core does no crypto itself. */
export type Digest = (text: string) => string;

const MAX_EVIDENCE_TEXT = 2048;

/** Trims texts, drops undefined, keeps at most 32 entries (the wire Evidence limits). */
export function evidence(fields: Record<string, EvidenceValue | undefined>): Record<string, EvidenceValue> {
  const out: Record<string, EvidenceValue> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || Object.keys(out).length >= 32) continue;
    out[key.slice(0, 64)] = typeof value === 'string' ? value.slice(0, MAX_EVIDENCE_TEXT) : value;
  }
  return out;
}

function title(text: string): string {
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** An id part as it is when it fits the alert id alphabet, else a digest of it. */
export function idPart(text: string, digest: Digest): string {
  return /^[A-Za-z0-9._:-]{1,100}$/.test(text) ? text : digest(text).slice(0, 32);
}

/** Posture findings from one health reading. Unknown values (null) raise nothing. */
export function healthFindings(health: { readonly antivirus: AntivirusHealth; readonly firewall: FirewallHealth }, signatureMaxAgeHours: number): Finding[] {
  const out: Finding[] = [];
  const av = health.antivirus;
  const avEvidence = { source: av.source, mode: av.mode, realTimeProtection: av.realTimeProtection, detail: av.detail };
  if (av.mode === 'off') {
    out.push({
      alertId: 'posture.antivirusOff',
      scope: 'health',
      category: 'posture',
      severity: 'high',
      title: 'Antivirus is not running',
      evidence: evidence(avEvidence),
    });
  } else if (av.realTimeProtection === false && av.mode !== 'passive') {
    out.push({
      alertId: 'posture.realTimeProtectionOff',
      scope: 'health',
      category: 'posture',
      severity: 'medium',
      title: 'Real-time protection is off',
      evidence: evidence(avEvidence),
    });
  }
  const age = av.signatureAgeHours;
  if (typeof age === 'number' && age > signatureMaxAgeHours) {
    out.push({
      alertId: 'posture.signaturesOutOfDate',
      scope: 'health',
      category: 'posture',
      severity: 'low',
      title: `Antivirus signatures are ${Math.floor(age)} hours old`,
      evidence: evidence({ signatureAgeHours: age, maxAgeHours: signatureMaxAgeHours, signatureVersion: av.signatureVersion }),
    });
  }
  const fw = health.firewall;
  if (fw.enabled === false) {
    const off = Object.entries(fw.profiles ?? {})
      .filter(([, on]) => on === false)
      .map(([name]) => name);
    out.push({
      alertId: 'posture.firewallOff',
      scope: 'health',
      category: 'posture',
      severity: 'medium',
      title: off.length > 0 ? `Firewall is off (${off.join(', ')})` : 'Firewall is off',
      evidence: evidence({ source: fw.source, profilesOff: off.length > 0 ? off.join(', ') : undefined, detail: fw.detail }),
    });
  }
  return out;
}

/** Findings from the sync engine's history: recent tamper repairs, persisting apply errors. */
export function syncFindings(
  tamper: Readonly<Record<string, TamperRecord>>,
  applyErrors: Readonly<Record<string, number>>,
  options: { readonly nowMs: number; readonly tamperAlertMs: number; readonly applyErrorSyncs: number; readonly digest: Digest },
): Finding[] {
  const out: Finding[] = [];
  for (const [settingId, record] of Object.entries(tamper)) {
    if (options.nowMs - record.ms >= options.tamperAlertMs) continue;
    out.push({
      alertId: `posture.tamper.${idPart(settingId, options.digest)}`,
      scope: 'sync',
      category: 'posture',
      severity: 'medium',
      title: title(`Managed setting ${settingId} was changed locally and repaired`),
      evidence: evidence({ settingId, drifted: record.before, enforced: record.after, repairedAt: record.at }),
    });
  }
  const failing = Object.entries(applyErrors)
    .filter(([, n]) => n >= options.applyErrorSyncs)
    .map(([id]) => id)
    .sort();
  if (failing.length > 0) {
    out.push({
      alertId: 'posture.applyErrors',
      scope: 'sync',
      category: 'posture',
      severity: 'low',
      title: title(`${failing.length} managed setting(s) keep failing to apply`),
      evidence: evidence({ settings: failing.join(', '), count: failing.length, consecutiveSyncs: options.applyErrorSyncs }),
    });
  }
  return out;
}

/** One finding per active antivirus detection. */
export function threatFindings(detections: readonly ThreatDetection[], digest: Digest): Finding[] {
  return detections.map((d) => ({
    alertId: `threat.${d.source}.${idPart(d.threatId, digest)}`,
    scope: 'detections' as const,
    category: 'threat' as const,
    severity: d.severity,
    title: title(`Threat detected: ${d.name}`),
    evidence: evidence({ source: d.source, threatId: d.threatId, name: d.name, path: d.path, status: d.status, detectedAt: d.detectedAt }),
  }));
}

function defaultSeverity(indicator: RiskIndicator): AlertSeverity {
  const enforcement = enforcementOf(indicator.action);
  return indicator.severity ?? (enforcement === 'block' || enforcement === 'blockAndRemediate' ? 'high' : 'medium');
}

/** What to stop for a match: processes (and, for blockAndRemediate, their executable) or connections; nothing else. */
function blockOf(m: IndicatorMatch): BlockRequest | undefined {
  const enforcement = enforcementOf(m.indicator.action);
  if (enforcement !== 'block' && enforcement !== 'blockAndRemediate') return undefined;
  if (m.processes.length > 0)
    return { kind: 'killProcess', indicator: m.indicator, processes: m.processes, ...(enforcement === 'blockAndRemediate' ? { quarantine: true } : {}) };
  return { kind: 'blockConnection', indicator: m.indicator, connections: m.connections };
}

/**
 * One finding per indicator match that applies (conflicts already resolved, core/indicator-policy.ts): allowed items
 * raise nothing, block items carry what to stop, items with generateAlert false only carry their block.
 */
export function indicatorFindings(matches: readonly IndicatorMatch[], digest: Digest): Finding[] {
  return matches.flatMap((m): Finding[] => {
    const { indicator } = m;
    const block = blockOf(m);
    const alerts = raisesAlert(indicator);
    if (!alerts && !block) return [];
    const isProcess = m.processes.length > 0;
    const first = m.processes[0];
    const pids = [...m.processes.map((p) => p.pid), ...m.connections.flatMap((c) => (c.pid === undefined ? [] : [c.pid]))];
    const finding: Finding = {
      alertId: `indicator.${digest(`${indicator.type}\u0000${indicator.value}\u0000${m.subject}`).slice(0, 32)}`,
      scope: isProcess ? 'processes' : 'connections',
      category: 'indicator',
      severity: defaultSeverity(indicator),
      title: title(indicator.title ?? `Custom indicator matched: ${indicator.type} ${indicator.value}`),
      evidence: evidence({
        indicatorType: indicator.type,
        indicatorValue: indicator.value,
        indicatorAction: indicator.action,
        processName: first?.name,
        processPath: first?.path,
        sha256: first?.sha256,
        remoteAddress: m.connections[0]?.remoteAddress,
        remotePorts: m.connections.length > 0 ? [...new Set(m.connections.map((c) => c.remotePort))].slice(0, 20).join(', ') : undefined,
        pids: pids.length > 0 ? [...new Set(pids)].slice(0, 20).join(', ') : undefined,
      }),
      ...(block ? { block } : {}),
      ...(alerts ? {} : { silent: true }),
    };
    return [finding];
  });
}
