// The admin's suppressions reach the agent with its policies: a signed list is verified (pinned key, tenant, device)
// before it is cached with the set, a bad one refuses the whole fetch and keeps the last good cache, an older list does
// not replace a newer one, and the cached list read back makes a finding that is still present add no risk.
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../common/canonical-json.js';
import * as signing from '../../../common/signing.js';
import type { PoliciesResponse, SignedSuppressionList, SuppressionListPayload } from '../../../policy-schemas/src/index.js';
import type { RiskIndicator } from '../core/indicator-match.js';
import { EMPTY_RISK_STATE, evaluate } from '../core/risk-engine.js';
import { silentLogger } from '../logging.js';
import { StateStore } from '../state/state-store.js';
import { MemoryFileStore } from '../system/file-store.js';
import { loadPolicySet } from './policy-source.js';
import { readSuppressions } from './suppressions.js';
import { signedSetResponse, testIdentity } from './testing/signed-set.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const DEVICE = '55555555-5555-4555-8555-555555555555';
const RULE = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const ALERT = 'indicator.0f3c';
const keys = signing.generateEd25519KeyPair();
const identity = testIdentity(TENANT, DEVICE, keys.publicKey);
const NOW = Date.parse('2026-11-23T00:00:00.000Z');

function list(overrides: Partial<SuppressionListPayload> = {}, pem = keys.privateKeyPem): SignedSuppressionList {
  const payload: SuppressionListPayload = {
    purpose: 'attache-suppressions',
    deviceId: DEVICE,
    tenantId: TENANT,
    issuedAt: '2026-11-22T12:00:00.000Z',
    suppressions: [{ ruleId: RULE, alertId: ALERT }],
    ...overrides,
  };
  return { payload, keyId: signing.keyIdOf(keys.publicKey), signature: signing.signBytes(signing.privateKeyFromPem(pem), canonicalJson(payload)) };
}

async function agentWith(...answers: (SignedSuppressionList | undefined)[]) {
  const store = new StateStore('/state', { posixPermissions: false, files: new MemoryFileStore() });
  await store.init();
  const set = signedSetResponse(identity, 1, [], keys.privateKeyPem);
  const queue = [...answers];
  const client = {
    getPolicies: async () => {
      const suppressions = queue.shift();
      return { notModified: false as const, body: { ...set, ...(suppressions ? { suppressions } : {}) } satisfies PoliciesResponse };
    },
  };
  const deps = { store, client, identity, logger: silentLogger(), now: () => NOW };
  const read = () => readSuppressions({ store, identity, logger: silentLogger() });
  return { store, fetch: () => loadPolicySet(deps, 'fetch', {}), read };
}

