// Security tasks (issue 18 §5, Graph's appVulnerabilityTask): made from a vulnerability recommendation for its exposed
// devices, moved through pending → active → completed (or rejected) with every change in the history, completed by
// the system once every targeted device is fixed (checked after each exposure recompute), and remediated through
// updateSoftware actions. docs/vulnerabilities.md "Security tasks".
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../../common/clock.js';
import { isoNow } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import { validate } from '../../../../common/validation.js';
import {
  CreateSecurityTaskRequest,
  type MachineAction,
  type SecurityTask,
  type SecurityTaskDetail,
  type SecurityTaskList,
  TASK_STATUSES,
  type TaskEvent,
  type TaskStatus,
  UpdateSecurityTaskRequest,
} from '../../../../policy-schemas/src/index.js';
import type { Logger } from '../../logging.js';
import type { SecurityTaskStore, StoredSecurityTask } from '../../store/security-task-store.js';
import type { ManagementStore } from '../../store/store.js';
import { cursorOf, keysetCursor } from '../actions/action-views.js';
import { oneOf, pageSize, refuseUnknown, single } from '../device-list-query.js';
import type { Actor, VulnerabilityService } from '../vulnerabilities/contracts.js';
import { devicesProgress, fixOf, TASK_HISTORY_LIMIT, type TaskSoftwareReader, taskPackages, taskView } from './task-progress.js';
import { checkText, checkTransition, mitigationTypeOf } from './task-rules.js';
import { sweepOpenTasks } from './task-sweep.js';

/** Creates one updateSoftware action for a task (service/actions/action-create.ts createAction, as the admin). */
export type UpdateSoftwareCreator = (
  deviceId: string,
  body: { comment: string; packages: { name: string; fixedVersion?: string }[] },
  taskId: string,
) => Promise<MachineAction>;

export interface SecurityTaskDeps {
  readonly store: SecurityTaskStore & Pick<ManagementStore, 'getDevice' | 'getDevices' | 'getAction'>;
  readonly software: TaskSoftwareReader;
  readonly recommendation: VulnerabilityService['recommendation'];
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  readonly newId?: () => string;
  /** updateSoftware actions one remediate request tries at most (default REMEDIATION_BATCH). */
  readonly remediationBatch?: number;
}

/**
 * Each action is created, signed and pushed inside the request: 200 keep it to seconds. A larger task is remediated by
 * sending `remediate` again (devices without an action from the task go first), as the history note says.
 */
export const REMEDIATION_BATCH = 200;

const DEFAULT_PAGE = 50;
/** The largest page of tasks a list answers (the admin CLI's --limit bound too). */
export const MAX_TASK_PAGE = 200;

/** Devices one task targets at most (CreateSecurityTaskRequest deviceIds maxItems, the recommendation detail's devices). */
export const MAX_TASK_DEVICES = 10_000;
/** Changes of one task stored on a stale revision are made again on the fresh task this many times. */
const CHANGE_ATTEMPTS = 4;
const SYSTEM = 'system';

/** The service behind /v1/admin/security-tasks and the completion check. */
export class SecurityTaskService {
  private readonly log: Logger;
  constructor(private readonly deps: SecurityTaskDeps) {
    this.log = deps.logger.child({ component: 'security-tasks' });
  }

