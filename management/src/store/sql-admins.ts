// Admin identity in the SQL store: admin accounts (username unique case-insensitively through username_key), personal
// API token hashes and console session hashes. Bound to the database by SqlAdminStore (sql-admin-store.ts).
import type { Kysely } from 'kysely';
import { AttacheError } from '../../../common/errors.js';
import type { AdminApiTokenRecord, AdminChanges, AdminRecord, AdminSessionRecord } from './admin-store.js';
import type { AdminTable, Database } from './schema.js';
import { isUniqueViolation } from './sql-rows.js';
import { parseStoredJson } from './stored-json.js';
import { inTransaction } from './transactions.js';

type Db = Kysely<Database>;

/** The key that makes usernames unique regardless of case. */
export function usernameKey(username: string): string {
  return username.normalize('NFC').toLowerCase();
}

function adminFromRow(row: AdminTable): AdminRecord {
  return {
    adminId: row.adminId,
    username: row.username,
    displayName: row.displayName,
    role: row.role,
    scopeGroupIds:
      row.scopeGroupIds === null ? null : parseStoredJson<string[]>(row.scopeGroupIds, { table: 'admins', id: row.adminId, column: 'scope_group_ids' }),
    passwordHash: row.passwordHash,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    disabled: row.disabled !== 0,
    failedLogins: row.failedLogins,
    lockedUntil: row.lockedUntil,
  };
}

function changesRow(changes: AdminChanges): Partial<AdminTable> {
  const row: Partial<AdminTable> = {};
  if (changes.displayName !== undefined) row.displayName = changes.displayName;
  if (changes.role !== undefined) row.role = changes.role;
  if (changes.scopeGroupIds !== undefined) row.scopeGroupIds = changes.scopeGroupIds === null ? null : JSON.stringify(changes.scopeGroupIds);
  if (changes.passwordHash !== undefined) row.passwordHash = changes.passwordHash;
  if (changes.disabled !== undefined) row.disabled = changes.disabled ? 1 : 0;
  if (changes.failedLogins !== undefined) row.failedLogins = changes.failedLogins;
  if (changes.lockedUntil !== undefined) row.lockedUntil = changes.lockedUntil;
  return row;
}

/** AdminStore.createAdmin. */
export async function createAdmin(db: Db, admin: AdminRecord): Promise<void> {
  try {
    await db
      .insertInto('admins')
      .values({
        adminId: admin.adminId,
        username: admin.username,
        usernameKey: usernameKey(admin.username),
        displayName: admin.displayName,
        role: admin.role,
        scopeGroupIds: admin.scopeGroupIds === null ? null : JSON.stringify(admin.scopeGroupIds),
        passwordHash: admin.passwordHash,
        createdAt: admin.createdAt,
        updatedAt: admin.updatedAt,
        disabled: admin.disabled ? 1 : 0,
        failedLogins: admin.failedLogins,
        lockedUntil: admin.lockedUntil,
      })
      .execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AttacheError('CONFLICT', `an admin named ${JSON.stringify(admin.username)} already exists`, { cause: err });
    throw err;
  }
}

/** AdminStore.getAdmin. */
export async function getAdmin(db: Db, adminId: string): Promise<AdminRecord | undefined> {
  const row = await db.selectFrom('admins').selectAll().where('adminId', '=', adminId).executeTakeFirst();
  return row ? adminFromRow(row) : undefined;
}

/** AdminStore.getAdminByUsername. */
export async function getAdminByUsername(db: Db, username: string): Promise<AdminRecord | undefined> {
  const row = await db.selectFrom('admins').selectAll().where('usernameKey', '=', usernameKey(username)).executeTakeFirst();
  return row ? adminFromRow(row) : undefined;
}

/** AdminStore.listAdmins, by username. */
export async function listAdmins(db: Db): Promise<AdminRecord[]> {
  return (await db.selectFrom('admins').selectAll().orderBy('usernameKey').execute()).map(adminFromRow);
}

type Guard = (current: AdminRecord, all: AdminRecord[]) => void;

/** AdminStore.updateAdmin. */
export async function updateAdmin(db: Db, adminId: string, changes: AdminChanges, at: string, guard?: Guard): Promise<AdminRecord | undefined> {
  return inTransaction(db, async (trx) => {
    const current = await getAdmin(trx, adminId);
    if (!current) return undefined;
    if (guard) guard(current, await listAdmins(trx));
    await trx
      .updateTable('admins')
      .set({ ...changesRow(changes), updatedAt: at })
      .where('adminId', '=', adminId)
      .execute();
    return getAdmin(trx, adminId);
  });
}

