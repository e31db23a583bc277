// SecurityTaskStore queries (migration 0019): tasks with their JSON device lists, and their history. A change is one
// transaction that stores the task only on the revision it was made from (two admins, or an admin and the automatic
// completion, never overwrite each other silently).
import { type Kysely, sql, type Transaction } from 'kysely';
import { AttacheError } from '../../../common/errors.js';
import type { TaskEvent, TaskStatus } from '../../../policy-schemas/src/index.js';
import type { Database } from './schema.js';
import type { SecurityTaskEventTable, SecurityTaskTable } from './schema-security-tasks.js';
import { OPEN_TASK_DEVICE_FILTER, type SecurityTaskFilter, type StoredSecurityTask } from './security-task-store.js';
import { likeLiteral } from './sql-device-listing.js';
import { parseStoredJson } from './stored-json.js';
import { inTransaction } from './transactions.js';

type Db = Kysely<Database> | Transaction<Database>;

const OPEN: readonly TaskStatus[] = ['pending', 'active'];

function toRow(t: StoredSecurityTask): SecurityTaskTable {
  const { createdDateTime, updatedDateTime, deviceIds, fixedDeviceIds, remediation, ...same } = t;
  return {
    ...same,
    createdAt: createdDateTime,
    updatedAt: updatedDateTime,
    targetDeviceIds: JSON.stringify(deviceIds),
    fixedDeviceIds: JSON.stringify(fixedDeviceIds),
    remediation: JSON.stringify(remediation),
  };
}

/** The row's text columns hold what toRow wrote (values the service validated), so they are typed back as such. */
function fromRow(r: SecurityTaskTable): StoredSecurityTask {
  const at = (column: string) => ({ table: 'security_tasks', id: r.taskId, column });
  const { createdAt, updatedAt, targetDeviceIds, fixedDeviceIds, remediation, revision, ...same } = r;
  return {
    ...(same as Omit<StoredSecurityTask, 'createdDateTime' | 'updatedDateTime' | 'deviceIds' | 'fixedDeviceIds' | 'remediation' | 'revision'>),
    createdDateTime: createdAt,
    updatedDateTime: updatedAt,
    revision: Number(revision),
    deviceIds: parseStoredJson<string[]>(targetDeviceIds, at('target_device_ids')),
    fixedDeviceIds: parseStoredJson<string[]>(fixedDeviceIds, at('fixed_device_ids')),
    remediation: parseStoredJson<Record<string, string>>(remediation, at('remediation')),
  };
}

function eventRow(taskId: string, e: TaskEvent): Omit<SecurityTaskEventTable, 'eventId'> {
  return { taskId, at: e.at, by: e.by, fromStatus: e.from, toStatus: e.to, note: e.note };
}

/** SecurityTaskStore.createSecurityTask. */
export function createSecurityTask(db: Kysely<Database>, task: StoredSecurityTask, event: TaskEvent): Promise<void> {
  return inTransaction(db, async (trx) => {
    await trx.insertInto('securityTasks').values(toRow(task)).execute();
    await trx.insertInto('securityTaskEvents').values(eventRow(task.taskId, event)).execute();
  });
}

/** SecurityTaskStore.getSecurityTask. */
export async function getSecurityTask(db: Db, taskId: string): Promise<StoredSecurityTask | undefined> {
  const row = await db.selectFrom('securityTasks').selectAll().where('taskId', '=', taskId).executeTakeFirst();
  return row && fromRow(row);
}

/** SecurityTaskStore.listSecurityTasks: newest first. */
export async function listSecurityTasks(db: Db, filter: SecurityTaskFilter): Promise<StoredSecurityTask[]> {
  let q = db.selectFrom('securityTasks').selectAll();
  if (filter.status) q = q.where('status', '=', filter.status);
  const before = filter.before;
  if (before) {
    q = q.where((eb) => eb.or([eb('createdAt', '<', before.createdAt), eb.and([eb('createdAt', '=', before.createdAt), eb('taskId', '<', before.taskId)])]));
  }
  const rows = await q.orderBy('createdAt', 'desc').orderBy('taskId', 'desc').limit(filter.limit).execute();
  return rows.map(fromRow);
}

/**
 * SecurityTaskStore.openSecurityTasks. The device filter matches the id as a JSON string inside the stored list, literally
 * (likeLiteral escapes LIKE's wildcards); more ids than OPEN_TASK_DEVICE_FILTER read every open task (the caller filters).
 */
export async function openSecurityTasks(db: Db, deviceIds?: readonly string[]): Promise<StoredSecurityTask[]> {
  let q = db.selectFrom('securityTasks').selectAll().where('status', 'in', OPEN);
  const ids = deviceIds && [...new Set(deviceIds)];
  if (ids && ids.length <= OPEN_TASK_DEVICE_FILTER) {
    if (ids.length === 0) return [];
    q = q.where((eb) => eb.or(ids.map((id) => sql<boolean>`${eb.ref('targetDeviceIds')} like ${likeLiteral(JSON.stringify(id))} escape '\\'`)));
  }
  const rows = await q.orderBy('createdAt').orderBy('taskId').execute();
  return rows.map(fromRow);
}

/** SecurityTaskStore.updateSecurityTask. */
export function updateSecurityTask(db: Kysely<Database>, task: StoredSecurityTask, expectedRevision: number, events: readonly TaskEvent[]): Promise<void> {
  if (task.revision !== expectedRevision + 1) throw new Error(`task revision ${task.revision} does not follow ${expectedRevision}`);
  return inTransaction(db, async (trx) => {
    const { taskId: _, ...changes } = toRow(task);
    const updated = await trx
      .updateTable('securityTasks')
      .set(changes)
      .where('taskId', '=', task.taskId)
      .where('revision', '=', expectedRevision)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) {
      const current = await trx.selectFrom('securityTasks').select('revision').where('taskId', '=', task.taskId).executeTakeFirst();
      if (!current) throw new AttacheError('TASK_NOT_FOUND', `no security task ${task.taskId}`);
      throw new AttacheError('CONFLICT', `security task ${task.taskId} changed meanwhile (revision ${current.revision}, not ${expectedRevision}): retry`);
    }
    if (events.length > 0)
      await trx
        .insertInto('securityTaskEvents')
        .values(events.map((e) => eventRow(task.taskId, e)))
        .execute();
  });
}

/** SecurityTaskStore.securityTaskEvents: the latest `limit`, oldest first. */
export async function securityTaskEvents(db: Db, taskId: string, limit: number): Promise<TaskEvent[]> {
  const rows = await db.selectFrom('securityTaskEvents').selectAll().where('taskId', '=', taskId).orderBy('eventId', 'desc').limit(limit).execute();
  return rows.reverse().map((r) => ({ at: r.at, by: r.by, from: r.fromStatus as TaskStatus | null, to: r.toStatus as TaskStatus, note: r.note }));
}

/** SecurityTaskStore.openTaskCounts. */
export async function openTaskCounts(db: Db, recommendationIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (recommendationIds.length === 0) return counts;
  const rows = await db
    .selectFrom('securityTasks')
    .select(['recommendationId', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', 'in', OPEN)
    .where('recommendationId', 'in', [...new Set(recommendationIds)])
    .groupBy('recommendationId')
    .execute();
  for (const r of rows) counts.set(r.recommendationId, Number(r.n));
  return counts;
}
