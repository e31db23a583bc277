// Tests of the batched set computation (the push fan-out) against the one-device one: same lists and payloads, set
// versions that move once per change, exclusions, and one array shared by devices with one list.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SignedPolicy } from '../../../policy-schemas/src/index.js';
import type { ManagementStore } from './store.js';
import { freshStorePerTest, STORE_ENGINES } from './testing/store-engines.js';
import { enrolledDevice, storedPolicy } from './testing/store-fixtures.js';

const NOW = '2026-12-05T12:00:00.000Z';
const LATER = '2026-12-05T13:00:00.000Z';

let store: ManagementStore;

const policy = (policyId: string, version = 1): SignedPolicy => storedPolicy(policyId, version, NOW);
const enrolled = (): Promise<string> => enrolledDevice(store, NOW);

async function group(members: string[]): Promise<string> {
  const groupId = randomUUID();
  await store.createGroup({ groupId, name: groupId, createdAt: NOW });
  for (const id of members) await store.addGroupMember(groupId, id, NOW);
  return groupId;
}

async function assign(policyId: string, groupId: string, mode: 'include' | 'exclude' = 'include'): Promise<void> {
  await store.createAssignment({ assignmentId: randomUUID(), policyId, groupId, mode, createdAt: NOW });
}

describe.each(STORE_ENGINES)('%s store', (engineName) => {
  freshStorePerTest(engineName, (s) => {
    store = s;
  });

  describe('policySetsForDevices', () => {
    it('computes what policySetForDevice computes, moving each set version once per change', async () => {
      const [a, b, c] = [await enrolled(), await enrolled(), await enrolled()];
      const [p1, p2] = [randomUUID(), randomUUID()];
      await store.createPolicy(policy(p1));
      await store.createPolicy(policy(p2));
      await assign(p1, await group([a, b, c]));
      await assign(p2, await group([a, b]));
      await assign(p2, await group([b]), 'exclude');

      const first = await store.policySetsForDevices([a, b, c], NOW);
      expect([...first.keys()].sort()).toEqual([a, b, c].sort());
      expect(first.get(a)?.entries).toEqual([p1, p2].sort().map((policyId) => ({ policyId, version: 1 })));
      expect(first.get(b)?.entries).toEqual([{ policyId: p1, version: 1 }]);
      expect(first.get(b)?.policies).toBe(first.get(c)?.policies);
      for (const id of [a, b, c]) expect(first.get(id)?.setVersion).toBe(1);
      // The one-device path agrees and does not move a version the batch already set.
      for (const id of [a, b, c]) {
        const one = await store.policySetForDevice(id, LATER);
        expect({ ...one, policies: [...one.policies] }).toEqual({ ...first.get(id), policies: [...(first.get(id)?.policies ?? [])] });
      }

      await store.addPolicyVersion(policy(p2, 2));
      const second = await store.policySetsForDevices([a, b, c], LATER);
      expect(second.get(a)).toMatchObject({ setVersion: 2, issuedAt: LATER });
      expect(
        second
          .get(a)
          ?.policies.map((p) => `${p.payload.policyId}@${p.payload.version}`)
          .sort(),
      ).toEqual([`${p1}@1`, `${p2}@2`].sort());
      // b and c do not get p2: their sets did not change.
      expect(second.get(b)).toMatchObject({ setVersion: 1, issuedAt: NOW });
      expect(second.get(c)).toMatchObject({ setVersion: 1, issuedAt: NOW });
      expect((await store.policySetsForDevices([a], LATER)).get(a)?.setVersion).toBe(2);
    });

    it('gives an empty set to a device with no assignment', async () => {
      const a = await enrolled();
      const sets = await store.policySetsForDevices([a], NOW);
      expect(sets.get(a)).toMatchObject({ setVersion: 1, entries: [], policies: [] });
    });
  });
});
