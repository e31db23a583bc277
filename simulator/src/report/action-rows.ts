// The response-action rows of the terminal summary and the HTML report: per action type, how many were created, how
// they ended, and create → delivered / create → terminal percentiles (the endpoint's timestamps).
import type { ActionRunResults, ActionTypeResults } from '../run/actions.js';

const ms = (v: number | undefined) => (v === undefined ? 'n/a' : `${v.toFixed(0)} ms`);

function row(label: string, t: ActionTypeResults): readonly [string, string] {
  const statuses = Object.entries(t.statuses)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  return [
    label,
    `${t.created} created (${statuses || 'none'}); delivered p50 ${ms(t.delivered.p50)} p99 ${ms(t.delivered.p99)}; done p50 ${ms(t.done.p50)} p99 ${ms(t.done.p99)}${
      t.deliveredAfterDone ? `; ${t.deliveredAfterDone} marked delivered after they ended` : ''
    }`,
  ];
}

/** [label, text] per action type and one for all of them, then refusals and cancels when there were any. */
export function actionRows(a: ActionRunResults): (readonly [string, string])[] {
  const rows = Object.entries(a.byType).flatMap(([type, t]) => [
    row(`action ${type}`, t),
    ...Object.entries(t.errors ?? {}).map(([code, e]) => [`  failed ${code}`, `×${e.count}, e.g. ${e.example}`] as const),
  ]);
  if (Object.keys(a.byType).length > 1) rows.push(row('actions (all)', a.all));
  const refused = Object.entries(a.refused);
  if (refused.length > 0) rows.push(['actions refused', refused.map(([code, n]) => `${code} ×${n}`).join(', ')]);
  if (a.cancels.requested > 0) {
    const refusedCancels = Object.entries(a.cancels.refused).map(([code, n]) => `${code} ×${n}`);
    rows.push([
      'action cancels',
      `${a.cancels.requested} requested, ${a.cancels.accepted} accepted${refusedCancels.length ? `, refused ${refusedCancels.join(', ')}` : ''}`,
    ]);
  }
  return rows;
}
