// When an alert suppression is in force: one rule for the endpoint and the agent (its pure core imports this file
// alone, without the schemas), so an expired suppression stops applying on both sides at the same instant.

/**
 * Whether a suppression applies at `nowIso` (an expired one stops applying, on both sides). Both times in the
 * endpoint's normal form (`toISOString`: the endpoint stores expiresAt so), so text order is time order.
 */
export function suppressionApplies(s: { readonly expiresAt?: string | null }, nowIso: string): boolean {
  return s.expiresAt === undefined || s.expiresAt === null || s.expiresAt > nowIso;
}