  /** POST /v1/admin/security-tasks: the recommendation's exposed devices now (or the given subset of them). */
  async create(rawBody: unknown, by: Actor): Promise<SecurityTask> {
    const body = validate(CreateSecurityTaskRequest, rawBody, 'security task request');
    checkText({ creatorNotes: body.creatorNotes, assignedTo: body.assignedTo });
    const now = isoNow(this.deps.clock);
    if (body.dueDateTime && Date.parse(body.dueDateTime) < Date.parse(now))
      throw new AttacheError('TASK_INVALID', `dueDateTime: ${body.dueDateTime} is in the past`);
    const { recommendation: rec, devices } = await this.deps.recommendation(body.recommendationId);
    // The detail lists at most MAX_TASK_DEVICES devices: a task for all of more would silently cover only those.
    const listedAll = rec.exposedDevices <= devices.length;
    if (!body.deviceIds && !listedAll) {
      throw new AttacheError(
        'TASK_INVALID',
        `recommendation ${rec.recommendationId} has ${rec.exposedDevices} exposed devices, more than the ${MAX_TASK_DEVICES} one task targets: create tasks for parts of them with deviceIds`,
      );
    }
    const exposed = new Set(devices.map((d) => d.deviceId));
    const stranger = body.deviceIds?.find((id) => !exposed.has(id));
    if (stranger) {
      const among = listedAll ? '' : ` (among the first ${devices.length} by id that a task can be made from)`;
      throw new AttacheError('TASK_INVALID', `deviceIds: device ${stranger} is not exposed to recommendation ${rec.recommendationId}${among}`);
    }
    const deviceIds = [...new Set(body.deviceIds ?? devices.map((d) => d.deviceId))];
    if (deviceIds.length === 0) throw new AttacheError('TASK_INVALID', `recommendation ${rec.recommendationId} has no exposed device: nothing to remediate`);
    const task: StoredSecurityTask = {
      taskId: (this.deps.newId ?? randomUUID)(),
      displayName: rec.title,
      description: `${rec.title}: ${rec.advisories} advisories (${rec.cves} CVEs, highest severity ${rec.highestSeverity}) on ${deviceIds.length} devices`,
      recommendationId: rec.recommendationId,
      appName: rec.software,
      appPublisher: rec.vendor,
      appVersion: rec.fixedVersion,
      ecosystem: rec.ecosystem,
      mitigationType: mitigationTypeOf(rec.ecosystem),
      priority: body.priority ?? 'none',
      dueDateTime: body.dueDateTime ?? null,
      assignedTo: body.assignedTo ?? null,
      creator: by.username,
      creatorNotes: body.creatorNotes ?? '',
      status: 'pending',
      completion: null,
      createdDateTime: now,
      updatedDateTime: now,
      revision: 1,
      deviceIds,
      fixedDeviceIds: [],
      remediation: {},
    };
    const event: TaskEvent = { at: now, by: by.username, from: null, to: 'pending', note: `created for ${deviceIds.length} devices` };
    await this.deps.store.createSecurityTask(task, event);
    this.log.info('security task created', { taskId: task.taskId, recommendationId: rec.recommendationId, devices: deviceIds.length });
    return taskView(task, [event]);
  }

  /** GET /v1/admin/security-tasks?status&limit&cursor: newest first (limit 1–200, default 50). */
  async list(query: Readonly<Record<string, unknown>>): Promise<SecurityTaskList> {
    refuseUnknown(query, ['status', 'limit', 'cursor']);
    const status = oneOf<TaskStatus>('status', single(query, 'status'), TASK_STATUSES);
    const limit = pageSize(single(query, 'limit'), { defaultSize: DEFAULT_PAGE, max: MAX_TASK_PAGE });
    const cursor = cursorOf(single(query, 'cursor'));
    const before = cursor && { createdAt: cursor.createdAt, taskId: cursor.actionId };
    const rows = await this.deps.store.listSecurityTasks({ ...(status ? { status } : {}), ...(before ? { before } : {}), limit: limit + 1 });
    const page = rows.slice(0, limit);
    const items = await Promise.all(page.map(async (t) => taskView(t, await this.deps.store.securityTaskEvents(t.taskId, TASK_HISTORY_LIMIT))));
    const last = page.at(-1);
    return { items, nextCursor: rows.length > limit && last ? keysetCursor(last.createdDateTime, last.taskId) : null };
  }

  /** GET /v1/admin/security-tasks/:id. */
  async detail(taskId: string): Promise<SecurityTaskDetail> {
    const task = await this.require(taskId);
    const [history, devices] = await Promise.all([this.deps.store.securityTaskEvents(taskId, TASK_HISTORY_LIMIT), devicesProgress(this.deps, task)]);
    return { task: taskView(task, history), devices };
  }

