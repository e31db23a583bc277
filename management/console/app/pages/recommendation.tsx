// One security recommendation (GET /v1/admin/vulnerabilities/recommendations/:id): what to update to, its advisories,
// its exposed devices with their installed versions and level (paged in the page: up to 10,000), and "Create security
// task" (POST /v1/admin/security-tasks) for roles with tasks.write. Software and device names are data.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useLoad, useSubmit } from '../hooks.js';
import { usePage } from '../paging.js';
import { href, navigate } from '../router.js';
import type { Abilities } from '../session.js';
import type { CreateSecurityTaskRequest, RecommendationDetail, SecurityTask } from '../types.js';
import { announce, Badge, DataTable, ErrorText, Field, Loading } from '../ui.js';
import { AdvisoryTable, DeviceCell } from './vulnerability-tables.js';

const DEVICES_PAGE = 50;

function DevicesTable({ devices }: { devices: RecommendationDetail['devices'] }) {
  const { rows, pager } = usePage(devices, DEVICES_PAGE);
  if (devices.length === 0) return <p class="muted">No exposed device.</p>;
  return (
    <>
      <DataTable testId="recommendation-devices" caption={`Exposed devices (${devices.length})`} columns={['Device', 'Exposure level', 'Installed']}>
        {rows.map((d) => (
          <tr key={d.deviceId} data-device={d.deviceId}>
            <DeviceCell deviceId={d.deviceId} name={d.deviceName} />
            <td>
              <Badge value={d.level} />
            </td>
            <td>
              <ul class="plain">
                {d.installed.map((i) => (
                  <li key={`${i.name}\u0000${i.version}`}>
                    <bdi>{i.name}</bdi> <code>{i.version}</code>
                  </li>
                ))}
              </ul>
            </td>
          </tr>
        ))}
      </DataTable>
      {pager}
    </>
  );
}

/** The task form: priority, due date, assignee, notes; the endpoint targets the exposed devices at creation. */
function CreateTaskForm({ recommendationId, onClose }: { recommendationId: string; onClose: () => void }) {
  const [f, setF] = useState({ priority: 'none', due: '', assignedTo: '', notes: '' });
  const submission = useSubmit();
  const submit = (e: Event) => {
    e.preventDefault();
    const body: CreateSecurityTaskRequest = {
      recommendationId,
      priority: f.priority as CreateSecurityTaskRequest['priority'],
      // The date input gives a day: due at its end, in the admin's time zone.
      ...(f.due ? { dueDateTime: new Date(`${f.due}T23:59:59`).toISOString() } : {}),
      ...(f.assignedTo.trim() ? { assignedTo: f.assignedTo.trim() } : {}),
      ...(f.notes.trim() ? { creatorNotes: f.notes } : {}),
    };
    void submission.run(async () => {
      const task = await api<SecurityTask>('POST', '/v1/admin/security-tasks', body);
      announce(`Security task created for ${task.managedDeviceCount} device(s).`);
      navigate(href('tasks', task.taskId));
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-label="Create security task">
      <Field id="task-priority" label="Priority">
        <select id="task-priority" value={f.priority} onChange={(e) => setF({ ...f, priority: e.currentTarget.value })}>
          <option value="none">none</option>
          <option value="high">high</option>
          <option value="low">low</option>
        </select>
      </Field>
      <Field id="task-due" label="Due date">
        <input id="task-due" type="date" value={f.due} onInput={(e) => setF({ ...f, due: e.currentTarget.value })} />
      </Field>
      <Field id="task-assignee" label="Assigned to">
        <input id="task-assignee" maxLength={200} value={f.assignedTo} onInput={(e) => setF({ ...f, assignedTo: e.currentTarget.value })} />
      </Field>
      <Field id="task-notes" label="Notes">
        <textarea id="task-notes" maxLength={4000} rows={3} value={f.notes} onInput={(e) => setF({ ...f, notes: e.currentTarget.value })} />
      </Field>
      <button type="submit" disabled={submission.busy}>
        Create task
      </button>{' '}
      <button type="button" onClick={onClose}>
        Close
      </button>
      <ErrorText error={submission.error} />
    </form>
  );
}

export function RecommendationPage({ recommendationId, can }: { recommendationId: string; can: Abilities }) {
  const rec = useLoad(
    () => api<RecommendationDetail>('GET', `/v1/admin/vulnerabilities/recommendations/${encodeURIComponent(recommendationId)}`),
    [recommendationId],
  );
  const [creating, setCreating] = useState(false);
  const r = rec.data?.recommendation;
  return (
    <article aria-labelledby="rec-h">
      <p>
        <a href={href('vulnerabilities', 'recommendations')}>← Recommendations</a>
      </p>
      <h1 id="rec-h">{r ? <bdi>{r.title}</bdi> : 'Recommendation'}</h1>
      {rec.loading && <Loading what="the recommendation" />}
      <ErrorText error={rec.error} />
      {r && rec.data && (
        <>
          <dl class="facts" data-testid="recommendation-facts">
            <dt>Software</dt>
            <dd>
              <bdi>{r.software}</bdi> {r.vendor && <span class="muted">({r.vendor})</span>}
            </dd>
            <dt>Ecosystem</dt>
            <dd>
              <bdi>{r.ecosystem}</bdi>
            </dd>
            <dt>Fixed version</dt>
            <dd>{r.fixedVersion ? <code>{r.fixedVersion}</code> : 'no update available yet'}</dd>
            <dt>Exposed devices</dt>
            <dd>{r.exposedDevices}</dd>
            <dt>Advisories / CVEs</dt>
            <dd>
              {r.advisories} / {r.cves}
            </dd>
            <dt>Highest severity</dt>
            <dd>
              <Badge value={r.highestSeverity} /> CVSS {r.highestCvss ?? '—'}
            </dd>
            <dt>Installed versions</dt>
            <dd>{r.installedVersions.map((v) => `${v.version} (${v.devices})`).join(', ') || '—'}</dd>
            <dt>Open tasks</dt>
            <dd>{r.openTasks > 0 ? <a href={href('tasks')}>{r.openTasks}</a> : 0}</dd>
          </dl>
          {can.writeTasks &&
            (creating ? (
              <CreateTaskForm recommendationId={r.recommendationId} onClose={() => setCreating(false)} />
            ) : (
              <p>
                <button type="button" onClick={() => setCreating(true)} disabled={r.exposedDevices === 0}>
                  Create security task
                </button>
              </p>
            ))}
          <h2>Advisories</h2>
          <AdvisoryTable items={rec.data.advisories} caption="Advisories this update fixes" />
          <h2>Exposed devices</h2>
          {rec.data.devices.length < r.exposedDevices && (
            <p class="muted" data-testid="recommendation-devices-cut">
              The first {rec.data.devices.length} of {r.exposedDevices} exposed devices, by id.
            </p>
          )}
          <DevicesTable devices={rec.data.devices} />
        </>
      )}
    </article>
  );
}
