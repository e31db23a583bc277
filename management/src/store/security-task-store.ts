// The storage boundary of security tasks (issue 18 §5, migration 0019): each task as Graph's appVulnerabilityTask with
// the devices it targets, which of them were last seen fixed, the updateSoftware action made per device, and its history.
import type { SecurityTask, TaskEvent, TaskStatus } from '../../../policy-schemas/src/index.js';

/** A task as stored: the wire fields that are not derived, plus what the task service needs to track progress. */
export interface StoredSecurityTask extends Omit<SecurityTask, 'history' | 'managedDeviceCount' | 'fixedDeviceCount'> {
  /** The devices targeted now (a deleted device is dropped, with a history note). */
  readonly deviceIds: readonly string[];
  /** The targeted devices last found fixed (the completion check keeps it). */
  readonly fixedDeviceIds: readonly string[];
  /** The last updateSoftware action id made from this task, per device. */
  readonly remediation: Readonly<Record<string, string>>;
  /** Bumped by every change: a change is stored only on the revision it was made from. */
  readonly revision: number;
}

/** List filter, newest first, keyset on (createdDateTime, taskId). */
export interface SecurityTaskFilter {
  readonly status?: TaskStatus;
  readonly before?: { readonly createdAt: string; readonly taskId: string };
  readonly limit: number;
}

/** Up to this many device ids, openSecurityTasks filters in SQL; above, it reads every open task (a full recompute). */
export const OPEN_TASK_DEVICE_FILTER = 50;

export interface SecurityTaskStore {
  /** Inserts a task (revision 1) with its first history event. */
  createSecurityTask(task: StoredSecurityTask, event: TaskEvent): Promise<void>;
  getSecurityTask(taskId: string): Promise<StoredSecurityTask | undefined>;
  listSecurityTasks(filter: SecurityTaskFilter): Promise<StoredSecurityTask[]>;
  /**
   * Tasks still open (pending or active): the ones the completion check looks at; with `deviceIds`, only those
   * targeting any of them (filtered in SQL for up to OPEN_TASK_DEVICE_FILTER ids, so a software upload does not read
   * every open task's device list).
   */
  openSecurityTasks(deviceIds?: readonly string[]): Promise<StoredSecurityTask[]>;
  /**
   * Stores `task` (its revision must be `expectedRevision + 1`) and appends `events`, in one transaction, only when the
   * stored revision is still `expectedRevision`: CONFLICT otherwise, TASK_NOT_FOUND when the task is gone.
   */
  updateSecurityTask(task: StoredSecurityTask, expectedRevision: number, events: readonly TaskEvent[]): Promise<void>;
  /** The task's history, oldest first; the latest `limit` events when it has more. */
  securityTaskEvents(taskId: string, limit: number): Promise<TaskEvent[]>;
  /** Open tasks per recommendation id (recommendations absent from the map have none). */
  openTaskCounts(recommendationIds: readonly string[]): Promise<Map<string, number>>;
}
