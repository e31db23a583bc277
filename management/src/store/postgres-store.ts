// ManagementStore on PostgreSQL (`pg` through kysely's PostgresDialect): the queries of sql-store.ts on a connection
// pool, every transaction SERIALIZABLE with retries (transactions.ts), the in-code migrations run at open (several
// replicas opening at once are serialised by the Migrator's lock).
import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { AttacheError } from '../../../common/errors.js';
import { pendingMigrations } from './migrations.js';
import type { Database } from './schema.js';
import { migratedStore, SqlManagementStore } from './sql-store.js';
import type { ManagementStore } from './store.js';

/** Where the database is and how many connections this process may hold. */
export interface PostgresStoreOptions {
  /** postgres://user[:password]@host[:port]/database[?sslmode=…], as libpq and `pg` read it. */
  readonly url: string;
  /** Pool size (default 10): device writes take one connection per group commit, reads one each while they run. */
  readonly poolSize?: number;
  /** How long to wait for a connection at open before giving up (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** false: do not migrate (a tool working on a database its replicas run; it refuses a schema that is not current). */
  readonly migrate?: boolean;
}

// count(*) and other bigint results arrive as strings from `pg`: the store's numbers fit a double, so parse them.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** True for a URL this store opens (postgres: or postgresql: scheme). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** The URL with its password replaced, for logs and error messages. */
export function redactedDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

/**
 * Connects, migrates to the latest schema and returns the store. A database that cannot be reached is
 * DATABASE_UNAVAILABLE (the message names the host, never the password); a failed migration is an Error.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<ManagementStore> {
  if (!isPostgresUrl(options.url))
    throw new AttacheError('CONFIG_INVALID', `database URL must start with postgres:// (got ${redactedDatabaseUrl(options.url)})`);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types,
  });
  // An idle client losing its server (restart, failover) must not crash the process: the pool replaces it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
  try {
    await pool.query('select 1');
  } catch (err) {
    await db.destroy();
    throw new AttacheError('DATABASE_UNAVAILABLE', `cannot reach the database at ${redactedDatabaseUrl(options.url)}: ${(err as Error).message}`);
  }
  const poolStats = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
  if (options.migrate !== false) return migratedStore(db, poolStats);
  const pending = await pendingMigrations(db).catch(async (err: unknown) => {
    await db.destroy();
    throw err;
  });
  if (pending.length > 0) {
    await db.destroy();
    throw new AttacheError('CONFIG_INVALID', `the database schema is not current (pending: ${pending.join(', ')}): start a replica of this version first`);
  }
  return new SqlManagementStore(db, poolStats);
}