  /**
   * POST /v1/admin/security-tasks/:id/status. With `remediate` (status active) an updateSoftware action is created for
   * every targeted device not fixed yet; a device refused (an update in flight, offboarded…) is listed in the history
   * note and never fails the change.
   */
  async changeStatus(taskId: string, rawBody: unknown, by: Actor, createUpdate?: UpdateSoftwareCreator): Promise<SecurityTaskDetail> {
    const body = validate(UpdateSecurityTaskRequest, rawBody, 'security task change');
    checkText({ note: body.note });
    if (body.remediate && !createUpdate) throw new AttacheError('TASK_INVALID', 'remediate: not available here');
    const current = await this.require(taskId);
    checkTransition(current.status, body.status, { note: body.note, remediate: body.remediate, by: 'admin' });
    const at = isoNow(this.deps.clock);
    const changed: StoredSecurityTask = {
      ...current,
      status: body.status,
      completion: body.status === 'completed' ? 'manual' : null,
      updatedDateTime: at,
      revision: current.revision + 1,
    };
    const event: TaskEvent = { at, by: by.username, from: current.status, to: body.status, note: body.note ?? '' };
    await this.deps.store.updateSecurityTask(changed, current.revision, [event]);
    this.log.info('security task changed', { taskId, from: current.status, to: body.status, by: by.username });
    if (body.remediate && createUpdate) await this.remediate(taskId, by, createUpdate);
    return this.detail(taskId);
  }

  /** Open tasks per recommendation (the recommendations' `openTasks`). */
  openTaskCounts(recommendationIds: readonly string[]): Promise<Map<string, number>> {
    return this.deps.store.openTaskCounts(recommendationIds);
  }

  /**
   * A recompute listener (VulnerabilityService.onRecomputed): the open tasks targeting these devices learn which are
   * fixed now; a task whose every targeted device is fixed completes itself (by `system`, completion automatic).
   */
  async onRecomputed(deviceIds: readonly string[]): Promise<void> {
    const touched = new Set(deviceIds);
    for (const task of await this.deps.store.openSecurityTasks(deviceIds)) {
      if (!task.deviceIds.some((id) => touched.has(id))) continue;
      await this.changeFresh(task, async (t) => this.progressed(t, touched));
    }
  }

  /**
   * The leader's sweep (task-sweep.ts, review18 M6): every open task checked against all its devices; deleted, revoked
   * and offboarded devices dropped with a note. Returns the tasks changed.
   */
  sweep(): Promise<number> {
    return sweepOpenTasks({
      store: this.deps.store,
      clock: this.deps.clock,
      progressed: (task, touched) => this.progressed(task, touched),
      change: (task, change) => this.changeFresh(task, change),
    });
  }

  /** A deleted device: dropped from every open task targeting it, with a history note (never counted as fixed). */
  async forgetDevice(deviceId: string): Promise<void> {
    for (const task of await this.deps.store.openSecurityTasks([deviceId])) {
      if (!task.deviceIds.includes(deviceId)) continue;
      await this.changeFresh(task, async (t) => {
        if (!t.deviceIds.includes(deviceId)) return undefined;
        const at = isoNow(this.deps.clock);
        const next = { ...t, deviceIds: t.deviceIds.filter((id) => id !== deviceId), fixedDeviceIds: t.fixedDeviceIds.filter((id) => id !== deviceId) };
        return {
          task: { ...next, updatedDateTime: at },
          events: [{ at, by: SYSTEM, from: t.status, to: t.status, note: `device ${deviceId} was deleted: dropped from the task` }],
        };
      });
    }
  }

  private async progressed(task: StoredSecurityTask, touched: ReadonlySet<string>): Promise<{ task: StoredSecurityTask; events: TaskEvent[] } | undefined> {
    if (task.status !== 'pending' && task.status !== 'active') return undefined; // closed meanwhile
    const fixed = new Set(task.fixedDeviceIds);
    const mine = task.deviceIds.filter((d) => touched.has(d));
    const candidates = mine.length > 0 ? await taskPackages(this.deps.software, task) : new Map();
    for (const id of mine) {
      if ((await fixOf(this.deps.software, task, id, candidates)).fixed) fixed.add(id);
      else fixed.delete(id);
    }
    const fixedDeviceIds = task.deviceIds.filter((id) => fixed.has(id));
    const complete = task.deviceIds.length > 0 && fixedDeviceIds.length === task.deviceIds.length;
    if (!complete && fixedDeviceIds.join() === task.fixedDeviceIds.join()) return undefined;
    const at = isoNow(this.deps.clock);
    if (!complete) return { task: { ...task, fixedDeviceIds, updatedDateTime: at }, events: [] };
    checkTransition(task.status, 'completed', { by: 'system' });
    const note = `every targeted device is fixed (${fixedDeviceIds.length}/${task.deviceIds.length})`;
    this.log.info('security task completed', { taskId: task.taskId, devices: task.deviceIds.length });
    return {
      task: { ...task, fixedDeviceIds, status: 'completed', completion: 'automatic', updatedDateTime: at },
      events: [{ at, by: SYSTEM, from: task.status, to: 'completed', note }],
    };
  }

