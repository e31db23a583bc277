// The AdminStore part of the SQL store (admin accounts, API tokens, console sessions); SqlComplianceStore extends it.
// Queries live in sql-admins.ts; this class only binds them to the database.
import type { Kysely } from 'kysely';
import type { AdminApiTokenRecord, AdminChanges, AdminRecord, AdminSessionRecord, AdminStore } from './admin-store.js';
import type { Database } from './schema.js';
import * as admins from './sql-admins.js';

type Guard = (current: AdminRecord, all: AdminRecord[]) => void;

/** AdminStore on the SQL database. */
export class SqlAdminStore implements AdminStore {
  constructor(protected readonly db: Kysely<Database>) {}

  createAdmin(admin: AdminRecord): Promise<void> {
    return admins.createAdmin(this.db, admin);
  }
  getAdmin(adminId: string): Promise<AdminRecord | undefined> {
    return admins.getAdmin(this.db, adminId);
  }
  getAdminByUsername(username: string): Promise<AdminRecord | undefined> {
    return admins.getAdminByUsername(this.db, username);
  }
  listAdmins(): Promise<AdminRecord[]> {
    return admins.listAdmins(this.db);
  }
  updateAdmin(adminId: string, changes: AdminChanges, at: string, guard?: Guard): Promise<AdminRecord | undefined> {
    return admins.updateAdmin(this.db, adminId, changes, at, guard);
  }
  reserveLoginAttempt(adminId: string, at: string, threshold: number): Promise<number | undefined> {
    return admins.reserveLoginAttempt(this.db, adminId, at, threshold);
  }
  deleteAdmin(adminId: string, guard?: Guard): Promise<boolean> {
    return admins.deleteAdmin(this.db, adminId, guard);
  }

  createAdminApiToken(token: AdminApiTokenRecord): Promise<void> {
    return admins.createAdminApiToken(this.db, token);
  }
  getAdminApiTokenByHash(tokenHash: string): Promise<AdminApiTokenRecord | undefined> {
    return admins.getAdminApiTokenByHash(this.db, tokenHash);
  }
  listAdminApiTokens(adminId?: string): Promise<AdminApiTokenRecord[]> {
    return admins.listAdminApiTokens(this.db, adminId);
  }
  revokeAdminApiToken(tokenId: string, revokedAt: string): Promise<boolean> {
    return admins.revokeAdminApiToken(this.db, tokenId, revokedAt);
  }
  touchAdminApiToken(tokenId: string, at: string, notAfter: string): Promise<void> {
    return admins.touchAdminApiToken(this.db, tokenId, at, notAfter);
  }

  createAdminSession(session: AdminSessionRecord): Promise<void> {
    return admins.createAdminSession(this.db, session);
  }
  getAdminSession(sessionHash: string): Promise<AdminSessionRecord | undefined> {
    return admins.getAdminSession(this.db, sessionHash);
  }
  extendAdminSession(sessionHash: string, expiresAt: string): Promise<void> {
    return admins.extendAdminSession(this.db, sessionHash, expiresAt);
  }
  deleteAdminSession(sessionHash: string): Promise<void> {
    return admins.deleteAdminSession(this.db, sessionHash);
  }
  deleteAdminSessions(adminId: string): Promise<number> {
    return admins.deleteAdminSessions(this.db, adminId);
  }
  sweepAdminSessions(now: string): Promise<number> {
    return admins.sweepAdminSessions(this.db, now);
  }
}
