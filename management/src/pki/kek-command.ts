// `attache-management kek generate|rotate`: makes a key-encryption key file, and re-encrypts the endpoint's keys in a
// PostgreSQL database under a new one (docs/deploy.md, "Keys shared by replicas").
import { constants } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { AttacheError } from '../../../common/errors.js';
import { openPostgresStore } from '../store/postgres-store.js';
import { newKeyEncryptionKeyFile, readKeyEncryptionKey, rewrapSecrets } from './key-vault.js';

/** Writes a new key file, 0600, never over an existing file. */
export async function generateKekFile(out: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof openFile>>;
  try {
    handle = await openFile(out, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AttacheError(
      'CONFIG_INVALID',
      code === 'EEXIST' ? `${out} exists: a key file is never overwritten` : `cannot create ${out}: ${(err as Error).message}`,
    );
  }
  try {
    await handle.writeFile(newKeyEncryptionKeyFile());
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Re-encrypts every key in the database from `currentFile`'s key to `nextFile`'s; returns how many. */
export async function rotateKek(databaseUrl: string, currentFile: string, nextFile: string): Promise<number> {
  const [current, next] = [await readKeyEncryptionKey(currentFile), await readKeyEncryptionKey(nextFile)];
  if (current.id === next.id) throw new AttacheError('CONFIG_INVALID', `${currentFile} and ${nextFile} hold the same key`);
  const store = await openPostgresStore({ url: databaseUrl, poolSize: 1, migrate: false });
  try {
    return await rewrapSecrets(store, current, next, new Date().toISOString());
  } finally {
    await store.close();
  }
}

export function registerKekCommands(program: Command): void {
  const kek = program.command('kek').description("key-encryption key of the endpoint's keys in a PostgreSQL database");
  kek
    .command('generate')
    .description('write a new key-encryption key file (0600; never overwrites)')
    .requiredOption('--out <file>', 'where to write it')
    .action(async (opts: { out: string }) => {
      await generateKekFile(opts.out);
      process.stdout.write(`${JSON.stringify({ event: 'kek-generated', file: opts.out, kekId: (await readKeyEncryptionKey(opts.out)).id })}\n`);
    });
  kek
    .command('rotate')
    .description('re-encrypt the keys in the database under a new key-encryption key (one transaction), then restart each replica with it')
    .addOption(new Option('--database <url>', 'postgres:// URL (or ATTACHE_DATABASE_URL)').env('ATTACHE_DATABASE_URL').makeOptionMandatory())
    .requiredOption('--current <file>', 'the key file the replicas use now')
    .requiredOption('--next <file>', 'the new key file (kek generate)')
    .action(async (opts: { database: string; current: string; next: string }) => {
      const count = await rotateKek(opts.database, opts.current, opts.next);
      process.stdout.write(`${JSON.stringify({ event: 'kek-rotated', secrets: count, kekId: (await readKeyEncryptionKey(opts.next)).id })}\n`);
    });
}
