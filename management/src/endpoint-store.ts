// The endpoint's store and key vault: SQLite and data-dir files by default; with a database URL, PostgreSQL and the
// keys sealed in it under the key-encryption key, which is read before the database is touched and must open every key
// already there.
import type { Clock } from '../../common/clock.js';
import { AttacheError } from '../../common/errors.js';
import { dataPath, readIfExists } from './pki/files.js';
import { checkSecrets, DatabaseVault, FileVault, type KeyEncryptionKey, type KeyVault, readKeyEncryptionKey } from './pki/key-vault.js';
import { openPostgresStore } from './store/postgres-store.js';
import { openSqliteStore } from './store/sqlite-store.js';
import type { ManagementStore } from './store/store.js';

export interface EndpointStore {
  readonly store: ManagementStore;
  readonly vault: KeyVault;
  /** The key-encryption key (PostgreSQL only). */
  readonly kek: KeyEncryptionKey | undefined;
}

/** Opens the store and its vault; on failure nothing stays open. */
export async function openEndpointStore(
  dataDir: string,
  options: { readonly databaseUrl?: string; readonly keyEncryptionKeyFile?: string },
  clock: Pick<Clock, 'now'>,
): Promise<EndpointStore> {
  if (!options.databaseUrl) return { store: await openSqliteStore({ file: dataPath(dataDir, 'db') }), vault: new FileVault(dataDir), kek: undefined };
  // The key-encryption key first: a missing or malformed one stops the start before the database is touched.
  if (!options.keyEncryptionKeyFile) {
    throw new AttacheError('CONFIG_INVALID', "with a PostgreSQL database the endpoint's keys are kept in it, encrypted: a key-encryption key file is required");
  }
  const kek = await readKeyEncryptionKey(options.keyEncryptionKeyFile);
  const store = await openPostgresStore({ url: options.databaseUrl });
  try {
    await refuseSqliteKeys(dataDir, store);
    // Every key in the database must open with this key: one sealed under another (a rotation that raced a replica,
    // a wrong file) is refused now, not when that key is first needed.
    await checkSecrets(store, kek);
  } catch (err) {
    await store.close();
    throw err;
  }
  return { store, vault: new DatabaseVault(store, kek, () => new Date(clock.now()).toISOString()), kek };
}

/**
 * A data dir that ran on SQLite holds a CA its devices pin: starting it on a PostgreSQL database without a CA would
 * silently make a new one. CONFIG_INVALID naming the file.
 */
async function refuseSqliteKeys(dataDir: string, store: ManagementStore): Promise<void> {
  if ((await store.getSecret('ca')) !== undefined || (await readIfExists(dataPath(dataDir, 'caKey'))) === undefined) return;
  throw new AttacheError(
    'CONFIG_INVALID',
    `${dataPath(dataDir, 'caKey')} is the CA of an endpoint that ran on SQLite, and the database has no CA yet: devices enrolled with it would not trust a new one. Use a new data dir for a new deployment on PostgreSQL`,
  );
}
