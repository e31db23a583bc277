// POST /v1/admin/what-if: applies a proposed change to an in-memory copy of policies and assignments and reports, per
// device whose assigned set would change, what the merge would do. Nothing is stored, signed or pushed.
import { randomUUID } from 'node:crypto';
import { isoNow } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import { computeEffective } from '../../../common/policy-merge.js';
import { validate } from '../../../common/validation.js';
import { type PolicyPayload, type SettingValue, type WhatIfDevice, WhatIfRequest, type WhatIfResponse } from '../../../policy-schemas/src/index.js';
import type { ServiceContext } from './context.js';
import { type DeviceScope, inScope, scopeGroupNames } from './identity/scope.js';
import { parsePolicyDocument } from './policies.js';
import { assignedPolicyIds, type TargetingAssignment } from './targeting.js';
import { diffEffective } from './what-if-diff.js';

interface Model {
  readonly policies: Map<string, PolicyPayload>;
  assignments: (TargetingAssignment & { readonly assignmentId: string })[];
}

async function requireGroup(ctx: ServiceContext, groupId: string): Promise<void> {
  if (!(await ctx.store.getGroup(groupId))) throw new AttacheError('NOT_FOUND', `group ${groupId} does not exist`);
}

function requirePolicy(model: Model, policyId: string): PolicyPayload {
  const policy = model.policies.get(policyId);
  if (!policy) throw new AttacheError('NOT_FOUND', `policy ${policyId} does not exist`);
  return policy;
}

/** Applies the proposed change to `model` (a copy), with the same checks the real operation makes. */
async function applyChange(ctx: ServiceContext, request: WhatIfRequest, model: Model): Promise<void> {
  const now = isoNow(ctx.clock);
  switch (request.change) {
    case 'createPolicy': {
      const doc = parsePolicyDocument(request.document, 'document');
      const policyId = randomUUID();
      const { description, ...rest } = doc;
      model.policies.set(policyId, { policyId, version: 1, tenantId: ctx.identity.tenantId, ...rest, ...(description ? { description } : {}), createdAt: now });
      for (const a of request.assignments ?? []) {
        await requireGroup(ctx, a.groupId);
        model.assignments.push({ assignmentId: randomUUID(), policyId, groupId: a.groupId, mode: a.mode ?? 'include' });
      }
      return;
    }
    case 'updatePolicy': {
      const doc = parsePolicyDocument(request.document, 'document');
      const current = requirePolicy(model, request.policyId);
      if (doc.kind !== current.kind)
        throw new AttacheError('CONFLICT', `policy ${request.policyId} is a ${current.kind} policy; its kind cannot change to ${doc.kind}`);
      const { description, ...rest } = doc;
      model.policies.set(request.policyId, { ...current, ...rest, ...(description ? { description } : {}), version: current.version + 1, createdAt: now });
      return;
    }
    case 'deletePolicy':
      requirePolicy(model, request.policyId);
      model.policies.delete(request.policyId);
      model.assignments = model.assignments.filter((a) => a.policyId !== request.policyId);
      return;
    case 'addAssignment':
      requirePolicy(model, request.policyId);
      await requireGroup(ctx, request.groupId);
      if (model.assignments.some((a) => a.policyId === request.policyId && a.groupId === request.groupId)) {
        throw new AttacheError('CONFLICT', 'the policy is already assigned to this group');
      }
      model.assignments.push({ assignmentId: randomUUID(), policyId: request.policyId, groupId: request.groupId, mode: request.mode ?? 'include' });
      return;
    case 'removeAssignment':
      if (!model.assignments.some((a) => a.assignmentId === request.assignmentId))
        throw new AttacheError('NOT_FOUND', `assignment ${request.assignmentId} does not exist`);
      model.assignments = model.assignments.filter((a) => a.assignmentId !== request.assignmentId);
      return;
  }
}

function payloadsOf(model: Model, groupIds: readonly string[]): PolicyPayload[] {
  return assignedPolicyIds(groupIds, model.assignments).flatMap((id) => model.policies.get(id) ?? []);
}

const setKey = (policies: readonly PolicyPayload[]) => policies.map((p) => `${p.policyId}:${p.version}`).join(',');

/** Evaluates a proposed change for every device in the admin's scope (null = all) whose assigned policy set it would alter. */
export async function whatIf(ctx: ServiceContext, body: unknown, scope: DeviceScope): Promise<WhatIfResponse> {
  const request = validate(WhatIfRequest, body, 'what-if request');
  // A policy whose stored version is corrupt is not served to devices either: it is absent before and after.
  const { policies } = await ctx.store.listPolicies();
  const assignments = await ctx.store.listAssignments();
  const current: Model = { policies: new Map(policies.map((p) => [p.policyId, p.latest.payload])), assignments };
  const proposed: Model = { policies: new Map(current.policies), assignments: [...assignments] };
  await applyChange(ctx, request, proposed);

  const names = await scopeGroupNames(ctx, scope);
  const devices: WhatIfDevice[] = [];
  for (const device of (await ctx.store.listDevices()).devices) {
    if (device.revoked) continue;
    if (names !== null && !inScope(names, await ctx.store.getDeviceGroups(device.deviceId))) continue;
    const groupIds = await ctx.store.groupIdsOfDevice(device.deviceId);
    const before = payloadsOf(current, groupIds);
    const after = payloadsOf(proposed, groupIds);
    if (setKey(before) === setKey(after)) continue;
    const reported = await ctx.store.getReportedStatus(device.deviceId);
    const observed = new Map<string, SettingValue>();
    for (const s of reported.settings) if (s.observed !== undefined) observed.set(s.settingId, s.observed);
    const findings = diffEffective(computeEffective(before, device.platform), computeEffective(after, device.platform), observed);
    devices.push({ deviceId: device.deviceId, hostname: device.hostname, platform: device.platform, ...findings });
  }
  ctx.logger.info('what-if evaluated', { component: 'what-if', change: request.change, devices: devices.length });
  return { change: request.change, affectedDevices: devices.length, devices };
}
