// The console's read side of the device directory: one page of the filtered, sorted device list and the dashboard
// counts, both computed by the store in SQL and both limited to the admin's scope groups (null = every device).
import type { Dashboard, DevicePage } from '../../../policy-schemas/src/index.js';
import { CHECK_IN_BUCKETS, COMPLIANCE_STATES, DEVICE_POLICY_STATES, PLATFORMS, RISK_LEVELS } from '../../../policy-schemas/src/index.js';
import type { ConnectedDevices } from '../store/device-query.js';
import type { ServiceContext } from './context.js';
import { type DeviceListRequest, encodeDeviceCursor } from './device-list-query.js';
import { deviceView } from './device-views.js';
import { connectedDevices } from './directory.js';

const HOUR_MS = 3_600_000;

/** The devices connected now: this process's sockets and, with replicas, those another live replica holds. */
function connectedNow(ctx: ServiceContext): ConnectedDevices {
  const here = ctx.hub.connectedHere();
  return ctx.presence ? { here, elsewhere: ctx.presence.elsewhere() } : { here };
}

/** One page of the device list in the admin's scope, with the number of matches and the next page's cursor. */
export async function listDevicePage(ctx: ServiceContext, request: DeviceListRequest, scopeGroupIds: readonly string[] | null): Promise<DevicePage> {
  const { connected, ...rest } = request;
  const page = await ctx.store.queryDevices({
    ...rest,
    scopeGroupIds,
    ...(connected === undefined ? {} : { connected: { value: connected, devices: connectedNow(ctx) } }),
  });
  const ids = page.devices.map((d) => d.deviceId);
  const live = await connectedDevices(ctx, ids);
  return {
    devices: page.devices.map((d) => ({
      ...deviceView(d, d.groups, live.has(d.deviceId)),
      complianceState: d.complianceState,
      riskLevel: d.riskLevel,
      policyStatus: d.policyStatus,
    })),
    total: page.total,
    nextCursor: page.nextKey ? encodeDeviceCursor(request.sort, request.order, page.nextKey) : null,
    problems: page.problems,
  };
}

/** Zero for every key, then the store's counts. */
function counted<K extends string>(keys: readonly K[], counts: Readonly<Record<string, number>>): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, counts[k] ?? 0])) as Record<K, number>;
}

/** The dashboard counts of the devices in the admin's scope (check-in buckets relative to the endpoint's clock). */
export async function getDashboard(ctx: ServiceContext, scopeGroupIds: readonly string[] | null): Promise<Dashboard> {
  const now = ctx.clock.now();
  const ago = (ms: number): string => new Date(now - ms).toISOString();
  const counts = await ctx.store.deviceDashboard({
    scopeGroupIds,
    connected: connectedNow(ctx),
    hourAgo: ago(HOUR_MS),
    dayAgo: ago(24 * HOUR_MS),
    weekAgo: ago(7 * 24 * HOUR_MS),
  });
  return {
    generatedAt: new Date(now).toISOString(),
    totals: { devices: counts.total, active: counts.total - counts.revoked, revoked: counts.revoked, connected: counts.connected },
    complianceState: counted(COMPLIANCE_STATES, counts.complianceState),
    riskLevel: counted(RISK_LEVELS, counts.riskLevel),
    platform: counted(PLATFORMS, counts.platform),
    lastCheckIn: counted(CHECK_IN_BUCKETS, counts.lastCheckIn),
    policyStatus: counted(DEVICE_POLICY_STATES, counts.policyStatus),
  };
}
