// Tests of the SQL store's security tasks (migration 0019) on SQLite and PostgreSQL: a task round-trips with its device
// lists and history, changes are stored only on the revision they were made from, lists page newest first by status,
// and open tasks are counted per recommendation.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TaskEvent } from '../../../policy-schemas/src/index.js';
import type { StoredSecurityTask } from './security-task-store.js';
import type { ManagementStore } from './store.js';
import { freshStorePerTest, STORE_ENGINES } from './testing/store-engines.js';
import { codeOf } from './testing/store-fixtures.js';

const NOW = '2025-01-10T12:00:00.000Z';
const REC = 'a'.repeat(32);

let store: ManagementStore;

function task(overrides: Partial<StoredSecurityTask> = {}): StoredSecurityTask {
  return {
    taskId: randomUUID(),
    displayName: 'Update openssl to 3.0.15-1~deb12u1 or later',
    description: 'Update openssl',
    recommendationId: REC,
    appName: 'openssl',
    appPublisher: null,
    appVersion: '3.0.15-1~deb12u1',
    ecosystem: 'Debian:12',
    mitigationType: 'update',
    priority: 'high',
    dueDateTime: null,
    assignedTo: 'ops@example.com',
    creator: 'alice',
    creatorNotes: "it's urgent; '); DROP TABLE security_tasks; -- stays data",
    status: 'pending',
    completion: null,
    createdDateTime: NOW,
    updatedDateTime: NOW,
    revision: 1,
    deviceIds: [randomUUID(), randomUUID()],
    fixedDeviceIds: [],
    remediation: {},
    ...overrides,
  };
}

const created = (t: StoredSecurityTask): TaskEvent => ({ at: t.createdDateTime, by: t.creator, from: null, to: 'pending', note: 'created' });

describe.each(STORE_ENGINES)('%s store: security tasks', (engineName) => {
  freshStorePerTest(engineName, (s) => {
    store = s;
  });

  it('stores a task with its device lists and first event, and reads it back as written', async () => {
    const t = task();
    await store.createSecurityTask(t, created(t));
    expect(await store.getSecurityTask(t.taskId)).toEqual(t);
    expect(await store.securityTaskEvents(t.taskId, 200)).toEqual([created(t)]);
    expect(await store.getSecurityTask(randomUUID())).toBeUndefined();
  });

  it('stores a change only on the revision it was made from, with its events', async () => {
    const t = task();
    await store.createSecurityTask(t, created(t));
    const accepted = {
      ...t,
      status: 'active' as const,
      revision: 2,
      updatedDateTime: '2025-01-10T13:00:00.000Z',
      remediation: { [t.deviceIds[0] as string]: randomUUID() },
    };
    const event: TaskEvent = { at: accepted.updatedDateTime, by: 'bob', from: 'pending', to: 'active', note: '' };
    await store.updateSecurityTask(accepted, 1, [event]);
    expect(await store.getSecurityTask(t.taskId)).toEqual(accepted);
    // A second change made from revision 1 (it read the task before the first was stored) is refused.
    expect(await codeOf(store.updateSecurityTask({ ...t, status: 'rejected', revision: 2 }, 1, []))).toBe('CONFLICT');
    expect(await codeOf(store.updateSecurityTask({ ...t, taskId: randomUUID(), revision: 2 }, 1, []))).toBe('TASK_NOT_FOUND');
    expect((await store.getSecurityTask(t.taskId))?.status).toBe('active');
    expect((await store.securityTaskEvents(t.taskId, 200)).map((e) => e.to)).toEqual(['pending', 'active']);
    expect(await store.securityTaskEvents(t.taskId, 1)).toEqual([event]);
  });

  it('lists newest first by keyset, filters by status and counts open tasks per recommendation', async () => {
    const times = ['2025-01-10T12:00:00.000Z', '2025-01-10T12:01:00.000Z', '2025-01-10T12:02:00.000Z'];
    const other = 'b'.repeat(32);
    const tasks = [
      task({ createdDateTime: times[0], status: 'active' }),
      task({ createdDateTime: times[1], status: 'rejected' }),
      task({ createdDateTime: times[2], recommendationId: other }),
    ];
    for (const t of tasks) await store.createSecurityTask(t, created(t));
    const all = await store.listSecurityTasks({ limit: 2 });
    expect(all.map((t) => t.taskId)).toEqual([tasks[2]?.taskId, tasks[1]?.taskId]);
    const last = all[1] as StoredSecurityTask;
    const next = await store.listSecurityTasks({ limit: 2, before: { createdAt: last.createdDateTime, taskId: last.taskId } });
    expect(next.map((t) => t.taskId)).toEqual([tasks[0]?.taskId]);
    expect((await store.listSecurityTasks({ limit: 10, status: 'rejected' })).map((t) => t.taskId)).toEqual([tasks[1]?.taskId]);
    expect((await store.openSecurityTasks()).map((t) => t.taskId).sort()).toEqual([tasks[0]?.taskId, tasks[2]?.taskId].sort());
    // Filtered by device in SQL: only open tasks targeting one of the ids (the closed one targeting it is left out).
    const target = tasks[2]?.deviceIds[1] as string;
    expect((await store.openSecurityTasks([target, randomUUID()])).map((t) => t.taskId)).toEqual([tasks[2]?.taskId]);
    expect(await store.openSecurityTasks([tasks[1]?.deviceIds[0] as string])).toEqual([]);
    expect(await store.openSecurityTasks([])).toEqual([]);
    const many = Array.from({ length: 60 }, () => randomUUID());
    expect((await store.openSecurityTasks(many)).length).toBe(2);
    expect(Object.fromEntries(await store.openTaskCounts([REC, other, 'c'.repeat(32)]))).toEqual({ [REC]: 1, [other]: 1 });
    expect((await store.openTaskCounts([])).size).toBe(0);
  });
});
