// Defender's tenant limit on custom indicators: "There's a limit of 15,000 active indicators per tenant" (ti-indicator
// API; indicators-overview: "Increases to this limit are not supported"). Counted over the latest version of every
// indicator policy; an item whose expirationTime has passed is not active. Checked when a policy is created or
// updated, inside the store transaction that writes it (policies.ts), so concurrent writes cannot pass it together.
import { AttacheError } from '../../../common/errors.js';

/** Most active indicator items per tenant, across all indicator policies. */
export const INDICATOR_TENANT_LIMIT = 15_000;

/**
 * Most items one policy's list can hold (SettingValue's maxItems): what an indicator policy whose stored version is
 * corrupt is counted as. Devices keep enforcing their last good copy of it, so counting it as nothing would let the
 * tenant pass the limit; counting it at most cannot.
 */
export const INDICATORS_PER_POLICY = 5000;

const INDICATORS_SETTING = 'indicators.items';

/** A policy document or stored version, as far as the count needs it. */
export interface IndicatorCountable {
  readonly kind: string;
  readonly settings: Readonly<Record<string, unknown>>;
}

/** Items of an indicators document that are active at `nowMs` (no expirationTime, or one still ahead). */
export function activeIndicatorCount(doc: IndicatorCountable, nowMs: number): number {
  if (doc.kind !== 'indicators') return 0;
  const items = doc.settings[INDICATORS_SETTING];
  if (!Array.isArray(items)) return 0;
  return items.filter((item) => {
    const expires = (item as { expirationTime?: unknown }).expirationTime;
    return typeof expires !== 'string' || !(Date.parse(expires) <= nowMs);
  }).length;
}

/**
 * INDICATOR_LIMIT_EXCEEDED naming the count when `doc` (replacing policy `policyId`'s latest version on an update)
 * would bring the tenant past INDICATOR_TENANT_LIMIT active items. `stored`: the latest version of every policy. An
 * update that adds nothing to its policy's active count passes even in a tenant already past the limit (items that were
 * active when stored, a limit lowered): refusing it would only keep the tenant there. `corruptPolicyIds`: indicator
 * policies whose latest version cannot be read, each counted as INDICATORS_PER_POLICY (unless it is the one updated).
 */
export function checkIndicatorLimit(
  doc: IndicatorCountable,
  stored: readonly (IndicatorCountable & { readonly policyId: string })[],
  nowMs: number,
  policyId?: string,
  corruptPolicyIds: readonly string[] = [],
): void {
  const added = activeIndicatorCount(doc, nowMs);
  if (added === 0) return;
  const corrupt = corruptPolicyIds.filter((id) => id !== policyId).length;
  const others = stored.filter((p) => p.policyId !== policyId).reduce((sum, p) => sum + activeIndicatorCount(p, nowMs), corrupt * INDICATORS_PER_POLICY);
  const total = others + added;
  const current = stored.find((p) => policyId !== undefined && p.policyId === policyId);
  if (total > INDICATOR_TENANT_LIMIT && !(current && added <= activeIndicatorCount(current, nowMs))) {
    throw new AttacheError(
      'INDICATOR_LIMIT_EXCEEDED',
      `this policy would make ${total} active custom indicators in the tenant (${others} in other indicator policies${corrupt > 0 ? `, counting ${corrupt} whose stored version is corrupt at ${INDICATORS_PER_POLICY} each` : ''} + ${added} here); the limit is ${INDICATOR_TENANT_LIMIT} (remove or expire some first${corrupt > 0 ? ', or repair the corrupt ones' : ''})`,
    );
  }
}
