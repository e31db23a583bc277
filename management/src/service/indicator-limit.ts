// Defender's tenant limit on custom indicators: "There's a limit of 15,000 active indicators per tenant" (ti-indicator
// API; indicators-overview: "Increases to this limit are not supported"). Counted over the latest version of every
// indicator policy; an item whose expirationTime has passed is not active. Checked when a policy is created or
// updated, before anything is signed or stored.
import { AttacheError } from '../../../common/errors.js';

/** Most active indicator items per tenant, across all indicator policies. */
export const INDICATOR_TENANT_LIMIT = 15_000;

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
 * would bring the tenant past INDICATOR_TENANT_LIMIT active items. `stored`: the latest version of every policy.
 */
export function checkIndicatorLimit(
  doc: IndicatorCountable,
  stored: readonly (IndicatorCountable & { readonly policyId: string })[],
  nowMs: number,
  policyId?: string,
): void {
  const added = activeIndicatorCount(doc, nowMs);
  if (added === 0) return;
  const others = stored.filter((p) => p.policyId !== policyId).reduce((sum, p) => sum + activeIndicatorCount(p, nowMs), 0);
  const total = others + added;
  if (total > INDICATOR_TENANT_LIMIT) {
    throw new AttacheError(
      'INDICATOR_LIMIT_EXCEEDED',
      `this policy would make ${total} active custom indicators in the tenant (${others} in other indicator policies + ${added} here); the limit is ${INDICATOR_TENANT_LIMIT} (remove or expire some first)`,
    );
  }
}
