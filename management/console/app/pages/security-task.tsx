// One security task (GET /v1/admin/security-tasks/:id): its fields, per-device progress (fixed or not, installed
// version, the updateSoftware action made for it and its status, paged in the page), its history, and the status
// changes the endpoint allows from the current status (POST …/status): accept, accept and remediate, reject (note
// required), complete, reopen; for roles with tasks.write. Names, notes and history are admin or device text: data.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useLoad, useSubmit } from '../hooks.js';
import { usePage } from '../paging.js';
import { href } from '../router.js';
import type { Abilities } from '../session.js';
import type { SecurityTaskDetail, TaskStatus, UpdateSecurityTaskRequest } from '../types.js';
import { announce, Badge, DataTable, ErrorText, formatTime, Loading } from '../ui.js';
import { DeviceCell } from './vulnerability-tables.js';

const DEVICES_PAGE = 50;

/** A status change offered from a status: label, target, whether it remediates and whether a note is required. */
interface Change {
  readonly label: string;
  readonly to: TaskStatus;
  readonly remediate?: boolean;
  readonly noteRequired?: boolean;
}
// The transitions of docs/vulnerabilities.md "Security tasks" (the endpoint refuses others with 409 TASK_TRANSITION_INVALID).
const CHANGES: Readonly<Record<TaskStatus, readonly Change[]>> = {
  pending: [
    { label: 'Accept', to: 'active' },
    { label: 'Accept and remediate', to: 'active', remediate: true },
    { label: 'Reject', to: 'rejected', noteRequired: true },
  ],
  active: [
    // Again: an updateSoftware action for each device still not fixed (the endpoint records it as active → active).
    { label: 'Remediate', to: 'active', remediate: true },
    { label: 'Complete', to: 'completed' },
    { label: 'Reject', to: 'rejected', noteRequired: true },
  ],
  rejected: [{ label: 'Reopen', to: 'pending' }],
  completed: [],
};

function StatusForm(props: { taskId: string; change: Change; onDone: () => void; onClose: () => void }) {
  const { change } = props;
  const [note, setNote] = useState('');
  const submission = useSubmit();
  const submit = (e: Event) => {
    e.preventDefault();
    const body: UpdateSecurityTaskRequest = { status: change.to, ...(note.trim() ? { note } : {}), ...(change.remediate ? { remediate: true } : {}) };
    void submission.run(async () => {
      const res = await api<SecurityTaskDetail>('POST', `/v1/admin/security-tasks/${encodeURIComponent(props.taskId)}/status`, body);
      announce(`Security task ${change.label.toLowerCase()}: now ${res.task.status}.`);
      props.onDone();
    });
  };
  const id = `task-note-${change.label.replace(/\W/g, '')}`;
  return (
    <form class={change.to === 'rejected' ? 'confirm' : 'card'} onSubmit={submit} aria-label={change.label}>
      <label for={id}>{change.noteRequired ? 'Note (required)' : 'Note'}</label>{' '}
      <input id={id} value={note} maxLength={2000} size={40} onInput={(e) => setNote(e.currentTarget.value)} />{' '}
      {change.remediate && <span class="muted">An updateSoftware action is created for each device not yet fixed. </span>}
      <button
        type="submit"
        class={change.to === 'rejected' ? 'danger' : undefined}
        disabled={submission.busy || (change.noteRequired === true && note.trim() === '')}
      >
        {change.label}
      </button>{' '}
      <button type="button" onClick={props.onClose}>
        Close
      </button>
      <ErrorText error={submission.error} />
    </form>
  );
}

