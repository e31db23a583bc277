// The device directory as admins change it: groups, memberships, assignments, sync requests, revocation. Each change
// that alters what a device should run nudges the affected connected devices.
import { randomUUID } from 'node:crypto';
import { AttacheError } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import {
  type Assignment,
  AssignmentCreateRequest,
  type Device,
  type DeviceStatus,
  type Group,
  GroupCreateRequest,
  GroupMemberRequest,
} from '../../../policy-schemas/src/index.js';
import { isoNow } from '../clock.js';
import { PUSH_CLOSE } from '../push/push-hub.js';
import type { DeviceRecord } from '../store/store.js';
import type { ServiceContext } from './context.js';
import { deviceStatus, deviceView } from './device-views.js';

/** Creates a group (CONFLICT when the name exists). */
export async function createGroup(ctx: ServiceContext, body: unknown): Promise<Group> {
  const { name } = validate(GroupCreateRequest, body, 'group');
  const group = await ctx.store.createGroup({ groupId: randomUUID(), name, createdAt: isoNow(ctx.clock) });
  ctx.logger.info('group created', { component: 'directory', groupId: group.groupId });
  return group;
}

/** Adds a device to a group (idempotent) and nudges it: its assigned policies may have changed. */
export async function addGroupMember(ctx: ServiceContext, groupId: string, body: unknown): Promise<void> {
  const { deviceId } = validate(GroupMemberRequest, body, 'group member request');
  await ctx.store.addGroupMember(groupId, deviceId, isoNow(ctx.clock));
  const delivered = ctx.hub.nudge([deviceId], 'assignment-changed');
  ctx.logger.info('group member added', { component: 'directory', groupId, deviceId, nudged: delivered });
}

/** Assigns a policy to a group and nudges the group's connected devices. */
export async function createAssignment(ctx: ServiceContext, body: unknown): Promise<Assignment> {
  const request = validate(AssignmentCreateRequest, body, 'assignment');
  const assignment: Assignment = { assignmentId: randomUUID(), ...request, createdAt: isoNow(ctx.clock) };
  await ctx.store.createAssignment(assignment);
  const delivered = ctx.hub.nudge(await ctx.store.deviceIdsInGroup(request.groupId), 'assignment-changed');
  ctx.logger.info('policy assigned', { component: 'directory', ...request, nudged: delivered });
  return assignment;
}

async function requireDevice(ctx: ServiceContext, deviceId: string): Promise<DeviceRecord> {
  const device = await ctx.store.getDevice(deviceId);
  if (!device) throw new AttacheError('NOT_FOUND', `device ${deviceId} does not exist`);
  return device;
}

/** Every device with its groups and whether its push channel is open. */
export async function listDevices(ctx: ServiceContext): Promise<Device[]> {
  const devices = await ctx.store.listDevices();
  return devices.map((d) => deviceView(d, d.groups, ctx.hub.isConnected(d.deviceId)));
}

/** One device with its groups and push state; NOT_FOUND when unknown. */
export async function getDevice(ctx: ServiceContext, deviceId: string): Promise<Device> {
  const device = await requireDevice(ctx, deviceId);
  return deviceView(device, await ctx.store.getDeviceGroups(deviceId), ctx.hub.isConnected(deviceId));
}

/** Per-policy and per-setting status of a device. */
export async function getDeviceStatus(ctx: ServiceContext, deviceId: string): Promise<DeviceStatus> {
  await requireDevice(ctx, deviceId);
  const [assigned, reported] = await Promise.all([ctx.store.policiesForDevice(deviceId), ctx.store.getReportedStatus(deviceId)]);
  return deviceStatus(deviceId, assigned, reported);
}

/** The "Policy sync" button: nudges the device; false when it has no open push channel. */
export async function requestSync(ctx: ServiceContext, deviceId: string): Promise<{ delivered: boolean }> {
  await requireDevice(ctx, deviceId);
  const delivered = ctx.hub.nudge([deviceId], 'admin-request') === 1;
  ctx.logger.info('sync requested', { component: 'directory', deviceId, delivered });
  return { delivered };
}

/** Revokes a device: later requests get DEVICE_REVOKED and its push channel is closed now. */
export async function revokeDevice(ctx: ServiceContext, deviceId: string): Promise<void> {
  if (!(await ctx.store.revokeDevice(deviceId))) throw new AttacheError('NOT_FOUND', `device ${deviceId} does not exist`);
  ctx.hub.disconnect(deviceId, PUSH_CLOSE.revoked, 'device revoked');
  ctx.logger.info('device revoked', { component: 'directory', deviceId });
}
