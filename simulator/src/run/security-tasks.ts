// Security tasks in a scenario (issue 18): createSecurityTask finds the recommendation through the admin API, creates
// the task and, with remediate, accepts it so the endpoint creates updateSoftware actions (tracked like runAction's);
// waitSecurityTask polls the task; recordExposure keeps the hosts per exposure level at that moment, so a run shows
// the fleet's exposure falling as the task is carried out.
import { sleep, systemClock } from '../../../common/clock.js';
import type { ScenarioStep } from '../../../policy-schemas/src/index.js';
import type { HostSpec } from '../fleet/protocol.js';
import { pool } from '../pool.js';
import { complianceCounts, exposureCounts } from './measurements.js';
import type { ExposureSnapshot, SecurityTaskEnd } from './results.js';
import type { StepContext } from './steps.js';

type Step<A extends ScenarioStep['action']> = Extract<ScenarioStep, { action: A }>;

/** Admin calls in flight at once when reading the actions a remediation created. */
const ADMIN_CONCURRENCY = 16;
/** How often a waiting step asks the endpoint again. */
const POLL_MS = 1_000;

export class SecurityTaskSteps {
  /** Scenario task name → task id. */
  private readonly tasks = new Map<string, string>();
  private readonly snapshots: ExposureSnapshot[] = [];

  constructor(private readonly ctx: StepContext) {}

  async create(step: Step<'createSecurityTask'>, index: number): Promise<void> {
    const { ctx } = this;
    const found = (await ctx.admin.recommendations(step.software)).items.filter(
      (r) => r.software === step.software && (!step.ecosystem || r.ecosystem === step.ecosystem) && r.exposedDevices > 0,
    );
    if (found.length !== 1) {
      const which = found.map((r) => r.ecosystem).join(', ');
      throw new Error(
        `step ${index} (createSecurityTask): ${found.length === 0 ? 'no recommendation with exposed devices' : `${found.length} recommendations (${which}): give "ecosystem"`} for software "${step.software}"`,
      );
    }
    const [rec] = found as [(typeof found)[number]];
    const task = await ctx.admin.createSecurityTask({
      recommendationId: rec.recommendationId,
      ...(step.priority ? { priority: step.priority } : {}),
      creatorNotes: step.creatorNotes ?? `scenario ${ctx.scenario.name}`,
    });
    this.tasks.set(step.task, task.taskId);
    ctx.log(`security task ${step.task} "${task.displayName}": ${task.managedDeviceCount} devices`);
    if (!step.remediate) return;
    const accepted = await ctx.admin.setSecurityTaskStatus(task.taskId, { status: 'active', remediate: true });
    const platformOf = new Map(ctx.hosts.map((h: HostSpec) => [h.index, h.platform]));
    let tracked = 0;
    await pool(accepted.devices, ADMIN_CONCURRENCY, async (d) => {
      const host = ctx.hostOfDevice.get(d.deviceId);
      const platform = host === undefined ? undefined : platformOf.get(host);
      if (!d.actionId || host === undefined || !platform) return;
      ctx.actions.adopt(await ctx.admin.action(d.actionId), { host, platform }, index);
      tracked++;
    });
    ctx.log(`security task ${step.task} accepted with remediate: ${tracked} updateSoftware actions (${accepted.task.history.at(-1)?.note ?? ''})`);
  }

  async wait(step: Step<'waitSecurityTask'>, index: number): Promise<void> {
    const { ctx } = this;
    const taskId = this.taskId(step.task);
    const deadline = systemClock.now() + step.timeoutSeconds * 1000;
    for (;;) {
      const { task } = await ctx.admin.securityTask(taskId);
      if (task.status === step.status) {
        ctx.log(
          `security task ${step.task} ${task.status}${task.completion ? ` (${task.completion})` : ''}: ${task.fixedDeviceCount}/${task.managedDeviceCount} fixed`,
        );
        return;
      }
      if (systemClock.now() >= deadline) {
        ctx.problems.push(
          `step ${index} (waitSecurityTask): task ${step.task} not ${step.status} within ${step.timeoutSeconds} s (${task.status}, ${task.fixedDeviceCount}/${task.managedDeviceCount} fixed)`,
        );
        return;
      }
      await sleep(systemClock, POLL_MS);
    }
  }

  /**
   * Records the hosts per exposure level and per compliance state, after waiting (bounded) until every enrolled host
   * has an exposure computed, then one poll more: compliance is re-evaluated by the endpoint just after an exposure is
   * saved (a recompute listener), so both are read once that has had its moment.
   */
  async record(step: Step<'recordExposure'>): Promise<void> {
    const { ctx } = this;
    const deadline = systemClock.now() + (step.timeoutSeconds ?? 0) * 1000;
    let counts = await exposureCounts(ctx.admin, ctx.hostOfDevice);
    while (counts && (counts.unknown ?? 0) > 0 && systemClock.now() < deadline) {
      await sleep(systemClock, POLL_MS);
      counts = await exposureCounts(ctx.admin, ctx.hostOfDevice);
    }
    await sleep(systemClock, POLL_MS);
    counts = await exposureCounts(ctx.admin, ctx.hostOfDevice);
    if (!counts) throw new Error('recordExposure: the endpoint has no vulnerability exposure list');
    const compliance = (await complianceCounts(ctx.admin, ctx.hostOfDevice))?.states;
    this.snapshots.push({ label: step.label, atSeconds: ctx.since(), counts, ...(compliance ? { compliance } : {}) });
    const list = (c: Record<string, number>) =>
      Object.entries(c)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
    ctx.log(`exposure "${step.label}": ${list(counts)}${compliance ? `; compliance ${list(compliance)}` : ''}`);
  }

  /** results.json `exposureSnapshots` and `securityTasks` (each task read once more). */
  async results(): Promise<{ exposureSnapshots?: ExposureSnapshot[]; securityTasks?: Record<string, SecurityTaskEnd> }> {
    const securityTasks: Record<string, SecurityTaskEnd> = {};
    for (const [name, taskId] of this.tasks) {
      const { task } = await this.ctx.admin.securityTask(taskId);
      securityTasks[name] = {
        taskId,
        title: task.displayName,
        status: task.status,
        completion: task.completion,
        managedDeviceCount: task.managedDeviceCount,
        fixedDeviceCount: task.fixedDeviceCount,
        history: task.history.map((e) => `${e.at} ${e.from ?? '∅'} → ${e.to} by ${e.by}${e.note ? `: ${e.note}` : ''}`),
      };
    }
    return {
      ...(this.snapshots.length > 0 ? { exposureSnapshots: [...this.snapshots] } : {}),
      ...(this.tasks.size > 0 ? { securityTasks } : {}),
    };
  }

  private taskId(name: string): string {
    const id = this.tasks.get(name);
    if (!id) throw new Error(`security task "${name}" was not created`);
    return id;
  }
}
