// `attache-management admin reset`: recovers admin access offline, from the data dir (SQLite) or the PostgreSQL
// database, without the endpoint running and without the key-encryption key (it touches no sealed data).
import { type Command, Option } from 'commander';
import { systemClock } from '../../../../common/clock.js';
import type { Logger } from '../../logging.js';
import { dataPath, ensureDataDir } from '../../pki/files.js';
import { openPostgresStore } from '../../store/postgres-store.js';
import { openSqliteStore } from '../../store/sqlite-store.js';
import { AuditLog } from '../audit/audit-log.js';
import { accountView } from './admins.js';
import { resetAdministrator, writeAdminPasswordFile } from './bootstrap.js';

/** The audit entry's source address of an offline reset. */
export const OFFLINE_RESET_SOURCE = 'offline reset';

/** What `admin reset` printed: where the new password is. */
export interface AdminResetResult {
  readonly event: 'admin-reset';
  readonly username: string;
  readonly created: boolean;
  readonly passwordFile: string;
}

/**
 * Gives an Administrator a new random password (unlocked, enabled), written 0600 to `<dataDir>/admin-password`, and
 * records `admin.reset` in the audit log (actor null, source address "offline reset").
 */
export async function adminReset(options: { dataDir: string; databaseUrl?: string; username?: string }, logger: Logger): Promise<AdminResetResult> {
  await ensureDataDir(options.dataDir);
  const store = options.databaseUrl
    ? await openPostgresStore({ url: options.databaseUrl, poolSize: 1 })
    : await openSqliteStore({ file: dataPath(options.dataDir, 'db') });
  try {
    const outcome = await resetAdministrator({ store, clock: systemClock, logger }, options.username);
    // Recorded like any change of an account, with no actor: whoever runs this has the host, not an admin login.
    const admin = await store.getAdminByUsername(outcome.username);
    await new AuditLog({ store, clock: systemClock, logger }).record({
      actor: null,
      sourceAddress: OFFLINE_RESET_SOURCE,
      action: 'admin.reset',
      target: { type: 'admin', id: admin?.adminId ?? null },
      outcome: 'success',
      before: null,
      after: admin ? { ...accountView(admin), created: outcome.created } : null,
    });
    // Written only once the reset is in the audit log: an unrecorded reset fails without handing out the password.
    const passwordFile = await writeAdminPasswordFile(options.dataDir, outcome.password);
    return { event: 'admin-reset', username: outcome.username, created: outcome.created, passwordFile };
  } finally {
    await store.close();
  }
}

/** Registers `admin reset` on the attache-management program. */
export function registerAdminResetCommand(program: Command, logger: () => Logger): void {
  program
    .command('admin')
    .description('admin accounts, offline (the admin CLI manages them online)')
    .command('reset')
    .description('give an Administrator a new random password (unlocked, enabled; created when missing), written 0600 to <data-dir>/admin-password')
    .requiredOption('--data-dir <dir>', "the endpoint's data directory (SQLite database, and where the password file goes)")
    .addOption(
      new Option('--database <url>', 'PostgreSQL database, postgres://… (or ATTACHE_DATABASE_URL); default: SQLite in the data dir').env(
        'ATTACHE_DATABASE_URL',
      ),
    )
    .option('--username <name>', 'the account to reset (default: the first Administrator, `admin`)')
    .action(async (opts: { dataDir: string; database?: string; username?: string }) => {
      const result = await adminReset(
        { dataDir: opts.dataDir, ...(opts.database ? { databaseUrl: opts.database } : {}), ...(opts.username ? { username: opts.username } : {}) },
        logger(),
      );
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
}
