// Dependency-free rules of alert triage, shared by the endpoint, the agent's pure core and the console (each imports
// this file alone, without the schemas): Defender's determinations per classification, and when a suppression is in
// force, so an expired suppression stops applying on both sides at the same instant.

/** Defender's determination values per classification (update-alert; Apt and SecurityPersonnel are deprecated there). */
export const DETERMINATIONS = {
  truePositive: ['multiStagedAttack', 'maliciousUserActivity', 'compromisedUser', 'malware', 'phishing', 'unwantedSoftware', 'other'],
  informationalExpectedActivity: ['securityTesting', 'lineOfBusinessApplication', 'confirmedActivity', 'other'],
  falsePositive: ['notMalicious', 'insufficientData', 'other'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/**
 * Whether a suppression applies at `nowIso` (an expired one stops applying, on both sides). Both times in the
 * endpoint's normal form (`toISOString`: the endpoint stores expiresAt so), so text order is time order.
 */
export function suppressionApplies(s: { readonly expiresAt?: string | null }, nowIso: string): boolean {
  return s.expiresAt === undefined || s.expiresAt === null || s.expiresAt > nowIso;
}
