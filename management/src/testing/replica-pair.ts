// Test support: two endpoint replicas on one scratch PostgreSQL database with a shared key-encryption key, the second
// using the first's admin token (replicas.integration.test.ts, identity-replicas.integration.test.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKekFile } from '../pki/kek-command.js';
import { type ScratchPostgres, startScratchPostgres } from '../store/scratch-postgres.js';
import { startTestEndpoint, type TestEndpoint } from './test-endpoint.js';

/** The two replicas, their database, and where the key-encryption key file is. */
export interface ReplicaPair {
  readonly a: TestEndpoint;
  readonly b: TestEndpoint;
  readonly cluster: ScratchPostgres;
  readonly databaseUrl: string;
  readonly kekDir: string;
  readonly keyEncryptionKeyFile: string;
  /** Closes both replicas, stops the cluster, removes the key dir. */
  close(): Promise<void>;
}

/** Starts a scratch cluster, a database, a key file and two replicas on them (one after the other). */
export async function startReplicaPair(): Promise<ReplicaPair> {
  const cluster = await startScratchPostgres();
  const databaseUrl = await cluster.createDatabase();
  const kekDir = await mkdtemp(join(tmpdir(), 'attache-kek-'));
  const keyEncryptionKeyFile = join(kekDir, 'kek');
  await generateKekFile(keyEncryptionKeyFile);
  const a = await startTestEndpoint({ databaseUrl, keyEncryptionKeyFile });
  const b = await startTestEndpoint({ databaseUrl, keyEncryptionKeyFile, adminTokenFile: join(a.dir, 'admin.token') });
  return {
    a,
    b,
    cluster,
    databaseUrl,
    kekDir,
    keyEncryptionKeyFile,
    async close() {
      await b.close();
      await a.close();
      cluster.stop();
      await rm(kekDir, { recursive: true, force: true });
    },
  };
}
