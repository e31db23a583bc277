// GET /v1/admin/policies/:id/status: Intune's per-policy report. Per device its state (`pending` until it reports the
// latest version) and per setting of the latest version how many devices are succeeded / error / conflict / n.a. / pending.
import { AttacheError } from '../../../common/errors.js';
import {
  intuneCodeOf,
  type PolicyPayload,
  type PolicySettingDevices,
  PolicySettingQuery,
  type PolicyStatusReport,
  SETTING_STATES,
  type SettingState,
} from '../../../policy-schemas/src/index.js';
import type { DeviceRecord, ReportedStatus } from '../store/store.js';
import type { ServiceContext } from './context.js';
import { oneOf, pageSize, queryInvalid, refuseUnknown, single } from './device-list-query.js';
import { type DeviceScope, inScope, scopeGroupNames } from './identity/scope.js';

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

/**
 * The status report of a policy over the devices it is assigned to that are in the admin's scope (null = all);
 * NOT_FOUND when the policy does not exist.
 */
export async function getPolicyStatus(ctx: ServiceContext, policyId: string, scope: DeviceScope): Promise<PolicyStatusReport> {
  const record = await ctx.store.getPolicy(policyId);
  if (!record) throw new AttacheError('NOT_FOUND', `policy ${policyId} does not exist`);
  const names = await scopeGroupNames(ctx, scope);
  const devices: { device: DeviceRecord; reported: ReportedStatus }[] = [];
  for (const deviceId of await ctx.store.deviceIdsAssignedPolicy(policyId)) {
    if (names !== null && !inScope(names, await ctx.store.getDeviceGroups(deviceId))) continue;
    const device = await ctx.store.getDevice(deviceId);
    if (device && !device.revoked) devices.push({ device, reported: await ctx.store.getReportedStatus(deviceId) });
  }
  return policyStatusReport(record.latest.payload, devices);
}

/**
 * The drill-down of the report (query `setting` and `state`, optional `limit` and `cursor`): the devices in the admin's
 * scope whose state for that setting of the latest version is `state`, paged by device id. Undefined when the query
 * has neither `setting` nor `state` (the whole report is asked for).
 */
export async function getPolicySettingDevices(
  ctx: ServiceContext,
  policyId: string,
  query: Readonly<Record<string, unknown>>,
  scopeGroupIds: readonly string[] | null,
): Promise<PolicySettingDevices | undefined> {
  if (Object.keys(query).length === 0) return undefined;
  refuseUnknown(query, Object.keys(PolicySettingQuery.properties));
  const settingId = single(query, 'setting');
  const state = oneOf<SettingState>('state', single(query, 'state'), SETTING_STATES);
  if (settingId === undefined || state === undefined) throw queryInvalid('query parameters setting and state go together: give both');
  const record = await ctx.store.getPolicy(policyId);
  if (!record) throw new AttacheError('NOT_FOUND', `policy ${policyId} does not exist`);
  const { payload } = record.latest;
  if (!(settingId in payload.settings))
    throw queryInvalid(
      `query parameter setting: ${JSON.stringify(settingId.slice(0, 128))} is not a setting of version ${payload.version} of policy ${policyId}`,
    );
  const cursor = single(query, 'cursor');
  const afterDeviceId = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : undefined;
  if (afterDeviceId !== undefined && (cursor !== Buffer.from(afterDeviceId).toString('base64url') || afterDeviceId.length > 128)) {
    throw queryInvalid('query parameter cursor is not a cursor this endpoint issued; pass the nextCursor of the previous page unchanged');
  }
  const page = await ctx.store.policySettingDevices({
    policyId,
    latestVersion: payload.version,
    settingId,
    state,
    limit: pageSize(single(query, 'limit')),
    afterDeviceId,
    scopeGroupIds,
  });
  return {
    policyId,
    settingId,
    state,
    total: page.total,
    // The device's code for the setting, with Intune's beside it (policy-schemas/src/intune-codes.ts).
    devices: page.devices.map(({ code, ...d }) => (code === null ? d : { ...d, code, ...intuneCodeOf(code) })),
    nextCursor: page.nextDeviceId === null ? null : Buffer.from(page.nextDeviceId).toString('base64url'),
  };
}
