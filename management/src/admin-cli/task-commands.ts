// Admin CLI commands of security tasks (issue 18, Intune's security tasks): `task create|list|show` and the status
// changes `task accept|reject|complete|reopen` (`--remediate` with accept: updateSoftware actions for the devices not
// fixed yet). Values the request schema refuses are USAGE_INVALID naming the option before any request.
import type { Command } from 'commander';
import { Option } from 'commander';
import {
  type CreateSecurityTaskRequest,
  type SecurityTaskDetail,
  TASK_STATUSES,
  type TaskStatus,
  type UpdateSecurityTaskRequest,
} from '../../../policy-schemas/src/index.js';
import { MAX_TASK_PAGE } from '../service/tasks/security-tasks.js';
import { resolveDevice } from './action-commands.js';
import type { AdminClient } from './admin-client.js';
import { pageSize } from './audit-commands.js';
import { usage } from './cli-errors.js';
import { taskDetails, tasksTable } from './task-views.js';

/** What the commands need from cli.ts. */
export interface TaskCommandDeps {
  readonly program: Command;
  readonly client: () => Promise<AdminClient>;
  readonly print: (value: unknown, human: () => string) => void;
}

interface CreateFlags {
  readonly recommendation: string;
  readonly device?: readonly string[];
  readonly priority?: 'none' | 'high' | 'low';
  readonly due?: string;
  readonly assignedTo?: string;
  readonly notes?: string;
}

interface ChangeFlags {
  readonly note?: string;
  readonly remediate?: boolean;
}

/** The endpoint's largest page of tasks. */

/** The request of `task create` from its flags (devices resolved by the caller). */
export function createRequestFromFlags(flags: CreateFlags, deviceIds: readonly string[] | undefined): CreateSecurityTaskRequest {
  if (!/^[0-9a-f]{32}$/.test(flags.recommendation)) throw usage('--recommendation must be a recommendation id (32 lowercase hex digits)');
  if (flags.due !== undefined && Number.isNaN(Date.parse(flags.due)))
    throw usage(`--due "${flags.due}" is not a date and time (RFC 3339, e.g. 2025-04-01T00:00:00Z)`);
  return {
    recommendationId: flags.recommendation,
    ...(flags.priority ? { priority: flags.priority } : {}),
    ...(flags.due !== undefined ? { dueDateTime: new Date(flags.due).toISOString() } : {}),
    ...(flags.assignedTo !== undefined ? { assignedTo: flags.assignedTo } : {}),
    ...(flags.notes !== undefined ? { creatorNotes: flags.notes } : {}),
    ...(deviceIds ? { deviceIds: [...deviceIds] } : {}),
  };
}

/** The request of a status command: `reject` needs a note; `--remediate` only with accept. */
export function changeRequest(status: TaskStatus, flags: ChangeFlags): UpdateSecurityTaskRequest {
  if (status === 'rejected' && !flags.note?.trim()) throw usage('reject needs --note saying why');
  if (flags.remediate && status !== 'active') throw usage('--remediate applies only to accept');
  return { status, ...(flags.note !== undefined ? { note: flags.note } : {}), ...(flags.remediate ? { remediate: true } : {}) };
}

const CHANGES: readonly { readonly command: string; readonly status: TaskStatus; readonly description: string }[] = [
  { command: 'accept', status: 'active', description: 'accept a pending task (active); --remediate also on an active task, to try again' },
  { command: 'reject', status: 'rejected', description: 'reject a pending or active task (a note is required)' },
  { command: 'complete', status: 'completed', description: 'mark an active task completed (manual completion)' },
  { command: 'reopen', status: 'pending', description: 'reopen a rejected task (pending)' },
];

/** Registers `task create|list|show|accept|reject|complete|reopen` on the program. */
export function registerTaskCommands(d: TaskCommandDeps): void {
  const task = d.program.command('task').description('security tasks: remediate a vulnerability recommendation on its exposed devices');
  const show = (detail: SecurityTaskDetail) => d.print(detail, () => taskDetails(detail));
  task
    .command('create')
    .description('create a task from a recommendation for its exposed devices (or the --device ones among them)')
    .requiredOption('--recommendation <id>', 'the recommendation (attache-admin vulnerabilities recommendations)')
    .option('--device <id|hostname>', 'only this exposed device; repeatable', (value: string, previous: string[] = []) => [...previous, value])
    .addOption(new Option('--priority <priority>', 'none (default), high or low').choices(['none', 'high', 'low']))
    .option('--due <datetime>', 'due date and time (RFC 3339)')
    .option('--assigned-to <who>', 'who carries it out')
    .option('--notes <text>', 'notes for whoever carries it out')
    .action(async (flags: CreateFlags) => {
      const api = await d.client();
      const deviceIds = flags.device ? await Promise.all(flags.device.map((v) => resolveDevice(api, v))) : undefined;
      const created = await api.createSecurityTask(createRequestFromFlags(flags, deviceIds));
      show(await api.getSecurityTask(created.taskId));
    });
  task
    .command('list')
    .description('security tasks, newest first')
    .addOption(new Option('--status <status>', 'tasks in this status').choices(TASK_STATUSES))
    .option('--limit <n>', `tasks per page (1-${MAX_TASK_PAGE}, default 50)`, pageSize(MAX_TASK_PAGE))
    .option('--cursor <cursor>', 'continue after a previous page (its "more: --cursor" value)')
    .action(async (flags: { status?: string; limit?: number; cursor?: string }) => {
      const page = await (await d.client()).listSecurityTasks({ status: flags.status, limit: flags.limit, cursor: flags.cursor });
      d.print(page, () => tasksTable(page.items, page.nextCursor));
    });
  task
    .command('show <taskId>')
    .description("one task: its fields, each device's progress (fixed, installed version, last action) and history")
    .action(async (taskId: string) => show(await (await d.client()).getSecurityTask(taskId)));
  for (const change of CHANGES) {
    const command = task.command(`${change.command} <taskId>`).description(change.description).option('--note <text>', 'why (required to reject)');
    if (change.command === 'accept') command.option('--remediate', 'also create an updateSoftware action for every targeted device not fixed yet');
    command.action(async (taskId: string, flags: ChangeFlags) => {
      const request = changeRequest(change.status, flags);
      show(await (await d.client()).changeSecurityTask(taskId, request));
    });
  }
}
