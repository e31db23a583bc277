// Human-readable output of the agent CLI: a sync outcome as a per-setting table.
import type { SyncOutcome } from '../../../policy-schemas/src/index.js';

function show(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value);
}

/** Renders policies and settings of one sync outcome as aligned text. */
export function renderOutcome(outcome: SyncOutcome): string {
  const lines = [`last sync: ${outcome.finishedAt} (${outcome.trigger}, policies from ${outcome.source})`];
  if (outcome.error) lines.push(`sync error: ${outcome.error.code}: ${outcome.error.message}`);
  lines.push('', `${'POLICY'.padEnd(40)}VERSION  STATE`);
  for (const p of outcome.policies) lines.push(`${p.name.slice(0, 38).padEnd(40)}${String(p.version).padEnd(9)}${p.state}`);
  lines.push('', `${'SETTING'.padEnd(56)}${'STATE'.padEnd(15)}${'DESIRED'.padEnd(16)}${'OBSERVED'.padEnd(16)}DETAIL`);
  for (const s of outcome.settings) {
    const detail = s.code ? `${s.code}: ${s.message ?? ''}` : '';
    lines.push(`${s.settingId.padEnd(56)}${s.state.padEnd(15)}${show(s.desired).slice(0, 15).padEnd(16)}${show(s.observed).slice(0, 15).padEnd(16)}${detail}`);
  }
  return lines.join('\n');
}
