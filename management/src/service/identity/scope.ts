// Scope tags: an admin scoped to device groups sees and acts only on devices in them; any other device is NOT_FOUND
// to it (its existence is not revealed). Scope = the admin's scopeGroupIds; null = every device.
import { AttacheError } from '../../../../common/errors.js';
import type { ServiceContext } from '../context.js';

/** An admin's scope: group ids, or null for every device. */
export type DeviceScope = readonly string[] | null;

/** Names of the scope's groups (device listings carry group names), or null for every device. */
export async function scopeGroupNames(ctx: Pick<ServiceContext, 'store'>, scope: DeviceScope | undefined): Promise<Set<string> | null> {
  if (scope === null || scope === undefined) return null;
  const { groups } = await ctx.store.listGroups();
  const ids = new Set(scope);
  return new Set(groups.filter((g) => ids.has(g.groupId)).map((g) => g.name));
}

/** Whether a device in groups `groupNames` is inside `names` (null = unscoped). */
export function inScope(names: Set<string> | null, groupNames: readonly string[]): boolean {
  return names === null || groupNames.some((g) => names.has(g));
}

/** Of `devices`, those inside the scope. */
export async function devicesInScope<T extends { readonly groups: readonly string[] }>(
  ctx: Pick<ServiceContext, 'store'>,
  devices: readonly T[],
  scope: DeviceScope | undefined,
): Promise<T[]> {
  const names = await scopeGroupNames(ctx, scope);
  return names === null ? [...devices] : devices.filter((d) => inScope(names, d.groups));
}

/** NOT_FOUND (as for an unknown device) unless the device is in one of the scope's groups. */
export async function requireDeviceInScope(ctx: Pick<ServiceContext, 'store'>, deviceId: string, scope: DeviceScope | undefined): Promise<void> {
  const names = await scopeGroupNames(ctx, scope);
  if (names === null) return;
  if (!inScope(names, await ctx.store.getDeviceGroups(deviceId))) throw new AttacheError('NOT_FOUND', `device ${deviceId} does not exist`);
}

/** ADMIN_FORBIDDEN unless every group is one of the scope's groups (null = unscoped). */
export function requireGroupsInScope(groupIds: readonly string[], scope: DeviceScope | undefined): void {
  if (scope === null || scope === undefined) return;
  const outside = groupIds.filter((g) => !scope.includes(g));
  if (outside.length > 0) {
    throw new AttacheError('ADMIN_FORBIDDEN', `scoped admins may only change groups in their scope; outside it: group ${[...new Set(outside)].join(', ')}`);
  }
}