/**
 * AdminStore.reserveLoginAttempt: one conditional UPDATE … RETURNING, so concurrent attempts on either engine each get
 * their own count and none passes a lock or the threshold.
 */
export async function reserveLoginAttempt(db: Db, adminId: string, at: string, threshold: number): Promise<number | undefined> {
  const row = await db
    .updateTable('admins')
    .set((eb) => ({ failedLogins: eb('failedLogins', '+', 1), updatedAt: at }))
    .where('adminId', '=', adminId)
    .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<=', at)]))
    .where('failedLogins', '<', threshold)
    .returning('failedLogins')
    .executeTakeFirst();
  return row?.failedLogins;
}

/** AdminStore.deleteAdmin (tokens and sessions go with it: foreign keys cascade). */
export async function deleteAdmin(db: Db, adminId: string, guard?: Guard): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const current = await getAdmin(trx, adminId);
    if (!current) return false;
    if (guard) guard(current, await listAdmins(trx));
    await trx.deleteFrom('adminApiTokens').where('adminId', '=', adminId).execute();
    await trx.deleteFrom('adminSessions').where('adminId', '=', adminId).execute();
    await trx.deleteFrom('admins').where('adminId', '=', adminId).execute();
    return true;
  });
}

/** AdminStore.createAdminApiToken. */
export async function createAdminApiToken(db: Db, token: AdminApiTokenRecord): Promise<void> {
  await db
    .insertInto('adminApiTokens')
    .values({ ...token })
    .execute();
}

/** AdminStore.getAdminApiTokenByHash. */
export async function getAdminApiTokenByHash(db: Db, tokenHash: string): Promise<AdminApiTokenRecord | undefined> {
  return db.selectFrom('adminApiTokens').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst();
}

/** AdminStore.listAdminApiTokens. */
export async function listAdminApiTokens(db: Db, adminId?: string): Promise<AdminApiTokenRecord[]> {
  let query = db.selectFrom('adminApiTokens').selectAll();
  if (adminId !== undefined) query = query.where('adminId', '=', adminId);
  return query.orderBy('createdAt', 'desc').orderBy('tokenId').execute();
}

/** AdminStore.revokeAdminApiToken. */
export async function revokeAdminApiToken(db: Db, tokenId: string, revokedAt: string): Promise<boolean> {
  const result = await db.updateTable('adminApiTokens').set({ revokedAt }).where('tokenId', '=', tokenId).where('revokedAt', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** AdminStore.touchAdminApiToken: one conditional update, so replicas need no shared memory for the once-a-minute rule. */
export async function touchAdminApiToken(db: Db, tokenId: string, at: string, notAfter: string): Promise<void> {
  await db
    .updateTable('adminApiTokens')
    .set({ lastUsedAt: at })
    .where('tokenId', '=', tokenId)
    .where((eb) => eb.or([eb('lastUsedAt', 'is', null), eb('lastUsedAt', '<=', notAfter)]))
    .execute();
}

/** AdminStore.createAdminSession. */
export async function createAdminSession(db: Db, session: AdminSessionRecord): Promise<void> {
  await db
    .insertInto('adminSessions')
    .values({ ...session })
    .execute();
}

/** AdminStore.getAdminSession. */
export async function getAdminSession(db: Db, sessionHash: string): Promise<AdminSessionRecord | undefined> {
  return db.selectFrom('adminSessions').selectAll().where('sessionHash', '=', sessionHash).executeTakeFirst();
}

/** AdminStore.extendAdminSession. */
export async function extendAdminSession(db: Db, sessionHash: string, expiresAt: string): Promise<void> {
  const session = await getAdminSession(db, sessionHash);
  if (!session) return;
  const capped = expiresAt < session.absoluteExpiresAt ? expiresAt : session.absoluteExpiresAt;
  await db.updateTable('adminSessions').set({ expiresAt: capped }).where('sessionHash', '=', sessionHash).execute();
}

/** AdminStore.deleteAdminSession. */
export async function deleteAdminSession(db: Db, sessionHash: string): Promise<void> {
  await db.deleteFrom('adminSessions').where('sessionHash', '=', sessionHash).execute();
}

/** AdminStore.deleteAdminSessions. */
export async function deleteAdminSessions(db: Db, adminId: string): Promise<number> {
  const result = await db.deleteFrom('adminSessions').where('adminId', '=', adminId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** AdminStore.sweepAdminSessions. */
export async function sweepAdminSessions(db: Db, now: string): Promise<number> {
  const result = await db
    .deleteFrom('adminSessions')
    .where((eb) => eb.or([eb('expiresAt', '<=', now), eb('absoluteExpiresAt', '<=', now)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
