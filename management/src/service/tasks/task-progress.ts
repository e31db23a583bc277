// A security task's per-device progress read from the vulnerability store (the device's latest software and findings)
// and the action store (the last updateSoftware action made from the task), and the wire view of a stored task.
import type { SecurityTask, TaskDeviceProgress, TaskEvent } from '../../../../policy-schemas/src/index.js';
import type { ActionStore } from '../../store/action-store.js';
import type { StoredSecurityTask } from '../../store/security-task-store.js';
import type { StoredPackage, VulnerabilityStore } from '../../store/vulnerability-store.js';
import { type DeviceFix, deviceFix } from './task-rules.js';

/** What progress reads of the vulnerability store. */
export type TaskSoftwareReader = Pick<VulnerabilityStore, 'getDeviceSoftware' | 'packagesByMatchedName' | 'packagesByIds' | 'deviceFindingRows'>;

/** The TaskEvent list a wire task carries (the latest 200). */
export const TASK_HISTORY_LIMIT = 200;

/** The packages of a task's software by id: read once per task check, not every package of every device. */
export type TaskPackages = ReadonlyMap<number, StoredPackage>;

/** Every package of the task's (ecosystem, appName), whichever devices hold it. */
export async function taskPackages(software: TaskSoftwareReader, task: StoredSecurityTask): Promise<TaskPackages> {
  return new Map((await software.packagesByMatchedName(task.ecosystem, task.appName)).map((p) => [p.packageId, p]));
}

/** Whether a targeted device is fixed now, from its latest software upload (task-rules.ts deviceFix). */
export async function fixOf(software: TaskSoftwareReader, task: StoredSecurityTask, deviceId: string, candidates: TaskPackages): Promise<DeviceFix> {
  const upload = await software.getDeviceSoftware(deviceId);
  if (!upload) return deviceFix(task.appVersion, { packages: undefined, findingRemains: true });
  const packages = upload.packageIds.flatMap((id) => candidates.get(id) ?? []);
  const findingRemains =
    task.appVersion === null ? (await software.deviceFindingRows(deviceId)).some((r) => r.recommendationId === task.recommendationId) : false;
  // No package of the software left: fixed if it was removed, not if the device left the ecosystem (an OS upgrade);
  // only then are the device's other packages read.
  const inEcosystem = packages.length > 0 || (await software.packagesByIds(upload.packageIds)).some((p) => p.ecosystem === task.ecosystem);
  return deviceFix(task.appVersion, { packages, findingRemains, inEcosystem });
}

/** The wire task: stored fields, counts (fixed among the devices targeted now) and history. */
export function taskView(task: StoredSecurityTask, history: readonly TaskEvent[]): SecurityTask {
  const { deviceIds, fixedDeviceIds, remediation: _r, revision: _v, ...fields } = task;
  const targeted = new Set(deviceIds);
  return {
    ...fields,
    managedDeviceCount: deviceIds.length,
    fixedDeviceCount: new Set(fixedDeviceIds.filter((id) => targeted.has(id))).size,
    history: [...history],
  };
}

/** Each targeted device's progress, with the last action made for it from the task and that action's status. */
export async function devicesProgress(
  deps: {
    readonly software: TaskSoftwareReader;
    readonly store: Pick<ActionStore, 'getAction'> & { getDevice(id: string): Promise<{ hostname: string } | undefined> };
  },
  task: StoredSecurityTask,
): Promise<TaskDeviceProgress[]> {
  const out: TaskDeviceProgress[] = [];
  const candidates = await taskPackages(deps.software, task);
  for (const deviceId of task.deviceIds) {
    const [device, fix] = await Promise.all([deps.store.getDevice(deviceId), fixOf(deps.software, task, deviceId, candidates)]);
    const actionId = task.remediation[deviceId] ?? null;
    const action = actionId ? await deps.store.getAction(actionId) : undefined;
    out.push({
      deviceId,
      deviceName: device?.hostname ?? '(deleted)',
      fixed: fix.fixed,
      installedVersion: fix.installedVersion,
      actionId: action ? actionId : null,
      actionStatus: action?.status ?? null,
    });
  }
  return out;
}
