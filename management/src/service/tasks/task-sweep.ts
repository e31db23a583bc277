// The leader's security-task sweep (review18 M6): completion must not hang on one device's recompute event. Every open
// task is checked against all its targeted devices (a lost or conflicting update after a recompute, a recompute that
// never happened), and devices that are deleted, revoked or offboarded are dropped with a history note, never counted
// fixed. endpoint.ts runs it on the leader every TASK_SWEEP_MS.

import type { Clock } from '../../../../common/clock.js';
import { endOfTurn, isoNow } from '../../../../common/clock.js';
import type { TaskEvent } from '../../../../policy-schemas/src/index.js';
import type { StoredSecurityTask } from '../../store/security-task-store.js';
import type { ManagementStore } from '../../store/store.js';

/** How often the leader sweeps open tasks. */
export const TASK_SWEEP_MS = 30 * 60_000;

type Change = { task: StoredSecurityTask; events: TaskEvent[] } | undefined;

export interface TaskSweepDeps {
  readonly store: Pick<ManagementStore, 'getDevices'> & { openSecurityTasks(): Promise<StoredSecurityTask[]> };
  readonly clock: Pick<Clock, 'now'>;
  /** SecurityTaskService's completion check over `touched` devices (fixed list, automatic completion). */
  readonly progressed: (task: StoredSecurityTask, touched: ReadonlySet<string>) => Promise<Change>;
  /** SecurityTaskService's optimistic update, again on the fresh task after a CONFLICT. */
  readonly change: (task: StoredSecurityTask, change: (t: StoredSecurityTask) => Promise<Change>) => Promise<boolean>;
}

/** Why each targeted device can never be fixed any more (absent: still managed), from one read of the devices. */
async function goneReasons(store: TaskSweepDeps['store'], deviceIds: readonly string[]): Promise<Map<string, string>> {
  const devices = new Map((await store.getDevices(deviceIds)).map((d) => [d.deviceId, d]));
  const gone = new Map<string, string>();
  for (const id of deviceIds) {
    const device = devices.get(id);
    const why = !device ? 'deleted' : device.revoked ? 'revoked' : device.offboardedAt ? 'offboarded' : null;
    if (why) gone.set(id, why);
  }
  return gone;
}

/** One sweep over every open task; returns the tasks changed. */
export async function sweepOpenTasks(deps: TaskSweepDeps): Promise<number> {
  let changed = 0;
  for (const task of await deps.store.openSecurityTasks()) {
    const wrote = await deps.change(task, async (t) => {
      if (t.status !== 'pending' && t.status !== 'active') return undefined; // closed meanwhile
      const gone = await goneReasons(deps.store, t.deviceIds);
      const at = isoNow(deps.clock);
      const deviceIds = t.deviceIds.filter((id) => !gone.has(id));
      const base: StoredSecurityTask = { ...t, deviceIds, fixedDeviceIds: t.fixedDeviceIds.filter((id) => !gone.has(id)) };
      const events: TaskEvent[] = [...gone].map(([id, why]) => ({
        at,
        by: 'system',
        from: t.status,
        to: t.status,
        note: `device ${id} was ${why}: dropped from the task`,
      }));
      const progress = await deps.progressed(base, new Set(deviceIds));
      if (progress) return { task: progress.task, events: [...events, ...progress.events] };
      return events.length > 0 ? { task: { ...base, updatedDateTime: at }, events } : undefined;
    });
    if (wrote) changed++;
    await endOfTurn();
  }
  return changed;
}
