// Where a sync's policies come from: fresh from the endpoint (verified, downgrade-checked, then cached) or the last
// good set from disk. A rejected set is never cached; the last good one stays in force.
import { canonicalJson } from '../../../common/canonical-json.js';
import { type AttacheError, toAttacheError } from '../../../common/errors.js';
import type { AgentIdentity, PinnedSigningKey, PoliciesResponse, PolicyPayload, PolicySetManifest, SignedPolicy } from '../../../policy-schemas/src/index.js';
import { type SetFloor, sortedEntries } from '../core/set-floor.js';
import { findDowngrades, raiseFloor, type VersionFloor } from '../core/version-floor.js';
import type { Logger } from '../logging.js';
import type { StateStore } from '../state/state-store.js';
import type { EndpointClient } from '../transport/endpoint-client.js';
import { followSigningKeyChain, usablePins } from './key-chain.js';
import { laterIssuedAt, newerSuppressionList } from './suppressions.js';
import { PolicyRejectedError, type PolicyTrust, type ValueCheck, verifyManifest, verifyPolicies } from './verify.js';

/** The policies one sync enforces and how far they can be trusted. */
export interface PolicySet {
  readonly payloads: PolicyPayload[];
  readonly source: 'endpoint' | 'cache';
  /** True when the set is what the endpoint assigned (fresh or last good) and verified: restores may follow from it. */
  readonly trusted: boolean;
  readonly error?: AttacheError;
  /** Set when a fetched set was refused (signature, schema, tenant, catalog, downgrade, manifest). */
  readonly rejection?: PolicyRejectedError;
  /** The set's verified manifest (absent only for a cache written before manifests existed). */
  readonly manifest?: PolicySetManifest;
}

