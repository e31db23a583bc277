// Security tasks (Intune's remediation tasks from vulnerability management): the list, newest first, filtered by
// status and paged by cursor in the URL (GET /v1/admin/security-tasks?status&cursor&limit); `#/tasks/<id>` opens one.
import { api, withQuery } from '../api.js';
import { useLoad } from '../hooks.js';
import { CursorPager } from '../paging.js';
import { href, navigate, type Route } from '../router.js';
import type { Abilities } from '../session.js';
import type { SecurityTaskList, TaskStatus } from '../types.js';
import { Badge, DataTable, ErrorText, formatTime, Loading } from '../ui.js';
import { SecurityTaskPage } from './security-task.js';

const PAGE_SIZE = 50;
// Every status (the Record makes a status added to the schema a compile error here until it is listed).
const STATUSES: Readonly<Record<TaskStatus, true>> = { pending: true, active: true, completed: true, rejected: true };

function TaskList({ query }: { query: URLSearchParams }) {
  const q = { status: query.get('status') ?? undefined, cursor: query.get('cursor') ?? undefined };
  const page = useLoad(() => api<SecurityTaskList>('GET', withQuery('/v1/admin/security-tasks', { ...q, limit: PAGE_SIZE })), [query.toString()]);
  return (
    <section aria-labelledby="tasks-h">
      <h1 id="tasks-h">Security tasks</h1>
      <form class="filters" aria-label="Task filters" onSubmit={(e) => e.preventDefault()}>
        <span>
          <label for="task-status">Status</label>
          <select id="task-status" value={q.status ?? ''} onChange={(e) => navigate(href('tasks', { status: e.currentTarget.value || undefined }))}>
            <option value="">any</option>
            {Object.keys(STATUSES).map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </span>
      </form>
      {page.loading && <Loading what="security tasks" />}
      <ErrorText error={page.error} />
      {page.data &&
        (page.data.items.length === 0 ? (
          <p class="muted">No security task{q.status ? ` with status ${q.status}` : ''}. Create one from a recommendation.</p>
        ) : (
          <DataTable
            testId="security-tasks"
            caption="Security tasks, newest first"
            columns={['Task', 'Status', 'Priority', 'Devices fixed', 'Assigned to', 'Due', 'Created']}
          >
            {page.data.items.map((t) => (
              <tr key={t.taskId} data-task={t.taskId}>
                <th scope="row">
                  <a href={href('tasks', t.taskId)}>
                    <bdi>{t.displayName}</bdi>
                  </a>
                </th>
                <td>
                  <Badge value={t.status} />
                </td>
                <td>{t.priority}</td>
                <td>
                  {t.fixedDeviceCount} / {t.managedDeviceCount}
                </td>
                <td>
                  <bdi>{t.assignedTo ?? '—'}</bdi>
                </td>
                <td>{t.dueDateTime ? formatTime(t.dueDateTime) : '—'}</td>
                <td>
                  {formatTime(t.createdDateTime)} by <bdi>{t.creator}</bdi>
                </td>
              </tr>
            ))}
          </DataTable>
        ))}
      <CursorPager parts={['tasks']} query={q} nextCursor={page.data?.nextCursor} />
    </section>
  );
}

/** `#/tasks` or `#/tasks/<id>`. */
export function SecurityTasksPage({ route, can }: { route: Route; can: Abilities }) {
  const id = route.parts[1];
  return id ? <SecurityTaskPage taskId={id} can={can} /> : <TaskList query={route.query} />;
}
