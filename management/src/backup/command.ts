// The `backup` subcommand of attache-management: parses its options, writes the archive, says what it holds and,
// on PostgreSQL, what the operator must dump beside it.
import { type Command, Option } from 'commander';
import { systemClock } from '../../../common/clock.js';
import { redactedDatabaseUrl } from '../store/postgres-store.js';
import { createBackup } from './backup.js';

interface BackupCommandOptions {
  dataDir: string;
  database?: string;
  out: string;
}

/** Adds `backup --data-dir <dir> [--database <url>] --out <file>` to the program. */
export function registerBackupCommand(program: Command): void {
  program
    .command('backup')
    .description('write one archive (0600) with the data dir keys and certificates and the SQLite database; it holds the CA key: store it encrypted')
    .requiredOption('--data-dir <dir>', 'data directory of the endpoint (safe while serve runs)')
    .addOption(
      new Option('--database <url>', 'PostgreSQL database of the endpoint: the archive then holds the data dir only; pg_dump the database').env(
        'ATTACHE_DATABASE_URL',
      ),
    )
    .requiredOption('--out <file>', 'archive to write (.tar.gz; must not exist)')
    .action(async (opts: BackupCommandOptions) => {
      const { out, manifest } = await createBackup(opts, { now: () => new Date(systemClock.now()) });
      const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
      process.stdout.write(`${JSON.stringify({ event: 'backup written', out, files: manifest.files.length, bytes, database: manifest.database })}\n`);
      if (!manifest.database.included && opts.database) {
        process.stderr.write(
          `the database is not in the archive: dump it beside it, e.g. pg_dump --format=custom --file=attache.dump '${redactedDatabaseUrl(opts.database)}'\n`,
        );
      }
    });
}
