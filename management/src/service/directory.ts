// The device directory as admins see and change it: device records, status, events, sync requests, revocation
// (groups, tags and assignments are in groups.ts).

import { AttacheError } from '../../../common/errors.js';
import type { Device, DeviceEvents, DeviceStatus } from '../../../policy-schemas/src/index.js';
import { PUSH_CLOSE } from '../push/push-hub.js';
import { type DeviceRecord, EVENTS_PER_DEVICE } from '../store/store.js';
import type { StoreProblem } from '../store/stored-json.js';
import type { ServiceContext } from './context.js';
import { deviceStatus, deviceView } from './device-views.js';
import { type DeviceScope, devicesInScope } from './identity/scope.js';
import { nudgeAnywhere } from './presence.js';

/** The device record; NOT_FOUND when unknown. */
export async function requireDevice(ctx: ServiceContext, deviceId: string): Promise<DeviceRecord> {
  const device = await ctx.store.getDevice(deviceId);
  if (!device) throw new AttacheError('NOT_FOUND', `device ${deviceId} does not exist`);
  return device;
}

/**
 * Every readable device (of a scoped admin: in its groups) with its groups and whether its push channel is open, and
 * the device rows that are corrupt.
 */
export async function listDevices(ctx: ServiceContext, scope?: DeviceScope): Promise<{ devices: Device[]; problems: StoreProblem[] }> {
  const listing = await ctx.store.listDevices();
  const devices = await devicesInScope(ctx, listing.devices, scope);
  const problems = scope ? [] : listing.problems;
  const connected = await connectedDevices(
    ctx,
    devices.map((d) => d.deviceId),
  );
  return { devices: devices.map((d) => deviceView(d, d.groups, connected.has(d.deviceId))), problems };
}

/** One device with its groups and push state; NOT_FOUND when unknown. */
export async function getDevice(ctx: ServiceContext, deviceId: string): Promise<Device> {
  const device = await requireDevice(ctx, deviceId);
  return deviceView(device, await ctx.store.getDeviceGroups(deviceId), (await connectedDevices(ctx, [deviceId])).has(deviceId));
}

/** Of `deviceIds`, those with an open push socket to this replica or (replicas) to another. */
export async function connectedDevices(ctx: ServiceContext, deviceIds: readonly string[]): Promise<Set<string>> {
  if (ctx.presence) return ctx.presence.connected(deviceIds);
  return new Set(deviceIds.filter((id) => ctx.hub.isConnected(id)));
}

/** Per-policy and per-setting status of a device. */
export async function getDeviceStatus(ctx: ServiceContext, deviceId: string): Promise<DeviceStatus> {
  await requireDevice(ctx, deviceId);
  const [assigned, reported] = await Promise.all([ctx.store.assignedPoliciesWithProblems(deviceId), ctx.store.getReportedStatus(deviceId)]);
  return deviceStatus(deviceId, assigned, reported);
}

/** Events the device reported (restored, remediated, rejected), newest first, at most `limit`. */
export async function getDeviceEvents(ctx: ServiceContext, deviceId: string, limit = EVENTS_PER_DEVICE): Promise<DeviceEvents> {
  await requireDevice(ctx, deviceId);
  return { deviceId, events: await ctx.store.listDeviceEvents(deviceId, limit) };
}

/** The "Policy sync" button: nudges the device; false when it has no open push channel. */
export async function requestSync(ctx: ServiceContext, deviceId: string): Promise<{ delivered: boolean }> {
  await requireDevice(ctx, deviceId);
  const delivered = (await nudgeAnywhere(ctx, [deviceId], 'admin-request')) === 1;
  ctx.logger.info('sync requested', { component: 'directory', deviceId, delivered });
  return { delivered };
}

/** Revokes a device: later requests get DEVICE_REVOKED and its push channel is closed now. */
export async function revokeDevice(ctx: ServiceContext, deviceId: string): Promise<void> {
  if (!(await ctx.store.revokeDevice(deviceId))) throw new AttacheError('NOT_FOUND', `device ${deviceId} does not exist`);
  // A revoked device is noncompliant: its access decision turns to block now.
  await ctx.compliance.evaluate(deviceId, 'revocation');
  ctx.hub.disconnect(deviceId, PUSH_CLOSE.revoked, 'device revoked');
  ctx.logger.info('device revoked', { component: 'directory', deviceId });
}

/**
 * Deletes a device and every row about it (revoked or not). Unlike revoke, which keeps the record and answers the
 * device DEVICE_REVOKED, the endpoint forgets it: its key can no longer sign anything (DEVICE_UNKNOWN), its cached set
 * and access decision go on every replica, and its push channel is closed now.
 */
export async function deleteDevice(ctx: ServiceContext, deviceId: string): Promise<void> {
  if (!(await ctx.store.deleteDevice(deviceId))) throw new AttacheError('NOT_FOUND', `device ${deviceId} does not exist`);
  ctx.sets.invalidate(deviceId);
  await ctx.compliance.forget(deviceId);
  await ctx.securityTasks.forgetDevice(deviceId);
  ctx.hub.disconnect(deviceId, PUSH_CLOSE.revoked, 'device deleted');
  ctx.logger.info('device deleted', { component: 'directory', deviceId });
}
