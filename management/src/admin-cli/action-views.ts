// Human views of response actions for the admin CLI: the action center as a table and one action with Defender's
// machine action fields (status, requestor, comment, delivered/started/completed, progress, result per type,
// cancellation). Every string from the endpoint (device names, comments, threat names, paths) goes through
// renderTable/renderFields, which escape untrusted text.
import { actionParametersSummary, actionResultSummary, actionStatusText, formatBytes } from '../../../policy-schemas/src/action-summary.js';
import type { MachineAction } from '../../../policy-schemas/src/index.js';
import { renderFields, renderTable, withNextCursor } from './table.js';

/** The action center, newest first, and how to ask for the next page. */
export function actionsTable(actions: readonly MachineAction[], nextCursor: string | null): string {
  const table = renderTable(
    ['ACTION', 'CREATED', 'DEVICE', 'TYPE', 'PARAMETERS', 'STATUS', 'REQUESTOR', 'COMMENT'],
    actions.map((a) => [
      a.id,
      a.createdAt,
      a.deviceName,
      a.type,
      actionParametersSummary(a.type, a.parameters),
      actionStatusText(a),
      a.requestor.username,
      a.requestorComment,
    ]),
  );
  return withNextCursor(table, nextCursor);
}

type Fields = [string, string][];

function outcomeFields(a: MachineAction): Fields {
  const fields: Fields = [];
  if (a.result) fields.push(['result', actionResultSummary(a.type, a.result)]);
  if (a.error) fields.push(['error', `${a.error.code}: ${a.error.message}`]);
  if (a.cancellation) fields.push(['cancelled', `${a.cancellation.at} by ${a.cancellation.requestor.username}: ${a.cancellation.comment}`]);
  if (a.lateResult) {
    const late = a.lateResult;
    const what = late.result ? actionResultSummary(a.type, late.result) : late.error ? `${late.error.code}: ${late.error.message}` : '';
    fields.push(['late outcome', `${late.status} at ${late.at}${what ? `: ${what}` : ''} (after the action had ended here)`]);
  }
  if (a.package) {
    const size = a.package.sizeBytes === null ? 'size not yet known' : `of ${formatBytes(a.package.sizeBytes)}`;
    const state = a.package.available ? 'complete: `attache-admin action package <id> --out <file>`' : 'not complete';
    fields.push(['package', `${formatBytes(a.package.receivedBytes)} received ${size}, ${state}`]);
  }
  return fields;
}

/** Per-item detail a one-line result summary leaves out: a scan's threats, the processes stopped and files quarantined. */
function resultDetails(a: MachineAction): string {
  const r = (a.result ?? {}) as Record<string, unknown>;
  if (a.type === 'runAntivirusScan' && Array.isArray(r.threats) && r.threats.length > 0) {
    const threats = r.threats as { name: string; path?: string; status?: string }[];
    return `\nThreats\n${renderTable(
      ['NAME', 'PATH', 'STATUS'],
      threats.map((t) => [t.name, t.path ?? '-', t.status ?? '-']),
    )}`;
  }
  if (a.type === 'stopAndQuarantineFile' && Array.isArray(r.items)) {
    const killed = (r.killed ?? []) as { pid: number; name?: string }[];
    const items = r.items as { quarantineId: string; originalPath: string; sizeBytes: number }[];
    return `\nStopped processes\n${renderTable(
      ['PID', 'NAME'],
      killed.map((k) => [String(k.pid), k.name ?? '-']),
    )}\nQuarantined files\n${renderTable(
      ['QUARANTINE ID', 'ORIGINAL PATH', 'SIZE'],
      items.map((i) => [i.quarantineId, i.originalPath, formatBytes(i.sizeBytes)]),
    )}`;
  }
  return '';
}

/** One action with every field Defender's machine action shows. */
export function actionDetails(a: MachineAction): string {
  const params = actionParametersSummary(a.type, a.parameters);
  const fields: Fields = [
    ['action', a.id],
    ['type', params ? `${a.type} (${params})` : a.type],
    ['device', `${a.deviceName} (${a.deviceId})`],
    ['status', actionStatusText(a)],
    ['requestor', a.requestor.username],
    ['comment', a.requestorComment],
    ['created', a.createdAt],
    ['delivered', a.deliveredAt ?? 'not yet'],
    ['started', a.startedAt ?? '-'],
    ['completed', a.completedAt ?? '-'],
    ['expires', a.expiresAt],
    ...outcomeFields(a),
  ];
  return renderFields(fields) + resultDetails(a);
}
