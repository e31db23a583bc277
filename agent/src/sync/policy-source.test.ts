// loadPolicySet verifies each set once per sync: a fresh set when it is fetched (not again before use), a cached set
// when it is read back from disk. Counted at the signature check (every policy and the manifest is one check).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { canonicalJson } from '../../../common/canonical-json.js';
import * as signing from '../../../common/signing.js';
import type { AgentIdentity, PoliciesResponse, PolicyPayload, SignedPolicy } from '../../../policy-schemas/src/index.js';
import { silentLogger } from '../logging.js';
import { StateStore } from '../state/state-store.js';
import { MemoryFileStore } from '../system/file-store.js';
import { loadPolicySet } from './policy-source.js';
import { signedSetResponse, testIdentity } from './testing/signed-set.js';

vi.mock('../../../common/signing.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../common/signing.js')>();
  return { ...real, verifyBytes: vi.fn(real.verifyBytes) };
});

const TENANT = '11111111-1111-4111-8111-111111111111';
const DEVICE = '55555555-5555-4555-8555-555555555555';
const keys = signing.generateEd25519KeyPair();
const identity: AgentIdentity = testIdentity(TENANT, DEVICE, keys.publicKey);

function signed(policyId: string, version: number, settings: PolicyPayload['settings'] = { 'mdatp.cloudService.enabled': true }): SignedPolicy {
  const payload: PolicyPayload = {
    policyId,
    version,
    tenantId: TENANT,
    name: 'AV',
    kind: 'antivirus',
    settings,
    createdAt: '2026-11-22T00:00:00.000Z',
  };
  return {
    payload,
    keyId: signing.keyIdOf(keys.publicKey),
    signature: signing.signBytes(signing.privateKeyFromPem(keys.privateKeyPem), canonicalJson(payload)),
  };
}

const verifications = vi.mocked(signing.verifyBytes);
const set: PoliciesResponse = signedSetResponse(
  identity,
  1,
  [signed('22222222-2222-4222-8222-222222222222', 1), signed('33333333-3333-4333-8333-333333333333', 2)],
  keys.privateKeyPem,
);
/** Signature checks of one verification of `set`: its two policies and its manifest. */
const ONE_VERIFICATION = 3;

let store: StateStore;
let files: MemoryFileStore;
let answer: 'set' | 'not-modified';
const client = {
  getPolicies: async () => (answer === 'set' ? { notModified: false as const, body: set } : { notModified: true as const }),
};
const deps = () => ({ store, client, identity, logger: silentLogger(), now: () => Date.parse('2026-11-23T00:00:00.000Z') });

beforeEach(async () => {
  files = new MemoryFileStore();
  store = new StateStore('/state', { posixPermissions: false, files });
  await store.init();
  answer = 'set';
  verifications.mockClear();
});
afterEach(() => vi.clearAllMocks());

describe('loadPolicySet verifies each set once', () => {
  it('verifies a fetched set once, caches it and returns it', async () => {
    const loaded = await loadPolicySet(deps(), 'fetch', {});
    expect(loaded).toMatchObject({ source: 'endpoint', trusted: true });
    expect(loaded.payloads.map((p) => p.version)).toEqual([1, 2]);
    expect(loaded.manifest?.setVersion).toBe(1);
    expect(verifications).toHaveBeenCalledTimes(ONE_VERIFICATION);
    expect((await store.readPolicies())?.etag).toBe(set.etag);
  });

  it('does not verify again the cached set it verified (304, cache load), but does after a restart, and checks the floor', async () => {
    await loadPolicySet(deps(), 'fetch', {});
    answer = 'not-modified';
    verifications.mockClear();
    const confirmed = await loadPolicySet(deps(), 'fetch', {});
    expect(confirmed).toMatchObject({ source: 'endpoint', trusted: true });
    expect(confirmed.payloads).toHaveLength(2);
    const cached = await loadPolicySet(deps(), 'cache', {});
    expect(cached).toMatchObject({ source: 'cache', trusted: true });
    expect(cached.payloads).toHaveLength(2);
    expect(verifications).not.toHaveBeenCalled();
    // The version floor is checked every time, verified or not.
    const raised = await loadPolicySet(deps(), 'cache', { '22222222-2222-4222-8222-222222222222': 5 });
    expect(raised.error?.code).toBe('POLICY_DOWNGRADE');
    // A restarted agent (a new state store over the same files) reads the set from disk and verifies it once.
    store = new StateStore('/state', { posixPermissions: false, files });
    await store.init();
    const restarted = await loadPolicySet(deps(), 'cache', {});
    expect(restarted.payloads).toHaveLength(2);
    expect(verifications).toHaveBeenCalledTimes(ONE_VERIFICATION);
  });

  it('still refuses a downgrade of a fetched set and keeps the last good one', async () => {
    await loadPolicySet(deps(), 'fetch', {});
    const loaded = await loadPolicySet(deps(), 'fetch', { '33333333-3333-4333-8333-333333333333': 3 });
    expect(loaded.rejection?.code).toBe('POLICY_DOWNGRADE');
    expect(loaded.error?.code).toBe('POLICY_DOWNGRADE');
    // The last good set then fails the same floor: nothing is enforced rather than an older version.
    expect(loaded.payloads).toEqual([]);
  });
});

describe('a catalog narrowed since the set was cached', () => {
  // A value the catalog of the agent that fetched the set accepted and this agent's refuses (here: out of range).
  const narrowed = signed('44444444-4444-4444-8444-444444444444', 1, { 'mdatp.antivirusEngine.enforcementLevel': 'stricter_than_ever' });
  const good = signed('22222222-2222-4222-8222-222222222222', 1);

  it('keeps the whole cached set (its values are checked per setting at apply), while a fetched set with it is rejected', async () => {
    const accepted = signedSetResponse(identity, 1, [good, narrowed], keys.privateKeyPem);
    await store.writePolicies({ etag: accepted.etag, policies: accepted.policies, manifest: accepted.manifest });
    const cached = await loadPolicySet(deps(), 'cache', {});
    expect(cached).toMatchObject({ source: 'cache', trusted: true });
    expect(cached.error).toBeUndefined();
    expect(cached.payloads.map((p) => p.policyId)).toEqual([good.payload.policyId, narrowed.payload.policyId]);

    const fresh = signedSetResponse(identity, 2, [good, narrowed], keys.privateKeyPem);
    const fetched = await loadPolicySet({ ...deps(), client: { getPolicies: async () => ({ notModified: false as const, body: fresh }) } }, 'fetch', {});
    expect(fetched.rejection?.code).toBe('POLICY_INVALID');
    expect(fetched.rejection?.message).toContain('mdatp.antivirusEngine.enforcementLevel');
    // The last good set is still enforced.
    expect(fetched).toMatchObject({ source: 'cache', trusted: true });
    expect(fetched.payloads).toHaveLength(2);
  });
});