describe('suppressions delivered with the policies', () => {
  it('caches a verified list, and the finding it covers adds no risk on the agent (its block stays)', async () => {
    const agent = await agentWith(list());
    expect((await agent.fetch()).source).toBe('endpoint');
    const suppressions = await agent.read();
    expect(suppressions).toEqual([{ ruleId: RULE, alertId: ALERT }]);
    // The risk engine with the finding still present: the alert stays tracked and raises no risk; the indicator's
    // block stays (a suppression never lifts enforcement).
    const block: RiskIndicator = { type: 'processName', value: 'xmrig', action: 'block', severity: 'high' };
    const digest = () => '0f3c';
    const observe = { indicators: [block], processes: [{ pid: 7, name: 'xmrig', path: '/opt/xmrig' }] };
    const now = { ms: NOW, iso: '2026-11-23T00:00:00.000Z' };
    const without = evaluate(EMPTY_RISK_STATE, observe, { signatureMaxAgeHours: 1, applyErrorSyncs: 3, tamperAlertMs: 1, caseInsensitive: false }, now, digest);
    expect(without.state.alerts[0]?.alert.alertId).toBe(ALERT);
    expect(without.riskLevel).toBe('high');
    const suppressed = evaluate(
      EMPTY_RISK_STATE,
      { ...observe, suppressions },
      { signatureMaxAgeHours: 1, applyErrorSyncs: 3, tamperAlertMs: 1, caseInsensitive: false },
      now,
      digest,
    );
    expect([suppressed.riskLevel, suppressed.blocks.map((b) => b.alertId), suppressed.state.alerts[0]?.suppressedBy]).toEqual(['none', [ALERT], RULE]);
  });

  it('refuses the fetch for a list of another device, another tenant or with a bad signature, keeping the last good cache', async () => {
    const other = signing.generateEd25519KeyPair();
    for (const bad of [
      list({ deviceId: '66666666-6666-4666-8666-666666666666' }),
      list({ tenantId: '22222222-2222-4222-8222-222222222222' }),
      list({}, other.privateKeyPem),
      { ...list(), signature: list({ suppressions: [] }).signature },
    ]) {
      const agent = await agentWith(list(), bad);
      await agent.fetch();
      const refused = await agent.fetch();
      expect(refused.rejection?.code).toBe('POLICY_SET_INVALID');
      expect(await agent.read()).toEqual([{ ruleId: RULE, alertId: ALERT }]);
    }
  });

  it('drops the list when the endpoint sends none, and keeps a newer cached list over an older one', async () => {
    const newer = list({ issuedAt: '2026-11-22T13:00:00.000Z', suppressions: [] });
    const agent = await agentWith(newer, list({ issuedAt: '2026-11-22T12:00:00.000Z' }), list({ issuedAt: '2026-11-22T12:58:00.000Z' }), undefined);
    await agent.fetch();
    await agent.fetch();
    expect(await agent.read()).toEqual([]);
    // Within the replicas' clock skew (5 min) a list counts as current.
    await agent.fetch();
    expect(await agent.read()).toEqual([{ ruleId: RULE, alertId: ALERT }]);
    await agent.fetch();
    expect(await agent.read()).toEqual([]);
  });

  it('keeps the replay floor when the list becomes empty or absent: an older list never brings a deleted suppression back', async () => {
    const old = list({ issuedAt: '2026-11-22T12:00:00.000Z' });
    // The admin deletes the rule: the endpoint then sends an empty list, signed (before review 17a #8: none at all).
    const agent = await agentWith(old, list({ issuedAt: '2026-11-22T13:00:00.000Z', suppressions: [] }), old);
    await agent.fetch();
    expect(await agent.read()).toEqual([{ ruleId: RULE, alertId: ALERT }]);
    await agent.fetch();
    expect(await agent.read()).toEqual([]);
    // The old list replayed (a proxy, a stale replica): still no suppression, and the set itself is taken.
    expect((await agent.fetch()).rejection).toBeUndefined();
    expect(await agent.read()).toEqual([]);
    expect(await agent.store.readSetFloor()).toMatchObject({ suppressionsIssuedAt: '2026-11-22T13:00:00.000Z' });
  });

  it('keeps the floor across a lost policy cache (it lives with the set floor in policy-set.json)', async () => {
    const agent = await agentWith(list({ issuedAt: '2026-11-22T13:00:00.000Z', suppressions: [] }), list({ issuedAt: '2026-11-22T12:00:00.000Z' }));
    await agent.fetch();
    const cached = await agent.store.readPolicies();
    await agent.store.writePolicies({ etag: cached?.etag, policies: cached?.policies ?? [], ...(cached?.manifest ? { manifest: cached.manifest } : {}) });
    await agent.fetch();
    expect(await agent.read()).toEqual([]);
  });

  it('refuses a cached list that was altered on disk (STATE_CORRUPT): the monitor then counts no suppression', async () => {
    const agent = await agentWith(list());
    await agent.fetch();
    const cached = await agent.store.readPolicies();
    const altered = { ...(cached?.suppressions as SignedSuppressionList) };
    altered.payload = { ...altered.payload, suppressions: [{ ruleId: RULE, alertId: 'posture.realTimeProtectionOff' }] };
    await agent.store.writePolicies({ etag: cached?.etag, policies: cached?.policies ?? [], suppressions: altered });
    await expect(agent.read()).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
  });
});
