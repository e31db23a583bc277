// Table shapes of security tasks (migration 0019, migration-security-tasks.ts), camelCase as kysely sees them.
import type { Generated } from 'kysely';

/** security_tasks: one task; JSON columns are TEXT (targetDeviceIds, fixedDeviceIds, remediation). */
export interface SecurityTaskTable {
  taskId: string;
  recommendationId: string;
  displayName: string;
  description: string;
  appName: string;
  appPublisher: string | null;
  appVersion: string | null;
  ecosystem: string;
  mitigationType: string;
  priority: string;
  dueDateTime: string | null;
  assignedTo: string | null;
  creator: string;
  creatorNotes: string;
  status: string;
  completion: string | null;
  createdAt: string;
  updatedAt: string;
  revision: number;
  targetDeviceIds: string;
  fixedDeviceIds: string;
  remediation: string;
}

/** security_task_events: the history of one task, in insertion order. */
export interface SecurityTaskEventTable {
  eventId: Generated<number>;
  taskId: string;
  at: string;
  by: string;
  fromStatus: string | null;
  toStatus: string;
  note: string;
}
