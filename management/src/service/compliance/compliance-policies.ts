// Compliance policies as admins manage them: create, update (next version), delete, assign to groups (include or
// exclude, static or dynamic, through the same group membership as configuration policies). Every change re-evaluates
// exactly the devices it can affect.
import { randomUUID } from 'node:crypto';
import { isoNow } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import { validate } from '../../../../common/validation.js';
import {
  type ComplianceAssignment,
  ComplianceAssignmentRequest,
  type CompliancePolicy,
  CompliancePolicyDocument,
} from '../../../../policy-schemas/src/index.js';
import type { ServiceContext } from '../context.js';

function fromDocument(doc: CompliancePolicyDocument, id: string, version: number, createdAt: string, updatedAt: string): CompliancePolicy {
  return {
    compliancePolicyId: id,
    name: doc.name,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    settings: doc.settings,
    gracePeriodHours: doc.gracePeriodHours ?? 0,
    version,
    createdAt,
    updatedAt,
    ...(doc.source ? { source: doc.source } : {}),
  };
}

/** Members of every group the policy is assigned to (include or exclude): the devices a change of it can affect. */
async function devicesOfPolicy(ctx: ServiceContext, compliancePolicyId: string, assignments?: readonly ComplianceAssignment[]): Promise<Set<string>> {
  const list = assignments ?? (await ctx.store.listComplianceAssignments()).filter((a) => a.compliancePolicyId === compliancePolicyId);
  const ids = new Set<string>();
  for (const a of list) for (const id of await ctx.store.deviceIdsInGroup(a.groupId)) ids.add(id);
  return ids;
}

/** NOT_FOUND unless the compliance policy exists. */
export async function requireCompliancePolicy(ctx: ServiceContext, id: string): Promise<CompliancePolicy> {
  const policy = await ctx.store.getCompliancePolicy(id);
  if (!policy) throw new AttacheError('NOT_FOUND', `compliance policy ${id} does not exist`);
  return policy;
}

/** Creates a compliance policy (version 1); it affects no device until assigned. */
export async function createCompliancePolicy(ctx: ServiceContext, body: unknown): Promise<CompliancePolicy> {
  const doc = validate(CompliancePolicyDocument, body, 'compliance policy');
  const at = isoNow(ctx.clock);
  const policy = fromDocument(doc, randomUUID(), 1, at, at);
  await ctx.store.createCompliancePolicy(policy);
  ctx.logger.info('compliance policy created', { component: 'compliance', compliancePolicyId: policy.compliancePolicyId });
  return policy;
}

/** Replaces a compliance policy with its next version and re-evaluates the devices it is assigned to. */
export async function updateCompliancePolicy(ctx: ServiceContext, id: string, body: unknown): Promise<CompliancePolicy> {
  const doc = validate(CompliancePolicyDocument, body, 'compliance policy');
  // The head only (no stored settings read), so this also repairs a policy whose stored settings are corrupt.
  const current = await ctx.store.getCompliancePolicyHead(id);
  if (!current) throw new AttacheError('NOT_FOUND', `compliance policy ${id} does not exist`);
  const policy = fromDocument(doc, id, current.version + 1, current.createdAt, isoNow(ctx.clock));
  await ctx.store.updateCompliancePolicy(policy);
  await ctx.compliance.evaluateMany(await devicesOfPolicy(ctx, id), 'policy');
  ctx.logger.info('compliance policy updated', { component: 'compliance', compliancePolicyId: id, version: policy.version });
  // An update without a source keeps the stored one (an import's provenance survives an edit): answer with it.
  const kept = doc.source ?? (await ctx.store.getCompliancePolicy(id))?.source;
  return kept ? { ...policy, source: kept } : policy;
}

/** Deletes a compliance policy with its assignments and re-evaluates the devices that had it. */
export async function deleteCompliancePolicy(ctx: ServiceContext, id: string): Promise<void> {
  const removed = await ctx.store.deleteCompliancePolicy(id, isoNow(ctx.clock));
  if (!removed) throw new AttacheError('NOT_FOUND', `compliance policy ${id} does not exist`);
  await ctx.compliance.evaluateMany(await devicesOfPolicy(ctx, id, removed), 'policy');
  ctx.logger.info('compliance policy deleted', { component: 'compliance', compliancePolicyId: id });
}

/** Assigns a compliance policy to a group and re-evaluates the group's devices. */
export async function assignCompliancePolicy(ctx: ServiceContext, id: string, body: unknown): Promise<ComplianceAssignment> {
  const request = validate(ComplianceAssignmentRequest, body, 'compliance assignment');
  const assignment: ComplianceAssignment = {
    assignmentId: randomUUID(),
    compliancePolicyId: id,
    groupId: request.groupId,
    mode: request.mode ?? 'include',
    createdAt: isoNow(ctx.clock),
  };
  await ctx.store.createComplianceAssignment(assignment);
  await ctx.compliance.evaluateMany(await ctx.store.deviceIdsInGroup(request.groupId), 'assignment');
  ctx.logger.info('compliance policy assigned', { component: 'compliance', compliancePolicyId: id, groupId: request.groupId, mode: assignment.mode });
  return assignment;
}

/** Removes a compliance assignment and re-evaluates the group's devices. */
export async function unassignCompliancePolicy(ctx: ServiceContext, assignmentId: string): Promise<void> {
  const removed = await ctx.store.removeComplianceAssignment(assignmentId);
  if (!removed) throw new AttacheError('NOT_FOUND', `compliance assignment ${assignmentId} does not exist`);
  await ctx.compliance.evaluateMany(await ctx.store.deviceIdsInGroup(removed.groupId), 'assignment');
  ctx.logger.info('compliance assignment removed', { component: 'compliance', assignmentId });
}
