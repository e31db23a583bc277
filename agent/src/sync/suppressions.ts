// The admin's alert suppressions on the device (issue 17 §5): the signed list that comes with the policies is verified
// like a set manifest (pinned policy-signing key, this tenant, this device) before it is cached with the set, and again
// whenever the risk monitor reads it from the cache; a list older than the newest one taken is not (a replay). That
// floor is kept in policy-set.json with the set's, so it survives an empty list and a lost cache.
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import {
  type AgentIdentity,
  type DeviceSuppression,
  type PinnedSigningKey,
  SignedSuppressionList,
  type SuppressionListPayload,
} from '../../../policy-schemas/src/index.js';
import type { Logger } from '../logging.js';
import type { StateStore } from '../state/state-store.js';
import { PolicyRejectedError, type PolicyTrust, verifiesWithPin } from './verify.js';

/** Clock difference between endpoint replicas tolerated when comparing the issue times of two lists. */
export const SUPPRESSION_SKEW_MS = 5 * 60_000;

/** Verifies a signed suppression list for this device; POLICY_SET_INVALID (as a refused set) naming the problem. */
export function verifySuppressionList(signed: unknown, expect: PolicyTrust & { readonly deviceId: string }): SuppressionListPayload {
  let list: SignedSuppressionList;
  try {
    list = validate(SignedSuppressionList, signed, 'suppression list');
  } catch (err) {
    const e = toAttacheError(err);
    throw new PolicyRejectedError('POLICY_SET_INVALID', e.message, {}, { cause: err, details: e.details });
  }
  const { payload } = list;
  const reject = (message: string) => new PolicyRejectedError('POLICY_SET_INVALID', `suppression list: ${message}`);
  if (!verifiesWithPin(expect, list.keyId, payload, list.signature, 'suppression list')) {
    throw reject('signature does not verify with a pinned policy-signing key');
  }
  if (payload.tenantId !== expect.tenantId) throw reject(`issued for tenant ${payload.tenantId}, this device belongs to ${expect.tenantId}`);
  if (payload.deviceId !== expect.deviceId) throw reject(`issued for device ${payload.deviceId}, this device is ${expect.deviceId}`);
  return payload;
}

/**
 * The list to cache with a fresh set: the fetched one (verified), or the cached one when the fetched one was issued
 * earlier than `floor` (the newest list taken, empty ones included) beyond the replicas' skew: a replayed older list
 * must not bring back a deleted suppression. None sent: none cached (the endpoint sends an empty list since 17a #8;
 * dropping suppressions only ever raises more alerts).
 */
export function newerSuppressionList(
  fetched: unknown,
  cached: SignedSuppressionList | undefined,
  floor: string | undefined,
  expect: PolicyTrust & { readonly deviceId: string },
  logger: Logger,
): SignedSuppressionList | undefined {
  if (fetched === undefined) return undefined;
  const payload = verifySuppressionList(fetched, expect);
  if (floor !== undefined && Date.parse(payload.issuedAt) < Date.parse(floor) - SUPPRESSION_SKEW_MS) {
    logger.warn('older suppression list ignored', { issuedAt: payload.issuedAt, held: floor });
    return cached;
  }
  return fetched as SignedSuppressionList;
}

/** The later of two issue times (either may be absent). */
export function laterIssuedAt(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

export interface SuppressionReaderDeps {
  readonly store: Pick<StateStore, 'readPolicies' | 'readSigningKeys'>;
  readonly identity: AgentIdentity;
  readonly logger: Logger;
}

/** The cached list's suppressions, verified again with every pinned key (the file could have been edited); none without one. */
export async function readSuppressions(deps: SuppressionReaderDeps): Promise<DeviceSuppression[]> {
  const cached = await deps.store.readPolicies();
  if (!cached?.suppressions) return [];
  const pins: PinnedSigningKey[] = (await deps.store.readSigningKeys()) ?? [deps.identity.policySigningKey];
  try {
    const trust = {
      tenantId: deps.identity.tenantId,
      deviceId: deps.identity.deviceId,
      signingKeys: pins.map((p) => ({ keyId: p.keyId, publicKey: p.publicKey })),
    };
    return verifySuppressionList(cached.suppressions, trust).suppressions;
  } catch (err) {
    throw new AttacheError('STATE_CORRUPT', `cached suppression list refused: ${(err as Error).message}`, { cause: err });
  }
}
