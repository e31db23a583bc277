// Human-readable output of the agent CLI: a sync outcome as a per-setting table, a dry-run plan as current → desired.
// Names, values and messages come from the endpoint and the host: each goes through `terminalCell` (`cell` here).
import { terminalCell as cell } from '../../../common/terminal-text.js';
import type { SyncOutcome, SyncPlan } from '../../../policy-schemas/src/index.js';

function show(value: unknown): string {
  return value === undefined ? '' : cell(JSON.stringify(value));
}

/** Renders policies and settings of one sync outcome as aligned text. */
export function renderOutcome(outcome: SyncOutcome): string {
  const lines = [`last sync: ${outcome.finishedAt} (${outcome.trigger}, policies from ${outcome.source})`];
  if (outcome.error) lines.push(`sync error: ${outcome.error.code}: ${cell(outcome.error.message)}`);
  lines.push('', `${'POLICY'.padEnd(40)}VERSION  STATE`);
  for (const p of outcome.policies) lines.push(`${cell(p.name).slice(0, 38).padEnd(40)}${String(p.version).padEnd(9)}${p.state}`);
  lines.push('', `${'SETTING'.padEnd(56)}${'STATE'.padEnd(15)}${'DESIRED'.padEnd(16)}${'OBSERVED'.padEnd(16)}DETAIL`);
  for (const s of outcome.settings) {
    const detail = s.code ? `${s.code}: ${cell(s.message ?? '')}` : '';
    lines.push(
      `${cell(s.settingId).padEnd(56)}${s.state.padEnd(15)}${show(s.desired).slice(0, 15).padEnd(16)}${show(s.observed).slice(0, 15).padEnd(16)}${detail}`,
    );
  }
  return lines.join('\n');
}

/** Renders a dry-run plan: per setting current → desired, then conflicts, restores and what does not apply. */
export function renderPlan(plan: SyncPlan): string {
  const by = plan.computedBy === 'daemon' ? 'the running daemon' : 'this command (daemon not running)';
  const changes = plan.settings.filter((s) => s.change).length;
  const lines = [`dry run by ${by} at ${plan.generatedAt}: nothing was changed`];
  if (plan.error) lines.push(`policy error: ${plan.error.code}: ${cell(plan.error.message)}`);
  lines.push(`${plan.policies.length} policies, ${changes} change(s), ${plan.restores.length} restore(s), ${plan.conflicts.length} conflict(s)`, '');
  for (const s of plan.settings) {
    const mark = s.change ? 'change ' : 'ok     ';
    lines.push(`${mark} ${cell(s.settingId)}: ${show(s.current) || '(none)'} → ${show(s.desired)}`);
  }
  for (const c of plan.conflicts) lines.push(`conflict ${cell(c.settingId)} (policies ${cell(c.policyIds.join(', '))}): ${cell(c.message)}`);
  for (const r of plan.restores)
    lines.push(`restore ${cell(r.settingId)}: ${show(r.current) || '(none)'} → ${r.remove ? '(remove, OS default)' : show(r.restoreTo)}`);
  for (const n of plan.notApplicable) lines.push(`notApplicable ${cell(n.settingId)}: ${cell(n.message)}`);
  return lines.join('\n');
}
