// The SecurityTaskStore part of the SQL store (security tasks, migration 0019); SqlActionStore extends it. Queries live
// in sql-security-tasks.ts; this class only binds them to the database.
import type { TaskEvent } from '../../../policy-schemas/src/index.js';
import type { SecurityTaskFilter, SecurityTaskStore, StoredSecurityTask } from './security-task-store.js';
import { SqlAdminStore } from './sql-admin-store.js';
import * as tasks from './sql-security-tasks.js';

/** SecurityTaskStore (and AdminStore) on the SQL database. */
export class SqlSecurityTaskStore extends SqlAdminStore implements SecurityTaskStore {
  createSecurityTask(task: StoredSecurityTask, event: TaskEvent): Promise<void> {
    return tasks.createSecurityTask(this.db, task, event);
  }
  getSecurityTask(taskId: string): Promise<StoredSecurityTask | undefined> {
    return tasks.getSecurityTask(this.db, taskId);
  }
  listSecurityTasks(filter: SecurityTaskFilter): Promise<StoredSecurityTask[]> {
    return tasks.listSecurityTasks(this.db, filter);
  }
  openSecurityTasks(deviceIds?: readonly string[]): Promise<StoredSecurityTask[]> {
    return tasks.openSecurityTasks(this.db, deviceIds);
  }
  updateSecurityTask(task: StoredSecurityTask, expectedRevision: number, events: readonly TaskEvent[]): Promise<void> {
    return tasks.updateSecurityTask(this.db, task, expectedRevision, events);
  }
  securityTaskEvents(taskId: string, limit: number): Promise<TaskEvent[]> {
    return tasks.securityTaskEvents(this.db, taskId, limit);
  }
  openTaskCounts(recommendationIds: readonly string[]): Promise<Map<string, number>> {
    return tasks.openTaskCounts(this.db, recommendationIds);
  }
}
