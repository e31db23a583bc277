// The 15,000 indicator limit under concurrent writes, on the real store of both engines: two creates (or updates of
// two policies) that each fit alone but not together; exactly one is stored, the other is INDICATOR_LIMIT_EXCEEDED.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rawPublicKey } from '../../../common/signing.js';
import type { ManagementStore } from '../store/store.js';
import { freshStorePerTest, STORE_ENGINES } from '../store/testing/store-engines.js';
import type { ServiceContext } from './context.js';
import { activeIndicatorCount, INDICATOR_TENANT_LIMIT } from './indicator-limit.js';
import { createPolicy, updatePolicy } from './policies.js';

const NOW = '2026-12-05T10:00:00.000Z';
const items = (n: number, prefix: number) =>
  Array.from({ length: n }, (_, i) => ({ type: 'fileSha256', value: (prefix * 1_000_000 + i).toString(16).padStart(64, '0'), action: 'block' }));
const body = (name: string, n: number, prefix: number) => ({ name, kind: 'indicators', settings: { 'indicators.items': items(n, prefix) } });

function context(store: ManagementStore): ServiceContext {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keys = { privateKey, publicKey: rawPublicKey(publicKey), keyId: 'k'.repeat(32) };
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
  return {
    store,
    signingKeys: { advance: async () => undefined, active: () => keys },
    clock: { now: () => Date.parse(NOW) },
    identity: { tenantId: 't1' },
    logger: silent,
    hub: { nudge: () => 0 },
  } as unknown as ServiceContext;
}

/** Stored indicator policies of at most 5,000 items (the per-policy limit) holding `total` active items. */
async function seed(ctx: ServiceContext, total: number): Promise<string[]> {
  const ids: string[] = [];
  for (let left = total, prefix = 10; left > 0; left -= 5000, prefix++)
    ids.push((await createPolicy(ctx, body(`base ${prefix}`, Math.min(5000, left), prefix))).policyId);
  return ids;
}

/** Active indicator items over the latest version of every stored policy. */
async function activeTotal(store: ManagementStore): Promise<number> {
  const { policies } = await store.listPolicies();
  return policies.reduce((sum, p) => sum + activeIndicatorCount(p.latest.payload, Date.parse(NOW)), 0);
}

describe.each(STORE_ENGINES)('%s store', (engineName) => {
  let store: ManagementStore;
  freshStorePerTest(engineName, (s) => {
    store = s;
  });

  it('refuses the 15,001st active indicator on create and update with INDICATOR_LIMIT_EXCEEDED naming the count, storing nothing', async () => {
    const ctx = context(store);
    const [, , third] = await seed(ctx, INDICATOR_TENANT_LIMIT - 1000);
    await createPolicy(ctx, body('to the limit', 1000, 4));
    await expect(createPolicy(ctx, body('one more', 1, 5))).rejects.toMatchObject({
      code: 'INDICATOR_LIMIT_EXCEEDED',
      message: expect.stringContaining('15001 active'),
    });
    await expect(updatePolicy(ctx, third as string, body('base 12', 4001, 12))).rejects.toMatchObject({ code: 'INDICATOR_LIMIT_EXCEEDED' });
    expect((await store.listPolicies()).policies).toHaveLength(4);
    expect(await store.getPolicyHead(third as string)).toMatchObject({ latestVersion: 1 });
  });

  it('stores one of two concurrent creates that fit alone but not together; the other is INDICATOR_LIMIT_EXCEEDED', async () => {
    const ctx = context(store);
    await seed(ctx, INDICATOR_TENANT_LIMIT - 1000);
    const outcomes = await Promise.allSettled([createPolicy(ctx, body('a', 600, 2)), createPolicy(ctx, body('b', 600, 3))]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult | undefined)?.reason).toMatchObject({ code: 'INDICATOR_LIMIT_EXCEEDED' });
    expect(await activeTotal(store)).toBe(INDICATOR_TENANT_LIMIT - 400);
  });

  it('stores one of two concurrent updates of two policies that fit alone but not together', async () => {
    const ctx = context(store);
    await seed(ctx, INDICATOR_TENANT_LIMIT - 1000);
    const a = await createPolicy(ctx, body('a', 0, 2));
    const b = await createPolicy(ctx, body('b', 0, 3));
    const outcomes = await Promise.allSettled([updatePolicy(ctx, a.policyId, body('a', 600, 2)), updatePolicy(ctx, b.policyId, body('b', 600, 3))]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult | undefined)?.reason).toMatchObject({ code: 'INDICATOR_LIMIT_EXCEEDED' });
    expect(await activeTotal(store)).toBe(INDICATOR_TENANT_LIMIT - 400);
  });

  it('lets a tenant already over the limit lower a policy, and refuses raising it', async () => {
    const ctx = context(store);
    // Stored directly: a tenant over the limit (items expiring later, a limit lowered by an upgrade, an old import).
    const [first] = await seed(ctx, INDICATOR_TENANT_LIMIT - 100);
    const extra = await createPolicy(ctx, body('extra', 100, 2));
    const head = await store.getPolicyHead(extra.policyId);
    const payload = {
      ...(await store.getPolicy(extra.policyId))?.latest.payload,
      version: (head?.latestVersion ?? 0) + 1,
      settings: { 'indicators.items': items(300, 2) },
    };
    await store.addPolicyVersion({ payload, keyId: 'k'.repeat(32), signature: `${'A'.repeat(86)}==` } as never);
    expect(await activeTotal(store)).toBe(INDICATOR_TENANT_LIMIT + 200);
    await expect(updatePolicy(ctx, extra.policyId, body('extra', 301, 2))).rejects.toMatchObject({ code: 'INDICATOR_LIMIT_EXCEEDED' });
    await updatePolicy(ctx, extra.policyId, body('extra', 250, 2));
    // Re-issuing another policy at its own count is allowed too (nothing added).
    await updatePolicy(ctx, first as string, body('base 10', 5000, 10));
    expect(await activeTotal(store)).toBe(INDICATOR_TENANT_LIMIT + 150);
  });
});
