// Test support: two endpoint replicas on one database of a scratch PostgreSQL cluster, each with its own data dir and
// the same key-encryption key (the second reads the admin token the first wrote).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKekFile } from '../pki/kek-command.js';
import { type ScratchPostgres, startScratchPostgres } from '../store/scratch-postgres.js';
import { startTestEndpoint, type TestEndpoint } from './test-endpoint.js';

/** The two replicas and what they share; `close` stops both, the cluster and removes the key's folder. */
export interface ReplicaPair {
  readonly cluster: ScratchPostgres;
  readonly databaseUrl: string;
  /** Folder of the key-encryption key file (tests may write other keys beside it). */
  readonly kekDir: string;
  readonly keyEncryptionKeyFile: string;
  readonly a: TestEndpoint;
  readonly b: TestEndpoint;
  close(): Promise<void>;
}

export async function startReplicaPair(): Promise<ReplicaPair> {
  const cluster = await startScratchPostgres();
  const databaseUrl = await cluster.createDatabase();
  const kekDir = await mkdtemp(join(tmpdir(), 'attache-kek-'));
  const keyEncryptionKeyFile = join(kekDir, 'kek');
  await generateKekFile(keyEncryptionKeyFile);
  const a = await startTestEndpoint({ databaseUrl, keyEncryptionKeyFile });
  const b = await startTestEndpoint({ databaseUrl, keyEncryptionKeyFile, adminTokenFile: join(a.dir, 'admin.token') });
  return {
    cluster,
    databaseUrl,
    kekDir,
    keyEncryptionKeyFile,
    a,
    b,
    async close() {
      await b.close();
      await a.close();
      cluster.stop();
      await rm(kekDir, { recursive: true, force: true });
    },
  };
}
