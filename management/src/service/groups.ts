// Targeting as admins change it: static and dynamic groups, device tags, include/exclude assignments. Every change
// that alters a device's assigned policy set nudges that device.
import { randomUUID } from 'node:crypto';
import { isoNow } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import {
  type Assignment,
  AssignmentCreateRequest,
  type Device,
  DeviceTagsRequest,
  type Group,
  GroupCreateRequest,
  type GroupDeleted,
  GroupMemberRequest,
  GroupRuleRequest,
} from '../../../policy-schemas/src/index.js';
import type { ServiceContext } from './context.js';
import { getDevice } from './directory.js';
import { nudgeAffected, refreshDeviceMemberships, refreshGroupMembers } from './membership.js';
import { normaliseTags } from './targeting.js';

/** Creates a group (CONFLICT when the name exists); a group with a rule is dynamic and gets its members at once. */
export async function createGroup(ctx: ServiceContext, body: unknown): Promise<Group> {
  const { name, rule } = validate(GroupCreateRequest, body, 'group');
  const at = isoNow(ctx.clock);
  const created = await ctx.store.createGroup({ groupId: randomUUID(), name, createdAt: at, ...(rule ? { rule } : {}) });
  if (rule) await refreshGroupMembers(ctx, created.groupId, at);
  ctx.logger.info('group created', { component: 'directory', groupId: created.groupId, dynamic: rule !== undefined });
  return (await ctx.store.getGroup(created.groupId)) ?? created;
}

/** Replaces a dynamic group's rule and recomputes its members (CONFLICT for a static group). */
export async function setGroupRule(ctx: ServiceContext, groupId: string, body: unknown): Promise<Group> {
  const { rule } = validate(GroupRuleRequest, body, 'group rule');
  await ctx.store.setGroupRule(groupId, rule);
  const nudged = await refreshGroupMembers(ctx, groupId, isoNow(ctx.clock));
  ctx.logger.info('group rule changed', { component: 'directory', groupId, nudged });
  const group = await ctx.store.getGroup(groupId);
  if (!group) throw new AttacheError('NOT_FOUND', `group ${groupId} does not exist`);
  return group;
}

/** Adds a device to a static group (idempotent) and nudges it (as before targeting rules existed: always). */
export async function addGroupMember(ctx: ServiceContext, groupId: string, body: unknown): Promise<void> {
  const { deviceId } = validate(GroupMemberRequest, body, 'group member request');
  await ctx.store.addGroupMember(groupId, deviceId, isoNow(ctx.clock));
  await ctx.compliance.evaluate(deviceId, 'membership');
  const nudged = ctx.hub.nudge([deviceId], 'assignment-changed');
  ctx.logger.info('group member added', { component: 'directory', groupId, deviceId, nudged });
}

/** Adds and removes device tags, then re-evaluates the device's dynamic groups. */
export async function changeDeviceTags(ctx: ServiceContext, deviceId: string, body: unknown): Promise<Device> {
  const request = validate(DeviceTagsRequest, body, 'device tags request');
  const device = await ctx.store.getDevice(deviceId);
  if (!device) throw new AttacheError('NOT_FOUND', `device ${deviceId} does not exist`);
  const removed = new Set((request.remove ?? []).map((t) => t.toLowerCase()));
  const tags = normaliseTags([...device.tags, ...(request.add ?? [])]).filter((t) => !removed.has(t.toLowerCase()));
  await ctx.store.setDeviceTags(deviceId, tags);
  const nudged = await refreshDeviceMemberships(ctx, { ...device, tags }, isoNow(ctx.clock));
  ctx.logger.info('device tags changed', { component: 'directory', deviceId, tags: tags.length, nudged });
  return getDevice(ctx, deviceId);
}

/** Assigns a policy to a group (include by default, or exclude) and nudges the devices whose set changed. */
export async function createAssignment(ctx: ServiceContext, body: unknown): Promise<Assignment> {
  const request = validate(AssignmentCreateRequest, body, 'assignment');
  const assignment: Assignment = { assignmentId: randomUUID(), ...request, mode: request.mode ?? 'include', createdAt: isoNow(ctx.clock) };
  const nudged = await nudgeAffected(ctx, await ctx.store.deviceIdsInGroup(request.groupId), 'assignment-changed', async () => {
    await ctx.store.createAssignment(assignment);
    return undefined;
  });
  ctx.logger.info('policy assigned', { component: 'directory', ...request, mode: assignment.mode, nudged });
  return assignment;
}

/** Removes an assignment (NOT_FOUND when unknown) and nudges the devices whose set changed. */
export async function removeAssignment(ctx: ServiceContext, assignmentId: string): Promise<void> {
  const existing = (await ctx.store.listAssignments()).find((a) => a.assignmentId === assignmentId);
  if (!existing) throw new AttacheError('NOT_FOUND', `assignment ${assignmentId} does not exist`);
  const nudged = await nudgeAffected(ctx, await ctx.store.deviceIdsInGroup(existing.groupId), 'assignment-changed', async () => {
    if (!(await ctx.store.removeAssignment(assignmentId))) throw new AttacheError('NOT_FOUND', `assignment ${assignmentId} does not exist`);
    return undefined;
  });
  ctx.logger.info('assignment removed', { component: 'directory', assignmentId, nudged });
}

/**
 * Deletes a group. While assignments (configuration or compliance) target it: CONFLICT naming them, unless `force`,
 * which removes them with it. Its former members are nudged when their set changed and their compliance re-evaluated.
 */
export async function deleteGroup(ctx: ServiceContext, groupId: string, force: boolean): Promise<GroupDeleted> {
  let deleted: Awaited<ReturnType<typeof ctx.store.deleteGroup>>;
  const nudged = await nudgeAffected(ctx, await ctx.store.deviceIdsInGroup(groupId), 'assignment-changed', async () => {
    deleted = await ctx.store.deleteGroup(groupId, force);
    if (!deleted) throw new AttacheError('NOT_FOUND', `group ${groupId} does not exist`);
    return deleted.members;
  });
  if (!deleted) throw new AttacheError('NOT_FOUND', `group ${groupId} does not exist`);
  await ctx.compliance.evaluateMany(deleted.members, 'membership');
  const removedAssignments = deleted.removedAssignments.map((a) => a.assignmentId);
  ctx.logger.info('group deleted', { component: 'directory', groupId, assignments: removedAssignments.length, nudged });
  return { groupId, removedAssignments, removedComplianceAssignments: [...deleted.removedComplianceAssignments] };
}

/** Takes a device out of a static group (no error when it was not a member), nudging it when its set changed. */
export async function removeGroupMember(ctx: ServiceContext, groupId: string, deviceId: string): Promise<void> {
  let removed = false;
  const nudged = await nudgeAffected(ctx, [deviceId], 'assignment-changed', async () => {
    removed = await ctx.store.removeGroupMember(groupId, deviceId);
    return undefined;
  });
  if (removed) await ctx.compliance.evaluate(deviceId, 'membership');
  ctx.logger.info('group member removed', { component: 'directory', groupId, deviceId, removed, nudged });
}
