// Suppression rules (issue 17 §5, Defender's "suppress alert on this device / in my organization"): create, list,
// read, change (comment, expiry), delete. A change re-evaluates at once every device it affects (an organization rule: every device holding the
// alert, a page at a time) and changes the signed suppression list those devices fetch with their policies, so the
// agent stops counting the finding too. An expired rule stops applying on both sides without any write.
import { randomUUID } from 'node:crypto';
import { isoNow } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import { isoTime } from '../../../../common/iso-time.js';
import { validate } from '../../../../common/validation.js';
import { type SuppressionRule, type SuppressionRuleList, SuppressionRulePatch, SuppressionRuleRequest } from '../../../../policy-schemas/src/index.js';
import type { AdminPrincipal } from '../admin-principal.js';
import type { ServiceContext } from '../context.js';
import { requireDevice } from '../directory.js';
import { requireDeviceInScope } from '../identity/scope.js';
import { nudgeAnywhere } from '../presence.js';

/**
 * Unexpired rules allowed per device and for the organization (a device's signed list carries both: ≤ 1000), counted
 * in the store's write on create and when a PATCH brings an expired rule back into force.
 */
export const MAX_RULES_PER_SCOPE = 500;
/** Devices re-evaluated per page of an organization rule's fan-out. */
export const RECOMPUTE_PAGE = 500;

type Admin = Pick<AdminPrincipal, 'username' | 'scopeGroupIds'> | undefined;

function invalid(path: string, message: string): AttacheError {
  return new AttacheError('SCHEMA_INVALID', `suppression rule is invalid: ${path} ${message}`, { details: [{ path, message }] });
}

/** POST /v1/admin/suppression-rules. */
export async function createSuppressionRule(ctx: ServiceContext, admin: Admin, body: unknown): Promise<SuppressionRule> {
  const request = validate(SuppressionRuleRequest, body, 'suppression rule');
  const nowMs = ctx.clock.now();
  if (request.scope === 'device' && request.deviceId === undefined) throw invalid('/deviceId', 'is required for scope device');
  if (request.scope === 'organization' && request.deviceId !== undefined) throw invalid('/deviceId', 'must be absent for scope organization');
  if (request.expiresAt !== undefined && Date.parse(request.expiresAt) <= nowMs) throw invalid('/expiresAt', 'must be in the future');
  if (request.scope === 'organization' && admin && admin.scopeGroupIds !== null) {
    throw new AttacheError('ADMIN_FORBIDDEN', 'scoped admins may not suppress alerts in the whole organization; suppress on a device in scope');
  }
  if (request.deviceId !== undefined) await requireDevice(ctx, request.deviceId);
  const rule: SuppressionRule = {
    ruleId: randomUUID(),
    scope: request.scope,
    deviceId: request.deviceId ?? null,
    alertId: request.alertId,
    comment: request.comment,
    createdAt: isoNow(ctx.clock),
    createdBy: admin?.username ?? 'admin',
    // Normal form (toISOString), so agent and endpoint compare it with the time as text (suppressionApplies).
    expiresAt: request.expiresAt === undefined ? null : isoTime(Date.parse(request.expiresAt)),
  };
  // The cap is counted inside the store's write: concurrent creates (or replicas) cannot pass it together.
  await ctx.store.createSuppressionRule(rule, { max: MAX_RULES_PER_SCOPE, now: isoTime(nowMs) });
  const affected = await applyRuleChange(ctx, rule);
  ctx.logger.info('suppression rule created', { component: 'triage', ruleId: rule.ruleId, scope: rule.scope, alertId: rule.alertId, affected });
  return rule;
}

/** GET /v1/admin/suppression-rules: a scoped admin sees the organization's rules and those of devices in its scope. */
export async function listSuppressionRules(ctx: ServiceContext, admin: Admin): Promise<SuppressionRuleList> {
  const rules = await ctx.store.listSuppressionRules();
  if (!admin || admin.scopeGroupIds === null) return { rules };
  const visible: SuppressionRule[] = [];
  for (const r of rules) if (r.deviceId === null || (await inScope(ctx, r.deviceId, admin))) visible.push(r);
  return { rules: visible };
}

