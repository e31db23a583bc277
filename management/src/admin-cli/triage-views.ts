// Human views of alert triage for the admin CLI: one alert with its triage, effect and comments, and the suppression
// rules. Every string from the endpoint goes through renderTable/renderFields (untrusted text escaped).
import type { AlertTriageView, SuppressionRule } from '../../../policy-schemas/src/index.js';
import { renderFields, renderTable } from './table.js';

/** One alert with its triage and comments ("Comments and history"). */
export function alertTriageView(v: AlertTriageView): string {
  const t = v.triage;
  const head = renderFields([
    ['device', v.deviceId],
    ['alert', v.alert.alertId],
    ['title', v.alert.title],
    ['severity', v.alert.severity],
    ['agent status', v.alert.status],
    ['effect', v.suppressedBy ? `${v.effect} (rule ${v.suppressedBy})` : v.effect],
    ['first seen', v.alert.firstSeen],
    ['last seen', v.alert.lastSeen],
    ['triage', t ? t.status : 'new'],
    ['classification', t?.classification ? `${t.classification}${t.determination ? ` / ${t.determination}` : ''}` : '-'],
    ['assigned to', t?.assignedTo ?? '-'],
    ['resolved', t?.resolvedAt ? `${t.resolvedAt} by ${t.resolvedBy ?? '?'}` : '-'],
  ]);
  return `${head}\n${renderTable(
    ['AT', 'AUTHOR', 'COMMENT'],
    v.comments.map((c) => [c.at, c.author, c.text]),
  )}`;
}

/** The suppression rules, with whether each is still in force at `nowIso`. */
export function suppressionRulesTable(rules: readonly SuppressionRule[], nowIso: string): string {
  return renderTable(
    ['RULE', 'SCOPE', 'DEVICE', 'ALERT', 'EXPIRES', 'CREATED BY', 'COMMENT'],
    rules.map((r) => [
      r.ruleId,
      r.scope,
      r.deviceId ?? '(all devices)',
      r.alertId,
      r.expiresAt === null ? 'never' : r.expiresAt > nowIso ? r.expiresAt : `${r.expiresAt} (expired)`,
      r.createdBy,
      r.comment,
    ]),
  );
}
