// Human-readable renderings of admin API objects for the admin CLI (the --json flag prints the objects instead).

import { terminalCell } from '../../../common/terminal-text.js';
import {
  type Device,
  type DeviceStatus,
  type Group,
  type OnboardingPackage,
  type PolicySource,
  type PolicySummary,
  type StoreProblem,
  settingEvidence,
} from '../../../policy-schemas/src/index.js';
import { renderFields, renderTable, show } from './table.js';

/** Policies, one per line. */
export function policiesTable(policies: readonly PolicySummary[]): string {
  return renderTable(
    ['POLICY ID', 'NAME', 'KIND', 'VERSION', 'SETTINGS', 'UPDATED'],
    policies.map((p) => [p.policyId, p.name, p.kind, String(p.latestVersion), String(Object.keys(p.settings).length), p.updatedAt]),
  );
}

/** A policy or compliance policy as the "Imported from Intune" section lists it. */
export interface ImportedItem {
  readonly source?: PolicySource | undefined;
  readonly kind: string;
  readonly id: string;
  readonly name: string;
  readonly version: number;
}

/** A policy as an ImportedItem. */
export const importedPolicy = (p: PolicySummary): ImportedItem => ({ source: p.source, kind: p.kind, id: p.policyId, name: p.name, version: p.latestVersion });

/**
 * Policies imported from Intune, one unit per Intune policy (an Intune policy can produce one policy per kind):
 * the Intune name and id, then each policy it produced. Empty when none was imported.
 */
export function intuneSourcesSection(items: readonly ImportedItem[]): string {
  const bySource = new Map<string, ImportedItem[]>();
  for (const p of items) if (p.source) bySource.set(p.source.id, [...(bySource.get(p.source.id) ?? []), p]);
  if (bySource.size === 0) return '';
  const blocks = [...bySource.values()].map((members) => {
    const s = members[0]?.source;
    const rows = members.map((p) => `  ${p.kind}: ${p.id} "${terminalCell(p.name)}" v${p.version}`);
    return [`Intune policy "${terminalCell(s?.name ?? '')}" (${terminalCell(s?.id ?? '')})`, ...rows].join('\n');
  });
  return `\nImported from Intune\n${blocks.join('\n')}\n`;
}

/** The detail lines naming the Intune policy something was imported from (none when authored here). */
export function sourceFields(source: PolicySource | undefined): (readonly [string, string])[] {
  if (!source) return [];
  return [
    ['intune policy', `${source.name} (${source.id})`],
    ...(source.template ? [['intune template', source.template] as const] : []),
    ...(source.description ? [['intune description', source.description] as const] : []),
  ];
}

/** One policy with its settings. */
export function policyDetails(p: PolicySummary): string {
  const head = renderFields([
    ['policy', p.policyId],
    ['name', p.name],
    ['kind', p.kind],
    ['version', String(p.latestVersion)],
    ...(p.description ? [['description', p.description] as const] : []),
    ...sourceFields(p.source),
    ['created', p.createdAt],
    ['updated', p.updatedAt],
  ]);
  return `${head}\n${renderTable(
    ['SETTING', 'VALUE'],
    Object.entries(p.settings).map(([k, v]) => [k, show(v)]),
  )}`;
}

/** Groups, one per line. */
export function groupsTable(groups: readonly Group[]): string {
  return renderTable(
    ['GROUP ID', 'NAME', 'MEMBERS', 'CREATED'],
    groups.map((g) => [g.groupId, g.name, String(g.memberCount), g.createdAt]),
  );
}

/** Devices, one per line (revoked devices say so in CONNECTED). */
export function devicesTable(devices: readonly Device[]): string {
  return renderTable(
    ['DEVICE ID', 'HOSTNAME', 'PLATFORM', 'AGENT', 'CONNECTED', 'LAST SEEN', 'GROUPS'],
    devices.map((d) => [
      d.deviceId,
      d.hostname,
      d.platform,
      d.agentVersion,
      d.offboardedAt ? 'offboarded' : d.revoked ? 'revoked' : d.connected ? 'yes' : 'no',
      d.lastSeenAt ?? 'never',
      d.groups.join(', ') || '-',
    ]),
  );
}

/** One device's directory record. */
export function deviceDetails(d: Device): string {
  return renderFields([
    ['device', d.deviceId],
    ['hostname', d.hostname],
    ['platform', `${d.platform} ${d.osVersion} (${d.arch}${d.osType ? `, ${d.osType}` : ''})`],
    ['agent', d.agentVersion],
    ['enrolled', d.enrolledAt],
    ['last seen', d.lastSeenAt ?? 'never'],
    ['revoked', d.revoked ? 'yes' : 'no'],
    ...(d.offboardedAt ? [['offboarded', d.offboardedAt] as [string, string]] : []),
    ['connected', d.connected ? 'yes' : 'no'],
    ['groups', d.groups.join(', ') || '-'],
  ]);
}

/** Per-policy and per-setting status, like Intune's per-setting status view. */
export function deviceStatusView(s: DeviceStatus): string {
  const policies = renderTable(
    ['POLICY ID', 'NAME', 'KIND', 'ASSIGNED', 'REPORTED', 'STATE'],
    s.policies.map((p) => [p.policyId, p.name, p.kind, String(p.assignedVersion), p.reportedVersion === null ? '-' : String(p.reportedVersion), p.state]),
  );
  const settings = renderTable(
    ['SETTING', 'STATE', 'DESIRED', 'OBSERVED', 'DETAIL'],
    s.settings.map((x) => [x.settingId, x.state, show(x.desired), show(x.observed), settingEvidence(x) || '-']),
  );
  const syncError = s.lastSyncError ? `\nsync error:  ${s.lastSyncError.code}: ${terminalCell(s.lastSyncError.message)} (last good policy kept)` : '';
  return `device:      ${s.deviceId}\nlast report: ${s.lastReportAt ?? 'never'}${syncError}\n\nPolicies\n${policies}\nSettings\n${settings}`;
}

/** Summary of a written onboarding package (never the token itself). */
export function onboardingSummary(pkg: OnboardingPackage, file: string): string {
  return renderFields([
    ['written to', file],
    ['endpoint', pkg.endpointUrl],
    ...(pkg.alternateEndpointUrls?.length ? [['alternate URLs', pkg.alternateEndpointUrls.join(', ')] as [string, string]] : []),
    ['tenant', pkg.tenantId],
    ['CA pin', pkg.caPin],
    ['expires', pkg.expiresAt],
  ]);
}

/**
 * The stored rows a list left out because the endpoint could not read them (STORE_CORRUPT), with what to do; empty
 * when there are none.
 */
export function problemsFooter(problems: readonly StoreProblem[]): string {
  if (problems.length === 0) return '';
  const lines = problems.map((p) => `  ${terminalCell(p.table)} ${terminalCell(p.id)}: ${terminalCell(p.message)}`);
  return `\n${problems.length} stored ${problems.length === 1 ? 'row' : 'rows'} could not be read and ${problems.length === 1 ? 'is' : 'are'} left out (repair with a new version, or delete):\n${lines.join('\n')}\n`;
}
