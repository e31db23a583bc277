// Human-readable renderings of signals, compliance and access objects for the admin CLI (--json prints the objects).

import { terminalCell } from '../../../common/terminal-text.js';
import type {
  AccessDecision,
  AccessToken,
  ComplianceAssignment,
  ComplianceOverview,
  CompliancePolicy,
  DeviceAlerts,
  DeviceCompliance,
  DeviceHealthView,
  DeviceInventoryView,
} from '../../../policy-schemas/src/index.js';
import { renderFields, renderTable, show } from './table.js';
import { type ImportedItem, sourceFields } from './views.js';

const onOff = (value: boolean | null | undefined) => (value === true ? 'on' : value === false ? 'off' : 'unknown');

/** The risk level and the alerts of a device. */
export function deviceAlertsView(a: DeviceAlerts): string {
  const claimed = a.agentRiskLevel !== null && a.agentRiskLevel !== a.riskLevel ? ` (agent claims ${a.agentRiskLevel})` : '';
  const head = renderFields([
    ['device', a.deviceId],
    ['risk level', `${a.riskLevel}${claimed}`],
    ['active alerts', String(a.activeCount)],
    ['last report', a.lastAlertReportAt ?? 'never'],
  ]);
  const rows = a.alerts.map((x) => [
    x.alertId,
    x.severity,
    x.status,
    x.effect,
    x.title,
    x.lastSeen,
    x.action ? `${x.action.type}${x.action.ok ? '' : ' (failed)'}` : '-',
  ]);
  return `${head}\n${renderTable(['ALERT', 'SEVERITY', 'STATUS', 'EFFECT', 'TITLE', 'LAST SEEN', 'ACTION'], rows)}`;
}

/** The latest health of a device. */
export function deviceHealthView(h: DeviceHealthView): string {
  if (!h.health) return `device:   ${h.deviceId}\nhealth:   none reported yet\n`;
  const av = h.health.antivirus;
  const fw = h.health.firewall;
  const profiles = fw.profiles
    ? ` (${Object.entries(fw.profiles)
        .map(([p, on]) => `${p} ${onOff(on)}`)
        .join(', ')})`
    : '';
  return renderFields([
    ['device', h.deviceId],
    ['collected', h.health.collectedAt],
    ['received', h.receivedAt ?? '-'],
    ['antivirus', `${av.source}, mode ${av.mode}`],
    ['real-time protection', onOff(av.realTimeProtection)],
    ['tamper protection', onOff(av.tamperProtection)],
    ['engine / platform', `${av.engineVersion ?? '-'} / ${av.platformVersion ?? '-'}`],
    ['signatures', `${av.signatureVersion ?? '-'}${typeof av.signatureAgeHours === 'number' ? ` (${av.signatureAgeHours} h old)` : ''}`],
    ['last quick / full scan', `${av.lastQuickScanAt ?? '-'} / ${av.lastFullScanAt ?? '-'}`],
    ...(av.detail ? [['antivirus detail', av.detail] as const] : []),
    ['firewall', `${fw.source}: ${onOff(fw.enabled)}${profiles}`],
    ...(fw.detail ? [['firewall detail', fw.detail] as const] : []),
  ]);
}

/** The latest inventory of a device. */
export function deviceInventoryView(v: DeviceInventoryView): string {
  const inv = v.inventory;
  if (!inv) return `device:    ${v.deviceId}\ninventory: none reported yet\n`;
  const os = [inv.os.platform, inv.os.distro, inv.os.release, inv.os.build && `build ${inv.os.build}`, inv.os.kernel && `kernel ${inv.os.kernel}`]
    .filter(Boolean)
    .join(' ');
  const hw = inv.hardware;
  const head = renderFields([
    ['device', v.deviceId],
    ['collected', inv.collectedAt],
    ['hostname', inv.hostname],
    ['os', `${os} (${inv.os.arch})`],
    ['agent', inv.agentVersion],
    ['hardware', [hw.manufacturer, hw.model].filter(Boolean).join(' ') || '-'],
    ['serial', hw.serial ?? '-'],
    ['cpu', hw.cpu ?? '-'],
    ['memory', hw.memoryBytes === undefined ? '-' : `${Math.round(hw.memoryBytes / 2 ** 20)} MiB`],
    ['disk encryption', `${inv.diskEncryption.state}${inv.diskEncryption.method ? ` (${inv.diskEncryption.method})` : ''}`],
  ]);
  return `${head}\n${renderTable(
    ['INTERFACE', 'MAC', 'ADDRESSES'],
    inv.network.map((n) => [n.iface, n.mac ?? '-', n.addresses.join(', ') || '-']),
  )}`;
}