  private async remediate(taskId: string, by: Actor, createUpdate: UpdateSoftwareCreator): Promise<void> {
    const task = await this.require(taskId);
    const batch = this.deps.remediationBatch ?? REMEDIATION_BATCH;
    const created: Record<string, string> = {};
    const refused: string[] = [];
    const comment = `Security task ${task.taskId}: ${task.displayName}`.slice(0, 1000);
    const packages = [{ name: task.appName, ...(task.appVersion ? { fixedVersion: task.appVersion } : {}) }];
    // Devices without an action from this task first, so the next request continues where this one stopped.
    const order = [...task.deviceIds.filter((id) => !task.remediation[id]), ...task.deviceIds.filter((id) => task.remediation[id])];
    const candidates = await taskPackages(this.deps.software, task);
    let tried = 0;
    let notTried = 0;
    for (const [k, deviceId] of order.entries()) {
      if (tried >= batch) {
        notTried = order.length - k;
        break;
      }
      if ((await fixOf(this.deps.software, task, deviceId, candidates)).fixed) continue;
      tried += 1;
      try {
        created[deviceId] = (await createUpdate(deviceId, { comment, packages }, task.taskId)).id;
      } catch (err) {
        if (!(err instanceof AttacheError)) throw err;
        refused.push(`${deviceId}: ${err.code} ${err.message}`);
      }
    }
    const ids = Object.values(created);
    // Counts first, then refusals, then the action ids (also in the detail per device): the note is cut at 2,000 characters.
    const parts = [`remediation: ${ids.length} updateSoftware actions created`];
    if (notTried > 0) parts.push(`${notTried} devices not tried (at most ${batch} per request): remediate again to continue`);
    if (refused.length > 0) parts.push(`refused on ${refused.length} devices: ${refused.join('; ')}`);
    if (ids.length > 0) parts.push(`actions ${ids.join(', ')}`);
    const note = parts.join('; ').slice(0, 2000);
    await this.changeFresh(task, async (t) => {
      const at = isoNow(this.deps.clock);
      return {
        task: { ...t, remediation: { ...t.remediation, ...created }, updatedDateTime: at },
        events: [{ at, by: by.username, from: t.status, to: t.status, note }],
      };
    });
  }

  /** Applies `change` to the task, again on the freshly read task when another change was stored meanwhile. */
  private async changeFresh(
    first: StoredSecurityTask,
    change: (t: StoredSecurityTask) => Promise<{ task: StoredSecurityTask; events: TaskEvent[] } | undefined>,
  ): Promise<boolean> {
    let task: StoredSecurityTask | undefined = first;
    for (let attempt = 1; task; attempt++) {
      const next = await change(task);
      if (!next) return false;
      try {
        await this.deps.store.updateSecurityTask({ ...next.task, revision: task.revision + 1 }, task.revision, next.events);
        return true;
      } catch (err) {
        if (!(err instanceof AttacheError) || err.code !== 'CONFLICT' || attempt >= CHANGE_ATTEMPTS) throw err;
        task = await this.deps.store.getSecurityTask(first.taskId);
      }
    }
    return false;
  }

  private async require(taskId: string): Promise<StoredSecurityTask> {
    const task = await this.deps.store.getSecurityTask(taskId);
    if (!task) throw new AttacheError('TASK_NOT_FOUND', `no security task ${taskId}`);
    return task;
  }
}
