// Human output of the console read commands: the paged device table (with compliance, risk and policy state) and the
// dashboard counts. Every value goes through table.ts (escaped for the terminal).
import type { Dashboard, DeviceListItem } from '../../../policy-schemas/src/index.js';
import { renderTable } from './table.js';

/** Devices of a filtered listing, one per line. */
export function deviceItemsTable(devices: readonly DeviceListItem[]): string {
  return renderTable(
    ['DEVICE ID', 'HOSTNAME', 'PLATFORM', 'COMPLIANCE', 'RISK', 'POLICIES', 'CONNECTED', 'LAST SEEN'],
    devices.map((d) => [
      d.deviceId,
      d.hostname,
      d.platform,
      d.complianceState,
      d.riskLevel,
      d.policyStatus,
      d.revoked ? 'revoked' : d.connected ? 'yes' : 'no',
      d.lastSeenAt ?? 'never',
    ]),
  );
}

/** The dashboard: totals, then one small table per breakdown. */
export function dashboardView(d: Dashboard): string {
  const section = (title: string, counts: Readonly<Record<string, number>>) =>
    `\n${title}\n${renderTable(
      ['VALUE', 'DEVICES'],
      Object.entries(counts).map(([k, n]) => [k, String(n)]),
    )}`;
  const t = d.totals;
  return [
    `devices: ${t.devices} (active ${t.active}, revoked ${t.revoked}, connected ${t.connected}) at ${d.generatedAt}\n`,
    section('COMPLIANCE', d.complianceState),
    section('RISK', d.riskLevel),
    section('PLATFORM', d.platform),
    section('LAST CHECK-IN', d.lastCheckIn),
    section('POLICY STATUS', d.policyStatus),
  ].join('');
}
