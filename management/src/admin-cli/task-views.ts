// Human views of security tasks for the admin CLI: the list as a table, and one task with its fields, per-device
// progress and history. Every string from the endpoint goes through renderTable/renderFields (escaped).
import type { SecurityTask, SecurityTaskDetail } from '../../../policy-schemas/src/index.js';
import { renderFields, renderTable, withNextCursor } from './table.js';

/** Security tasks, newest first, and how to ask for the next page. */
export function tasksTable(tasks: readonly SecurityTask[], nextCursor: string | null): string {
  const table = renderTable(
    ['TASK', 'CREATED', 'STATUS', 'PRIORITY', 'FIXED', 'SOFTWARE', 'NAME'],
    tasks.map((t) => [
      t.taskId,
      t.createdDateTime,
      t.completion ? `${t.status} (${t.completion})` : t.status,
      t.priority,
      `${t.fixedDeviceCount}/${t.managedDeviceCount}`,
      `${t.appName} (${t.ecosystem})`,
      t.displayName,
    ]),
  );
  return withNextCursor(table, nextCursor);
}

/** One task: its fields, each targeted device's progress and the history. */
export function taskDetails(detail: SecurityTaskDetail): string {
  const t = detail.task;
  const fields: [string, string][] = [
    ['task', t.taskId],
    ['name', t.displayName],
    ['status', t.completion ? `${t.status} (${t.completion})` : t.status],
    ['devices fixed', `${t.fixedDeviceCount}/${t.managedDeviceCount}`],
    ['software', `${t.appName} (${t.ecosystem})${t.appPublisher ? ` by ${t.appPublisher}` : ''}`],
    ['fixed version', t.appVersion ?? '(no update published)'],
    ['mitigation', t.mitigationType],
    ['priority', t.priority],
    ['due', t.dueDateTime ?? '-'],
    ['assigned to', t.assignedTo ?? '-'],
    ['creator', `${t.creator} at ${t.createdDateTime}`],
    ['recommendation', t.recommendationId],
  ];
  if (t.creatorNotes) fields.push(['notes', t.creatorNotes]);
  const devices = renderTable(
    ['DEVICE', 'NAME', 'FIXED', 'INSTALLED', 'ACTION', 'ACTION STATUS'],
    detail.devices.map((d) => [d.deviceId, d.deviceName, d.fixed ? 'yes' : 'no', d.installedVersion ?? '-', d.actionId ?? '-', d.actionStatus ?? '-']),
  );
  const history = renderTable(
    ['AT', 'BY', 'CHANGE', 'NOTE'],
    t.history.map((e) => [e.at, e.by, e.from === null ? e.to : e.from === e.to ? e.to : `${e.from} → ${e.to}`, e.note]),
  );
  return `${renderFields(fields)}\ndevices:\n${devices}\nhistory:\n${history}`;
}