/** Compliance policies, one per line. */
export function compliancePoliciesTable(policies: readonly CompliancePolicy[]): string {
  return renderTable(
    ['POLICY ID', 'NAME', 'VERSION', 'GRACE H', 'SETTINGS'],
    policies.map((p) => [p.compliancePolicyId, p.name, String(p.version), String(p.gracePeriodHours), settingsText(p)]),
  );
}

/** A compliance policy as the "Imported from Intune" section lists it. */
export const importedCompliance = (p: CompliancePolicy): ImportedItem => ({
  source: p.source,
  kind: 'compliance',
  id: p.compliancePolicyId,
  name: p.name,
  version: p.version,
});

function settingsText(p: CompliancePolicy): string {
  return Object.entries(p.settings)
    .map(([k, v]) => `${k}=${show(v)}`)
    .join(' ');
}

/** One compliance policy. */
export function compliancePolicyDetails(p: CompliancePolicy): string {
  return renderFields([
    ['compliance policy', p.compliancePolicyId],
    ['name', p.name],
    ...(p.description ? [['description', p.description] as const] : []),
    ['version', String(p.version)],
    ['grace period', `${p.gracePeriodHours} h`],
    ...sourceFields(p.source),
    ['settings', settingsText(p) || '(none)'],
    ['updated', p.updatedAt],
  ]);
}

/** Compliance assignments, one per line. */
export function complianceAssignmentsTable(list: readonly ComplianceAssignment[]): string {
  return renderTable(
    ['ASSIGNMENT ID', 'POLICY ID', 'GROUP ID', 'MODE', 'CREATED'],
    list.map((a) => [a.assignmentId, a.compliancePolicyId, a.groupId, a.mode, a.createdAt]),
  );
}

/** A device's compliance with reasons, per-policy results and transitions. */
export function deviceComplianceView(c: DeviceCompliance): string {
  const head = renderFields([
    ['device', c.deviceId],
    ['compliance', c.state],
    ['access', c.decision],
    ['risk level', c.riskLevel],
    ['evaluated', c.evaluatedAt],
    ['evidence', c.evidenceAt ?? '-'],
    ['next check', c.nextEvaluationAt ?? '-'],
  ]);
  const reasons = c.reasons.length === 0 ? '(none)\n' : `${c.reasons.map((r) => `- [${r.result}] ${terminalCell(r.message)}`).join('\n')}\n`;
  const policies = renderTable(
    ['POLICY ID', 'NAME', 'VERSION', 'STATE', 'NONCOMPLIANT SINCE', 'GRACE ENDS'],
    c.policies.map((p) => [p.compliancePolicyId, p.name, String(p.version), p.state, p.noncompliantSince ?? '-', p.graceEndsAt ?? '-']),
  );
  const transitions = renderTable(
    ['AT', 'FROM', 'TO', 'REASONS'],
    c.transitions.map((x) => [x.at, x.from ?? '-', x.to, x.reasons.join('; ') || '-']),
  );
  return `${head}\nReasons\n${reasons}\nPolicies\n${policies}\nTransitions (newest first)\n${transitions}`;
}

/** An access decision as a gateway would get it. */
export function accessDecisionView(d: AccessDecision): string {
  const head = renderFields([
    ['device', d.deviceId],
    ['decision', d.decision.toUpperCase()],
    ['compliance', d.complianceState],
    ['risk level', d.riskLevel],
    ['evidence', d.evidenceAt ?? '-'],
    ['evaluated', d.evaluatedAt],
  ]);
  return `${head}${d.reasons.map((r) => `- ${terminalCell(r)}\n`).join('')}`;
}

/** Access tokens, one per line (never the token). */
export function accessTokensTable(tokens: readonly AccessToken[]): string {
  return renderTable(
    ['TOKEN ID', 'DESCRIPTION', 'CREATED', 'REVOKED'],
    tokens.map((x) => [x.tokenId, x.description ?? '-', x.createdAt, x.revokedAt ?? '-']),
  );
}

/** Every device's decision, one per line. */
export function complianceOverviewTable(o: ComplianceOverview): string {
  return renderTable(
    ['DEVICE ID', 'HOSTNAME', 'PLATFORM', 'RISK', 'COMPLIANCE', 'ACCESS', 'FIRST REASON'],
    o.devices.map((d) => [d.deviceId, d.hostname, d.platform, d.riskLevel, d.complianceState, d.decision, d.firstReason ?? '-']),
  );
}