function ProgressTable({ devices }: { devices: SecurityTaskDetail['devices'] }) {
  const { rows, pager } = usePage(devices, DEVICES_PAGE);
  if (devices.length === 0) return <p class="muted">No targeted device left.</p>;
  return (
    <>
      <DataTable testId="task-devices" caption="Targeted devices" columns={['Device', 'Fixed', 'Installed version', 'Update action']}>
        {rows.map((d) => (
          <tr key={d.deviceId} data-device={d.deviceId}>
            <DeviceCell deviceId={d.deviceId} name={d.deviceName} />
            <td>{d.fixed ? <Badge value="fixed" /> : <Badge value="vulnerable" />}</td>
            <td>{d.installedVersion ? <code>{d.installedVersion}</code> : '—'}</td>
            <td>
              {d.actionId ? (
                <a href={href('actions', { deviceId: d.deviceId, type: 'updateSoftware' })}>
                  <Badge value={d.actionStatus} />
                </a>
              ) : (
                '—'
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      {pager}
    </>
  );
}

export function SecurityTaskPage({ taskId, can }: { taskId: string; can: Abilities }) {
  const detail = useLoad(() => api<SecurityTaskDetail>('GET', `/v1/admin/security-tasks/${encodeURIComponent(taskId)}`), [taskId]);
  const [open, setOpen] = useState<Change | null>(null);
  const t = detail.data?.task;
  return (
    <article aria-labelledby="task-h">
      <p>
        <a href={href('tasks')}>← Security tasks</a>
      </p>
      <h1 id="task-h">{t ? <bdi>{t.displayName}</bdi> : 'Security task'}</h1>
      {detail.loading && <Loading what="the task" />}
      <ErrorText error={detail.error} />
      {t && detail.data && (
        <>
          <dl class="facts" data-testid="task-facts">
            <dt>Status</dt>
            <dd>
              <Badge value={t.status} /> {t.completion && <span class="muted">({t.completion})</span>}
            </dd>
            <dt>Devices fixed</dt>
            <dd data-testid="task-progress">
              {t.fixedDeviceCount} / {t.managedDeviceCount}
            </dd>
            <dt>Recommendation</dt>
            <dd>
              <a href={href('vulnerabilities', 'recommendations', t.recommendationId)}>
                <bdi>{t.appName}</bdi> {t.appVersion ? `→ ${t.appVersion}` : '(no fixed version)'}
              </a>{' '}
              <span class="muted">
                <bdi>{t.ecosystem}</bdi>, {t.mitigationType}
              </span>
            </dd>
            <dt>Priority</dt>
            <dd>{t.priority}</dd>
            <dt>Due</dt>
            <dd>{t.dueDateTime ? formatTime(t.dueDateTime) : '—'}</dd>
            <dt>Assigned to</dt>
            <dd>
              <bdi>{t.assignedTo ?? '—'}</bdi>
            </dd>
            <dt>Created</dt>
            <dd>
              {formatTime(t.createdDateTime)} by <bdi>{t.creator}</bdi>
            </dd>
            <dt>Notes</dt>
            <dd class="pre-line">
              <bdi>{t.creatorNotes || '—'}</bdi>
            </dd>
            <dt>Description</dt>
            <dd class="pre-line">
              <bdi>{t.description || '—'}</bdi>
            </dd>
          </dl>
          {can.writeTasks && CHANGES[t.status].length > 0 && (
            <div class="actions">
              <span class="toolbar" role="toolbar" aria-label="Task actions">
                {CHANGES[t.status].map((c) => (
                  <button key={c.label} type="button" aria-pressed={open?.label === c.label} onClick={() => setOpen(open?.label === c.label ? null : c)}>
                    {c.label}
                  </button>
                ))}
              </span>
              {open && CHANGES[t.status].includes(open) && (
                <StatusForm
                  key={open.label}
                  taskId={t.taskId}
                  change={open}
                  onClose={() => setOpen(null)}
                  onDone={() => {
                    setOpen(null);
                    detail.reload();
                  }}
                />
              )}
            </div>
          )}
          <h2>Progress</h2>
          <ProgressTable devices={detail.data.devices} />
          <h2>History</h2>
          <ol class="events" data-testid="task-history">
            {t.history.map((h, i) => (
              <li key={`${h.at}:${i}`}>
                <time dateTime={h.at}>{formatTime(h.at)}</time> <bdi>{h.by}</bdi>: {h.from ?? 'created'} → <Badge value={h.to} />{' '}
                {h.note && (
                  <span class="pre-line">
                    — <bdi>{h.note}</bdi>
                  </span>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </article>
  );
}
