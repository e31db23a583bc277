// Migration 0019 (issue 18 §5): security tasks made from vulnerability recommendations, and each task's history of
// status changes. Targeted devices are a JSON list on the task (a deleted device is dropped by the task service).
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { autoId } from './migrations.js';

/** security_tasks (one row per task; `revision` guards concurrent changes) and security_task_events (its history). */
export const securityTasks: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('security_tasks')
      .addColumn('task_id', 'text', (c) => c.primaryKey())
      .addColumn('recommendation_id', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('app_name', 'text', (c) => c.notNull())
      .addColumn('app_publisher', 'text')
      .addColumn('app_version', 'text')
      .addColumn('ecosystem', 'text', (c) => c.notNull())
      .addColumn('mitigation_type', 'text', (c) => c.notNull())
      .addColumn('priority', 'text', (c) => c.notNull())
      .addColumn('due_date_time', 'text')
      .addColumn('assigned_to', 'text')
      .addColumn('creator', 'text', (c) => c.notNull())
      .addColumn('creator_notes', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('completion', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('target_device_ids', 'text', (c) => c.notNull())
      .addColumn('fixed_device_ids', 'text', (c) => c.notNull())
      .addColumn('remediation', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('security_tasks_created').on('security_tasks').columns(['created_at', 'task_id']).execute();
    await db.schema.createIndex('security_tasks_status').on('security_tasks').columns(['status', 'recommendation_id']).execute();
    await db.schema
      .createTable('security_task_events')
      .addColumn('event_id', 'integer', autoId(db))
      .addColumn('task_id', 'text', (c) => c.notNull().references('security_tasks.task_id'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('by', 'text', (c) => c.notNull())
      .addColumn('from_status', 'text')
      .addColumn('to_status', 'text', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('security_task_events_task').on('security_task_events').columns(['task_id', 'event_id']).execute();
  },
};
