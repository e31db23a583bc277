// GET /v1/admin/policies/:id/status: Intune's per-policy report. Per device its state (`pending` until it reports the
// latest version) and per setting of the latest version how many devices are succeeded / error / conflict / n.a. / pending.
import { AttacheError } from '../../../common/errors.js';
import type { PolicyPayload, PolicyStatusReport, SettingState } from '../../../policy-schemas/src/index.js';
import type { DeviceRecord, ReportedStatus } from '../store/store.js';
import type { ServiceContext } from './context.js';

type Counts = PolicyStatusReport['counts'];

const zero = (): Counts => ({ succeeded: 0, error: 0, conflict: 0, notApplicable: 0, pending: 0 });

/** Builds the report of `policy` (its latest version) from what each assigned device last reported. Pure. */
export function policyStatusReport(policy: PolicyPayload, devices: readonly { device: DeviceRecord; reported: ReportedStatus }[]): PolicyStatusReport {
  const settingIds = Object.keys(policy.settings).sort();
  const perSetting = new Map(settingIds.map((id) => [id, zero()]));
  const counts = zero();
  const rows = devices.map(({ device, reported }) => {
    const r = reported.policies.find((p) => p.policyId === policy.policyId);
    const current = r !== undefined && r.version === policy.version;
    const state: SettingState = current ? r.state : 'pending';
    counts[state]++;
    for (const settingId of settingIds) {
      // A setting's state counts only once the device runs this version; it may be merged with other policies.
      const s = current ? reported.settings.find((x) => x.settingId === settingId && x.policyIds.includes(policy.policyId)) : undefined;
      (perSetting.get(settingId) as Counts)[s?.state ?? 'pending']++;
    }
    return {
      deviceId: device.deviceId,
      hostname: device.hostname,
      platform: device.platform,
      reportedVersion: r?.version ?? null,
      state,
      lastReportAt: reported.lastReportAt,
    };
  });
  return {
    policyId: policy.policyId,
    name: policy.name,
    kind: policy.kind,
    latestVersion: policy.version,
    counts,
    devices: rows,
    settings: settingIds.map((settingId) => ({ settingId, ...(perSetting.get(settingId) as Counts) })),
  };
}

/** The status report of a policy over the devices it is assigned to; NOT_FOUND when the policy does not exist. */
export async function getPolicyStatus(ctx: ServiceContext, policyId: string): Promise<PolicyStatusReport> {
  const record = await ctx.store.getPolicy(policyId);
  if (!record) throw new AttacheError('NOT_FOUND', `policy ${policyId} does not exist`);
  const devices: { device: DeviceRecord; reported: ReportedStatus }[] = [];
  for (const deviceId of await ctx.store.deviceIdsAssignedPolicy(policyId)) {
    const device = await ctx.store.getDevice(deviceId);
    if (device && !device.revoked) devices.push({ device, reported: await ctx.store.getReportedStatus(deviceId) });
  }
  return policyStatusReport(record.latest.payload, devices);
}
