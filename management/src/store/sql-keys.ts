// Key rotation in SQLite: device keys replaced by rotation (compare-and-set on the current key, the old one kept as
// retired for audit) and the policy-signing key chain, whose activation re-signs every stored policy version at once.
import type { Kysely } from 'kysely';
import { AttacheError } from '../../../common/errors.js';
import type { SignedSigningKeyAnnouncement } from '../../../policy-schemas/src/index.js';
import type { Database } from './schema.js';
import type { DeviceKeyRotation, PolicyResigner, RetiredDeviceKey, StoredSigningKeyAnnouncement } from './store.js';
import { inTransaction } from './transactions.js';

type Db = Kysely<Database>;

export function rotateDeviceKey(db: Db, input: DeviceKeyRotation): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const updated = await trx
      .updateTable('devices')
      .set({ publicKey: input.newPublicKey, keyRotationRequestedAt: null })
      .where('deviceId', '=', input.deviceId)
      .where('publicKey', '=', input.currentPublicKey)
      .where('revoked', '=', 0)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return false;
    await trx
      .insertInto('deviceKeyHistory')
      .values({ deviceId: input.deviceId, keyId: input.currentKeyId, publicKey: input.currentPublicKey, retiredAt: input.rotatedAt })
      .onConflict((oc) => oc.columns(['deviceId', 'keyId']).doNothing())
      .execute();
    return true;
  });
}

export async function requestDeviceKeyRotation(db: Db, deviceId: string, requestedAt: string): Promise<boolean> {
  const result = await db.updateTable('devices').set({ keyRotationRequestedAt: requestedAt }).where('deviceId', '=', deviceId).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function listRetiredDeviceKeys(db: Db, deviceId: string): Promise<RetiredDeviceKey[]> {
  return db
    .selectFrom('deviceKeyHistory')
    .select(['keyId', 'publicKey', 'retiredAt'])
    .where('deviceId', '=', deviceId)
    .orderBy('retiredAt')
    .orderBy('keyId')
    .execute();
}

/**
 * Reused keys would let a device accept an old announcement as new: every announced key id is new. The chain stays a
 * line, also with replicas announcing at once: CONFLICT while another announcement is pending, or when this one does
 * not follow the last activated key (read in the same transaction).
 */
export async function addSigningKeyAnnouncement(db: Db, announcement: SignedSigningKeyAnnouncement): Promise<void> {
  const { payload } = announcement;
  await inTransaction(db, async (trx) => {
    const rows = await trx.selectFrom('signingKeyAnnouncements').select(['newKeyId', 'activatedAt', 'announcement']).orderBy('announcedAt').execute();
    if (rows.some((r) => r.newKeyId === payload.newKeyId)) throw new AttacheError('CONFLICT', `policy-signing key ${payload.newKeyId} was already announced`);
    const pending = rows.find((r) => r.activatedAt === null);
    if (pending) throw new AttacheError('CONFLICT', `policy-signing key ${pending.newKeyId} is already announced and not active yet`);
    const lastActive = rows.at(-1);
    const activeKeyId = lastActive ? (JSON.parse(lastActive.announcement) as SignedSigningKeyAnnouncement).payload.newKeyId : undefined;
    if (activeKeyId !== undefined && payload.previousKeyId !== activeKeyId) {
      throw new AttacheError('CONFLICT', `policy-signing key ${payload.newKeyId} follows ${payload.previousKeyId}, but ${activeKeyId} is active: retry`);
    }
    await trx
      .insertInto('signingKeyAnnouncements')
      .values({
        newKeyId: payload.newKeyId,
        announcedAt: payload.announcedAt,
        validFrom: payload.validFrom,
        announcement: JSON.stringify(announcement),
        activatedAt: null,
      })
      .execute();
  });
}

export async function listSigningKeyAnnouncements(db: Db): Promise<StoredSigningKeyAnnouncement[]> {
  const rows = await db.selectFrom('signingKeyAnnouncements').selectAll().orderBy('announcedAt').orderBy('validFrom').execute();
  return rows.map((r) => ({
    announcement: JSON.parse(r.announcement) as SignedSigningKeyAnnouncement,
    ...(r.activatedAt ? { activatedAt: r.activatedAt } : {}),
  }));
}

export function activateSigningKey(db: Db, keyId: string, activatedAt: string, resign: PolicyResigner): Promise<number> {
  return inTransaction(db, async (trx) => {
    const rows = await trx.selectFrom('policyVersions').select(['policyId', 'version', 'payload', 'keyId', 'signature']).execute();
    let count = 0;
    for (const row of rows) {
      const signed = resign(row);
      if (!signed) continue;
      await trx
        .updateTable('policyVersions')
        .set({ keyId: signed.keyId, signature: signed.signature })
        .where('policyId', '=', row.policyId)
        .where('version', '=', row.version)
        .execute();
      count += 1;
    }
    const marked = await trx.updateTable('signingKeyAnnouncements').set({ activatedAt }).where('newKeyId', '=', keyId).executeTakeFirst();
    if (Number(marked.numUpdatedRows) !== 1) throw new AttacheError('NOT_FOUND', `policy-signing key ${keyId} was never announced`);
    return count;
  });
}
