// Contract test of the source of policies (migration 0014) and compliance policies (0015) on both engines: stored
// with version 1, read back by get and list, kept by a version that gives none, replaced by one that gives another.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CompliancePolicy, PolicySource } from '../../../policy-schemas/src/index.js';
import type { ManagementStore } from './store.js';
import { freshStorePerTest, STORE_ENGINES } from './testing/store-engines.js';
import { storedPolicy } from './testing/store-fixtures.js';

const NOW = '2025-01-10T12:00:00.000Z';
const SOURCE: PolicySource = { system: 'intune', id: 'a1b2', name: 'Win - AV', description: 'line one\nline two', template: 'Microsoft Defender Antivirus' };

describe.each(STORE_ENGINES)('%s store: policy source', (engineName) => {
  let store: ManagementStore;
  freshStorePerTest(engineName, (s) => {
    store = s;
  });

  it('stores the source with the policy, keeps it across versions without one and replaces it when given', async () => {
    const policyId = randomUUID();
    const plain = randomUUID();
    await store.createPolicy(storedPolicy(policyId, 1, NOW), SOURCE);
    await store.createPolicy(storedPolicy(plain, 1, NOW));
    expect((await store.getPolicy(policyId))?.source).toEqual(SOURCE);
    expect((await store.getPolicy(plain))?.source).toBeUndefined();
    await store.addPolicyVersion(storedPolicy(policyId, 2, NOW));
    expect((await store.getPolicy(policyId))?.source).toEqual(SOURCE);
    const renamed = { ...SOURCE, name: 'Win - AV v2' };
    await store.addPolicyVersion(storedPolicy(policyId, 3, NOW), renamed);
    const listed = await store.listPolicies();
    expect(listed.policies.find((p) => p.policyId === policyId)?.source).toEqual(renamed);
    expect(listed.policies.find((p) => p.policyId === plain)?.source).toBeUndefined();
  });

  it('stores a compliance policy source, keeps it across an update without one and replaces it when given', async () => {
    const base: CompliancePolicy = {
      compliancePolicyId: randomUUID(),
      name: 'Defender risk',
      settings: { maxRiskLevel: 'low' },
      gracePeriodHours: 0,
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
    };
    const plain: CompliancePolicy = { ...base, compliancePolicyId: randomUUID(), name: 'Authored here' };
    await store.createCompliancePolicy({ ...base, source: SOURCE });
    await store.createCompliancePolicy(plain);
    expect((await store.getCompliancePolicy(base.compliancePolicyId))?.source).toEqual(SOURCE);
    expect((await store.getCompliancePolicy(plain.compliancePolicyId))?.source).toBeUndefined();
    await store.updateCompliancePolicy({ ...base, version: 2, settings: { maxRiskLevel: 'clear' } });
    expect(await store.getCompliancePolicy(base.compliancePolicyId)).toMatchObject({ version: 2, source: SOURCE });
    const renamed = { ...SOURCE, name: 'Win - compliance v2' };
    await store.updateCompliancePolicy({ ...base, version: 3, source: renamed });
    const listed = (await store.listCompliancePolicies()).compliancePolicies;
    expect(listed.find((p) => p.compliancePolicyId === base.compliancePolicyId)?.source).toEqual(renamed);
    expect(listed.find((p) => p.compliancePolicyId === plain.compliancePolicyId)?.source).toBeUndefined();
  });
});