async function inScope(ctx: ServiceContext, deviceId: string, admin: NonNullable<Admin>): Promise<boolean> {
  try {
    await requireDeviceInScope(ctx, deviceId, admin.scopeGroupIds);
    return true;
  } catch {
    return false;
  }
}

/** GET /v1/admin/suppression-rules/:id (NOT_FOUND too for a device rule outside a scoped admin's devices). */
export async function getSuppressionRule(ctx: ServiceContext, admin: Admin, ruleId: string): Promise<SuppressionRule> {
  const rule = await ctx.store.getSuppressionRule(ruleId);
  if (!rule || (admin && admin.scopeGroupIds !== null && rule.deviceId !== null && !(await inScope(ctx, rule.deviceId, admin)))) {
    throw new AttacheError('NOT_FOUND', `suppression rule ${ruleId} does not exist`);
  }
  return rule;
}

/** PATCH /v1/admin/suppression-rules/:id: a new comment or expiry; the devices it reaches are re-evaluated at once. */
export async function updateSuppressionRule(ctx: ServiceContext, ruleId: string, body: unknown): Promise<SuppressionRule> {
  const patch = validate(SuppressionRulePatch, body, 'suppression rule change');
  if (patch.expiresAt && Date.parse(patch.expiresAt) <= ctx.clock.now()) throw invalid('/expiresAt', 'must be in the future');
  const current = await ctx.store.getSuppressionRule(ruleId);
  if (!current) throw new AttacheError('NOT_FOUND', `suppression rule ${ruleId} does not exist`);
  const expiresAt = patch.expiresAt === undefined ? current.expiresAt : patch.expiresAt === null ? null : isoTime(Date.parse(patch.expiresAt));
  const rule: SuppressionRule = { ...current, comment: patch.comment ?? current.comment, expiresAt };
  // Reviving an expired rule adds one to its scope: counted against the cap in the write, as a create is.
  if (!(await ctx.store.updateSuppressionRule(rule, { max: MAX_RULES_PER_SCOPE, now: isoTime(ctx.clock.now()) })))
    throw new AttacheError('NOT_FOUND', `suppression rule ${ruleId} does not exist`);
  const affected = await applyRuleChange(ctx, rule);
  ctx.logger.info('suppression rule updated', { component: 'triage', ruleId, expiresAt: rule.expiresAt, affected });
  return rule;
}

/** DELETE /v1/admin/suppression-rules/:id: the alerts it suppressed count again at once. */
export async function deleteSuppressionRule(ctx: ServiceContext, ruleId: string): Promise<void> {
  const rule = await ctx.store.deleteSuppressionRule(ruleId);
  if (!rule) throw new AttacheError('NOT_FOUND', `suppression rule ${ruleId} does not exist`);
  const affected = await applyRuleChange(ctx, rule);
  ctx.logger.info('suppression rule deleted', { component: 'triage', ruleId, scope: rule.scope, alertId: rule.alertId, affected });
}

/**
 * A rule was created or deleted: the devices it reaches get a new signed list (their cached sets are forgotten, in
 * every replica) and the ones holding the alert are re-evaluated now and nudged. Returns how many were re-evaluated.
 */
async function applyRuleChange(ctx: ServiceContext, rule: SuppressionRule): Promise<number> {
  if (rule.deviceId !== null) {
    ctx.sets.invalidate(rule.deviceId);
    await ctx.compliance.evaluate(rule.deviceId, 'suppression');
    await nudgeAnywhere(ctx, [rule.deviceId], 'admin-request');
    return 1;
  }
  ctx.sets.invalidateAll();
  let count = 0;
  let after: string | null = null;
  for (;;) {
    const page = await ctx.store.deviceIdsWithAlert(rule.alertId, after, RECOMPUTE_PAGE);
    if (page.length === 0) return count;
    await ctx.compliance.evaluateMany(page, 'suppression');
    await nudgeAnywhere(ctx, page, 'admin-request');
    count += page.length;
    after = page[page.length - 1] as string;
  }
}