export interface PolicySourceDeps {
  readonly store: StateStore;
  readonly client?: Pick<EndpointClient, 'getPolicies'>;
  readonly identity: AgentIdentity;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Verifies a signed set and refuses versions older than the ones already applied. */
export function verifyAgainstFloor(signed: readonly unknown[], trust: PolicyTrust, floor: VersionFloor, values: ValueCheck = 'verify'): PolicyPayload[] {
  return refuseDowngrades(verifyPolicies(signed, trust, values), floor);
}

/**
 * Sets this process verified, by the identity of their signed array: the state store serves the cached set from memory
 * as one frozen value until it is replaced, so a check-in answered "not modified" or a drift check finds the very
 * array it verified and need not check signatures and schemas again (the floor is checked every time). Only frozen
 * arrays are kept (content cannot change under the same identity); the trust they were verified with is part of the key.
 */
const verifiedSets = new WeakMap<
  object,
  { readonly trust: string; readonly manifest: unknown; readonly payloads: PolicyPayload[]; readonly verified?: PolicySetManifest }
>();

const trustKey = (trust: ReturnType<typeof trustOf>) =>
  `${trust.tenantId}|${trust.deviceId}|${trust.signingKeys.map((k) => `${k.keyId}:${k.publicKey}`).join(',')}`;

function rememberVerified(
  signed: readonly unknown[],
  manifest: unknown,
  trust: ReturnType<typeof trustOf>,
  payloads: PolicyPayload[],
  verified?: PolicySetManifest,
) {
  if (Object.isFrozen(signed)) verifiedSets.set(signed, { trust: trustKey(trust), manifest, payloads, ...(verified ? { verified } : {}) });
}

/** The cached set verified with `trust`: from verifiedSets when this process verified this very array, else checked now. */
function verifiedCache(signed: readonly unknown[], signedManifest: unknown, trust: ReturnType<typeof trustOf>, floor: VersionFloor) {
  const known = verifiedSets.get(signed);
  if (known && known.manifest === signedManifest && known.trust === trustKey(trust)) {
    return { payloads: refuseDowngrades(known.payloads, floor), manifest: known.verified };
  }
  // Values at apply: this agent's catalog may be narrower than the one that accepted the set (an upgrade); a setting
  // it refuses fails alone (POLICY_INVALID) instead of the whole last good set.
  const payloads = verifyAgainstFloor(signed, trust, floor, 'apply');
  // The cached manifest was checked against the floor when it was fetched; here only that it still matches.
  const manifest = signedManifest === undefined ? undefined : verifyManifest(signedManifest, payloads, trust, undefined);
  rememberVerified(signed, signedManifest, trust, payloads, manifest);
  return { payloads, manifest };
}

/** Refuses versions older than the ones already applied (POLICY_DOWNGRADE, naming the first). */
function refuseDowngrades(payloads: PolicyPayload[], floor: VersionFloor): PolicyPayload[] {
  const [first] = findDowngrades(payloads, floor);
  if (first) {
    throw new PolicyRejectedError(
      'POLICY_DOWNGRADE',
      `policy "${first.name}" (${first.policyId}) v${first.version} is older than v${first.applied} already applied on this device`,
      { policyId: first.policyId, version: first.version },
    );
  }
  return payloads;
}

/** Loads the policy set: `fetch` asks the endpoint first; `cache` (drift checks, dry runs) never contacts it. */
export async function loadPolicySet(deps: PolicySourceDeps, mode: 'fetch' | 'cache', floor: VersionFloor): Promise<PolicySet> {
  const { store, logger, identity } = deps;
  let cached: Awaited<ReturnType<StateStore['readPolicies']>>;
  try {
    cached = await store.readPolicies();
  } catch (err) {
    logger.error('policy cache unreadable, ignoring it', { error: (err as Error).message });
  }
  const signed: SignedPolicy[] = cached?.policies ?? [];
  const signedManifest: unknown = cached?.manifest;
  let source: PolicySet['source'] = 'cache';
  let error: AttacheError | undefined;
  let rejection: PolicyRejectedError | undefined;
  let pins = await readPins(deps);
  if (mode === 'fetch' && deps.client) {
    try {
      const fresh = await fetchFresh(deps, pins, cached, floor, await readSetFloor(deps));
      // A new set was verified (against the stricter current pins and both floors) before it was cached: use it as is.
      if (fresh.verified) return { payloads: fresh.verified.payloads, source: 'endpoint', trusted: true, manifest: fresh.verified.manifest };
      // 304: the endpoint confirmed the cached set, which is verified below like any read from disk.
      pins = fresh.pins;
      source = 'endpoint';
    } catch (err) {
      error = toAttacheError(err, 'ENDPOINT_ERROR');
      if (err instanceof PolicyRejectedError) rejection = err;
      logger.warn('using last good policies', { code: error.code, error: error.message });
    }
  }
  // Verified once per load: the cache is read from the state dir (served from memory while the agent runs, read from
  // disk again after a restart, where it could have been altered).
  try {
    // Every pinned key, including one whose overlap ended: this set was accepted when it was fetched (a device offline
    // across the end of an overlap keeps enforcing it); only fresh deliveries must use a key that is still current.
    const { payloads, manifest } = verifiedCache(signed, signedManifest, trustOf(identity, pins), floor);
    return {
      payloads,
      source,
      trusted: source === 'endpoint' || cached !== undefined,
      ...(manifest ? { manifest } : {}),
      ...(error ? { error } : {}),
      ...(rejection ? { rejection } : {}),
    };
  } catch (err) {
    const e = toAttacheError(err, 'STATE_CORRUPT');
    logger.error('cached policies failed verification; nothing enforced', { code: e.code, error: e.message });
    return { payloads: [], source, trusted: false, error: e, ...(rejection ? { rejection } : {}) };
  }
}

/** What a set is verified against: the pins usable at `nowMs`, or all of them when no time is given. */
const trustOf = (identity: AgentIdentity, pins: readonly PinnedSigningKey[], nowMs?: number) => ({
  tenantId: identity.tenantId,
  signingKeys: nowMs === undefined ? pins.map((p) => ({ keyId: p.keyId, publicKey: p.publicKey })) : usablePins(pins, nowMs),
  deviceId: identity.deviceId,
});

/** The pinned signing keys: signing-keys.json once the device followed a chain, else the onboarding pin. */
async function readPins(deps: PolicySourceDeps): Promise<PinnedSigningKey[]> {
  try {
    const pins = await deps.store.readSigningKeys();
    if (pins) return pins;
  } catch (err) {
    deps.logger.error('pinned signing keys unreadable, using the onboarding pin', { error: (err as Error).message });
  }
  return [deps.identity.policySigningKey];
}

/** Follows the response's key chain from our pins; new pins are stored before anything is verified with them. */
async function followChain(deps: PolicySourceDeps, pins: PinnedSigningKey[], body: PoliciesResponse): Promise<PinnedSigningKey[]> {
  const followed = followSigningKeyChain(pins, body.signingKeys ?? [], deps.identity.tenantId, deps.now());
  for (const reason of followed.skipped) deps.logger.warn('signing key announcement ignored', { error: reason });
  if (!followed.changed) return pins;
  await deps.store.writeSigningKeys(followed.pins);
  deps.logger.info('pinned policy-signing keys changed', { keyIds: followed.pins.map((p) => p.keyId) });
  return followed.pins;
}

/** The applied set's floor; unreadable counts as none (logged), as the policy version floor does. */
async function readSetFloor(deps: PolicySourceDeps): Promise<SetFloor | undefined> {
  try {
    return await deps.store.readSetFloor();
  } catch (err) {
    deps.logger.error('applied policy set unreadable, set replay check limited to this run', { error: (err as Error).message });
    return undefined;
  }
}

/**
 * Asks the endpoint for the set. A new one is verified here (the only verification it gets this sync), its floors
 * raised and cached; `verified` is absent when the endpoint answered 304 (the cached set stands).
 */
async function fetchFresh(
  deps: PolicySourceDeps,
  pins: PinnedSigningKey[],
  cached: Awaited<ReturnType<StateStore['readPolicies']>>,
  floor: VersionFloor,
  setFloor: SetFloor | undefined,
): Promise<{ verified?: { payloads: PolicyPayload[]; manifest: PolicySetManifest }; pins: PinnedSigningKey[] }> {
  const { store, identity } = deps;
  const client = deps.client as Pick<EndpointClient, 'getPolicies'>;
  let result = await refusingMalformed(() => client.getPolicies(cached?.etag));
  if (result.notModified) {
    if (cached) return { pins };
    result = await refusingMalformed(() => client.getPolicies(undefined));
    if (result.notModified) throw new Error('endpoint answered 304 to an unconditional request');
  }
  const { body } = result;
  if (body.deviceId !== identity.deviceId) {
    throw new PolicyRejectedError('POLICY_SET_INVALID', `the policies response is for device ${body.deviceId}, this device is ${identity.deviceId}`);
  }
  const followed = await followChain(deps, pins, body);
  // Verify before caching: a rejected set must never replace the last good one.
  const trust = trustOf(identity, followed, deps.now());
  const payloads = verifyAgainstFloor(body.policies, trust, floor);
  // The floor is the higher of the applied set and the cached one: a cache written by a sync that died before it
  // raised the floor still counts.
  const manifest = verifyManifest(body.manifest, payloads, trust, higherFloor(setFloor, cachedSetFloor(cached)));
  // The suppression list is verified with the same trust (refused: the set is too) against the newest list taken: the
  // floor in policy-set.json, or the cached list's when a sync died after caching it and before raising the floor.
  const listFloor = laterIssuedAt(setFloor?.suppressionsIssuedAt, cached?.suppressions?.payload.issuedAt);
  const suppressions = newerSuppressionList(body.suppressions, cached?.suppressions, listFloor, trust, deps.logger);
  // Raise the floors as soon as the set is authenticated, before it is cached or applied: a crash or a full disk
  // mid-apply must not leave a window in which the previous set (or list) could be replayed.
  await raiseFloors(store, floor, payloads, manifest, setFloor, laterIssuedAt(listFloor, suppressions?.payload.issuedAt));
  await store.writePolicies({ etag: body.etag, policies: body.policies, manifest: body.manifest, ...(suppressions ? { suppressions } : {}) });
  // Verified with the pins usable now, so with all of them too (what a later load of the cache checks against).
  rememberVerified(body.policies, body.manifest, trustOf(identity, followed), payloads, manifest);
  return { verified: { payloads, manifest }, pins: followed };
}

/** The set floor a cached manifest implies (its version and list), when the cache has one that parses. */
function cachedSetFloor(cached: Awaited<ReturnType<StateStore['readPolicies']>>): SetFloor | undefined {
  const payload = cached?.manifest?.payload;
  return payload ? { setVersion: payload.setVersion, policies: sortedEntries(payload.policies) } : undefined;
}

function higherFloor(a: SetFloor | undefined, b: SetFloor | undefined): SetFloor | undefined {
  if (!a || !b) return a ?? b;
  return b.setVersion > a.setVersion ? b : a;
}

async function raiseFloors(
  store: StateStore,
  floor: VersionFloor,
  payloads: readonly PolicyPayload[],
  manifest: PolicySetManifest,
  setFloor: SetFloor | undefined,
  suppressionsIssuedAt: string | undefined,
) {
  const raised = raiseFloor(floor, payloads);
  if (canonicalJson(raised) !== canonicalJson(floor)) await store.writeAppliedVersions(raised);
  if (!setFloor || manifest.setVersion > setFloor.setVersion || suppressionsIssuedAt !== setFloor.suppressionsIssuedAt) {
    const list = suppressionsIssuedAt === undefined ? {} : { suppressionsIssuedAt };
    await store.writeSetFloor({ setVersion: manifest.setVersion, policies: sortedEntries(manifest.policies), ...list });
  }
}

/** A response that fails its schema is a refused set (a `rejected` event, no retry storm), not an endpoint outage. */
async function refusingMalformed<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const e = toAttacheError(err);
    if (e.code === 'SCHEMA_INVALID') throw new PolicyRejectedError('SCHEMA_INVALID', e.message, {}, { cause: err, details: e.details });
    throw err;
  }
}
