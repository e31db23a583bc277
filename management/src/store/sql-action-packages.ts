// Investigation packages in the SQL store (migration 0017): chunks keyed by offset, resumable, the SHA-256 checked over
// the stored chunks when the last byte arrives (a mismatch discards them); read back chunk by chunk.
import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { AttacheError } from '../../../common/errors.js';
import type { PackageChunk, PackageProgress } from './action-store.js';
import type { Database } from './schema.js';
import { inTransaction } from './transactions.js';

type Db = Kysely<Database>;

/** Deletes the action's package and its chunks. */
export async function discardPackage(trx: Transaction<Database>, actionId: string): Promise<void> {
  await trx.deleteFrom('actionPackageChunks').where('actionId', '=', actionId).execute();
  await trx.deleteFrom('actionPackages').where('actionId', '=', actionId).execute();
}

async function packageHash(trx: Transaction<Database>, actionId: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const data of chunkRows(trx, actionId)) hash.update(data);
  return hash.digest('hex');
}

async function* chunkRows(db: Db | Transaction<Database>, actionId: string): AsyncIterable<Buffer> {
  let after = -1;
  for (;;) {
    const row = await db
      .selectFrom('actionPackageChunks')
      .select(['offset', 'data'])
      .where('actionId', '=', actionId)
      .where('offset', '>', after)
      .orderBy('offset')
      .limit(1)
      .executeTakeFirst();
    if (!row) return;
    after = row.offset;
    yield Buffer.from(row.data);
  }
}

export function packageChunks(db: Db, actionId: string): AsyncIterable<Buffer> {
  return chunkRows(db, actionId);
}

export function putPackageChunk(db: Db, actionId: string, deviceId: string, chunk: PackageChunk): Promise<PackageProgress> {
  return inTransaction(db, async (trx) => {
    // Only an action still running takes bytes (review 17b #14), checked here so a cancel or time-out cannot race it.
    const action = await trx.selectFrom('deviceActions').select('status').where('actionId', '=', actionId).executeTakeFirst();
    if (action?.status !== 'pending' && action?.status !== 'inProgress')
      throw new AttacheError('CONFLICT', `action ${actionId} is ${action?.status ?? 'unknown'}; its package takes no more bytes`);
    let stored = await trx.selectFrom('actionPackages').selectAll().where('actionId', '=', actionId).executeTakeFirst();
    // A complete package is never replaced: a download in progress reads its chunks outside any transaction.
    if (stored?.complete === 1) throw new AttacheError('CONFLICT', `action ${actionId} already holds its complete package; it is never replaced`);
    // A new upload (offset 0) of another size or hash replaces what an earlier attempt left.
    if (stored && chunk.offset === 0 && (stored.sizeBytes !== chunk.sizeBytes || stored.sha256 !== chunk.sha256)) {
      await discardPackage(trx, actionId);
      stored = undefined;
    }
    const received = stored?.receivedBytes ?? 0;
    if (stored && (stored.sizeBytes !== chunk.sizeBytes || stored.sha256 !== chunk.sha256)) {
      throw new AttacheError('PACKAGE_OFFSET_MISMATCH', 'this upload has another size or sha256 than the one in progress; restart it at offset 0', {
        details: [{ path: 'receivedBytes', message: String(received) }],
      });
    }
    if (chunk.offset !== received) {
      throw new AttacheError('PACKAGE_OFFSET_MISMATCH', `the endpoint holds ${received} bytes of this package; send from offset ${received}`, {
        details: [{ path: 'receivedBytes', message: String(received) }],
      });
    }
    const after = received + chunk.data.length;
    if (after > chunk.sizeBytes) throw new AttacheError('PACKAGE_TOO_LARGE', `the chunk ends at byte ${after}, past the stated size ${chunk.sizeBytes}`);
    if (!stored) {
      await trx
        .insertInto('actionPackages')
        .values({ actionId, deviceId, sizeBytes: chunk.sizeBytes, sha256: chunk.sha256, receivedBytes: 0, complete: 0, updatedAt: chunk.at })
        .execute();
    }
    if (chunk.data.length > 0) await trx.insertInto('actionPackageChunks').values({ actionId, deviceId, offset: received, data: chunk.data }).execute();
    const complete = after === chunk.sizeBytes;
    if (complete && (await packageHash(trx, actionId)) !== chunk.sha256) {
      await discardPackage(trx, actionId);
      return { receivedBytes: 0, complete: false, hashMismatch: true };
    }
    await trx
      .updateTable('actionPackages')
      .set({ receivedBytes: after, complete: complete ? 1 : 0, updatedAt: chunk.at })
      .where('actionId', '=', actionId)
      .execute();
    return { receivedBytes: after, complete };
  });
}
