// Human-readable renderings of the targeting, what-if, policy status and event answers for the admin CLI.

import { terminalCell } from '../../../common/terminal-text.js';
import type { DeviceEvents, DynamicGroupRule, DynamicRuleCondition, PolicyStatusReport, WhatIfResponse } from '../../../policy-schemas/src/index.js';
import { renderTable, show } from './table.js';

/** Intune-style policy report: device states, then per-setting counts. */
export function policyStatusView(r: PolicyStatusReport): string {
  const c = r.counts;
  const head = `policy:  ${r.policyId} (${terminalCell(r.name)}, ${r.kind}, version ${r.latestVersion})\ndevices: ${c.succeeded} succeeded, ${c.error} error, ${c.conflict} conflict, ${c.notApplicable} not applicable, ${c.pending} pending\n`;
  const devices = renderTable(
    ['DEVICE ID', 'HOSTNAME', 'PLATFORM', 'REPORTED', 'STATE', 'LAST REPORT'],
    r.devices.map((d) => [
      d.deviceId,
      d.hostname,
      d.platform,
      d.reportedVersion === null ? '-' : String(d.reportedVersion),
      d.state,
      d.lastReportAt ?? 'never',
    ]),
  );
  const settings = renderTable(
    ['SETTING', 'SUCCEEDED', 'ERROR', 'CONFLICT', 'N/A', 'PENDING'],
    r.settings.map((s) => [s.settingId, String(s.succeeded), String(s.error), String(s.conflict), String(s.notApplicable), String(s.pending)]),
  );
  return `${head}\nDevices\n${devices}\nSettings\n${settings}`;
}

/** A device's events, newest first. */
export function deviceEventsView(e: DeviceEvents): string {
  return renderTable(
    ['AT', 'TYPE', 'SETTING / POLICY', 'BEFORE', 'AFTER', 'DETAIL'],
    e.events.map((x) => [x.at, x.type, x.settingId ?? x.policyId ?? '-', show(x.before), show(x.after), [x.code, x.message].filter(Boolean).join(': ') || '-']),
  );
}

/** What a proposed change would do, per affected device. Nothing was stored or pushed. */
export function whatIfView(r: WhatIfResponse): string {
  const parts = [`what-if ${r.change}: ${r.affectedDevices} device(s) affected (nothing stored or pushed)\n`];
  for (const d of r.devices) {
    const rows = [
      ...d.changes.map((c) => ['change', c.settingId, `${show(c.from)} → ${show(c.to)}`]),
      ...d.newConflicts.map((c) => ['conflict', c.settingId, c.policyIds.join(' vs ')]),
      ...d.restored.map((c) => ['restored', c.settingId, `${show(c.from)} → default`]),
      ...d.notApplicable.map((c) => ['not applicable', c.settingId, c.reason]),
    ];
    parts.push(`\n${terminalCell(d.hostname)} (${d.deviceId}, ${d.platform})\n${renderTable(['EFFECT', 'SETTING', 'DETAIL'], rows)}`);
  }
  return parts.join('');
}

/** One rule condition in words, e.g. `os = windowsServer` or `tags contains MDE-Management`. */
export function conditionText(c: DynamicRuleCondition): string {
  switch (c.attribute) {
    case 'platform':
      return `platform = ${c.equals} (any edition)`;
    case 'os':
      return `os = ${c.equals}`;
    case 'osVersion':
      return `osVersion starts with ${JSON.stringify(c.startsWith)}`;
    case 'tags':
      return `tags contains ${terminalCell(c.contains)}`;
    case 'agentVersion':
      return `agentVersion ${c.op} ${c.value}`;
  }
}

/** A dynamic group's rule: whether all or any conditions must hold, then one condition per line. */
export function ruleView(rule: DynamicGroupRule): string {
  return `rule: ${rule.match === 'all' ? 'all of' : 'any of'}\n${rule.conditions.map((c) => `  ${conditionText(c)}\n`).join('')}`;
}
