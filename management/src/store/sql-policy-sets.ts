// A device's policy set as the endpoint signs it: the assigned policies' ids and latest versions (from the policies
// and assignments tables, never from which payloads happen to load), the set version that grows whenever that list
// changes, and the signed payloads to deliver, read in one transaction so the list and the payloads agree.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { canonicalJson } from '../../../common/canonical-json.js';
import type { ManifestEntry } from '../../../policy-schemas/src/index.js';
import type { Database } from './schema.js';
import { signedPolicyFromRow } from './sql-rows.js';
import { assignedPolicyPairs } from './sql-targeting.js';
import type { DevicePolicySet } from './store.js';
import { isolateRows } from './stored-json.js';
import { inTransaction } from './transactions.js';

type Db = Kysely<Database>;

/** One device's set: the batched computation below for a batch of one (one mechanism for both). */
export async function policySetForDevice(db: Db, deviceId: string, now: string): Promise<DevicePolicySet> {
  const set = (await policySetsForDevices(db, [deviceId], now)).get(deviceId);
  if (!set) throw new Error(`policy set of device ${deviceId} was not computed`);
  return set;
}

/** Devices per statement of a batched set computation (SQLite's bound-parameter limit is 32,766). */
const BATCH = 500;

/**
 * The sets of many devices at once (the push fan-out after a change, or one device's fetch): one query for the
 * assigned pairs, one for the payloads of the distinct versions, two statements per distinct list for the set
 * versions, all in one transaction per batch of devices. Devices with the same list share one `entries` and one
 * `policies` array. A payload that cannot be loaded stays listed in the manifest but is not served: the device refuses
 * the incomplete set and keeps its last good one, and the admin's device status names the corrupt row.
 */
export async function policySetsForDevices(db: Db, deviceIds: readonly string[], now: string): Promise<Map<string, DevicePolicySet>> {
  const out = new Map<string, DevicePolicySet>();
  for (let i = 0; i < deviceIds.length; i += BATCH) {
    const ids = deviceIds.slice(i, i + BATCH);
    await inTransaction(db, async (trx) => {
      const byDevice = await assignedPolicyPairs(trx, ids);
      const lists = new Map<string, { entries: ManifestEntry[]; digest: string }>();
      const listOf = new Map<string, string>();
      for (const deviceId of ids) {
        const entries = byDevice.get(deviceId) ?? [];
        const key = entries.map((e) => `${e.policyId}@${e.version}`).join(',');
        if (!lists.has(key)) lists.set(key, { entries, digest: createHash('sha256').update(canonicalJson(entries)).digest('hex') });
        listOf.set(deviceId, key);
      }
      const wanted = [...new Set([...lists.values()].flatMap((l) => l.entries.map((e) => e.policyId)))];
      const rows =
        wanted.length === 0
          ? []
          : await trx
              .selectFrom('policies as p')
              .innerJoin('policyVersions as v', (join) => join.onRef('v.policyId', '=', 'p.policyId').onRef('v.version', '=', 'p.latestVersion'))
              .select(['v.policyId', 'v.version', 'v.payload', 'v.keyId', 'v.signature'])
              .where('p.policyId', 'in', wanted)
              .execute();
      const { items } = isolateRows(rows, signedPolicyFromRow, (row) => ({ table: 'policy_versions', id: `${row.policyId}@${row.version}` }));
      const loaded = new Map(items.map((p) => [`${p.payload.policyId}@${p.payload.version}`, p]));
      const policiesOf = new Map([...lists].map(([key, l]) => [key, l.entries.flatMap((e) => loaded.get(`${e.policyId}@${e.version}`) ?? [])]));
      // Set versions move per distinct list with two statements (not one read and write per device): devices without a
      // row get version 1, devices whose stored digest differs move one version up. Each is a compare-and-set in itself.
      for (const [key, { digest }] of lists) {
        const members = ids.filter((id) => listOf.get(id) === key);
        await trx
          .insertInto('devicePolicySets')
          .values(members.map((deviceId) => ({ deviceId, setVersion: 1, digest, issuedAt: now })))
          .onConflict((oc) => oc.column('deviceId').doNothing())
          .execute();
        await trx
          .updateTable('devicePolicySets')
          .set((eb) => ({ setVersion: eb('setVersion', '+', 1), digest, issuedAt: now }))
          .where('deviceId', 'in', members)
          .where('digest', '!=', digest)
          .execute();
      }
      const stored = new Map(
        (await trx.selectFrom('devicePolicySets').selectAll().where('deviceId', 'in', ids).execute()).map((r) => [r.deviceId, r] as const),
      );
      for (const deviceId of ids) {
        const key = listOf.get(deviceId) as string;
        const { entries, digest } = lists.get(key) as { entries: ManifestEntry[]; digest: string };
        const row = stored.get(deviceId);
        if (!row || row.digest !== digest) throw new Error(`policy set of device ${deviceId} did not advance`);
        out.set(deviceId, { setVersion: row.setVersion, issuedAt: row.issuedAt, digest, entries, policies: policiesOf.get(key) ?? [] });
      }
    });
  }
  return out;
}
