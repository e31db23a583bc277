// The storage boundary for admin identity (issue 15): named admin accounts, their personal API tokens (SHA-256 only)
// and console sessions (the session id's SHA-256 only). Part of ManagementStore; service/identity/ makes the decisions.
/** An admin account as stored. `passwordHash` is the encoded scrypt hash (service/identity/passwords.ts). */
export interface AdminRecord {
  readonly adminId: string;
  readonly username: string;
  readonly displayName: string;
  /** One of ADMIN_ROLES (service/admin-principal.ts); the service layer checks it. */
  readonly role: string;
  /** Device groups this admin is scoped to; null = every device. */
  readonly scopeGroupIds: readonly string[] | null;
  readonly passwordHash: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly disabled: boolean;
  /** Failed logins since the last success or lockout. */
  readonly failedLogins: number;
  readonly lockedUntil: string | null;
}

/** The fields an update may change (absent = unchanged). */
export type AdminChanges = Partial<Pick<AdminRecord, 'displayName' | 'role' | 'scopeGroupIds' | 'passwordHash' | 'disabled' | 'failedLogins' | 'lockedUntil'>>;

/** A personal API token as stored: never the token, only its SHA-256. */
export interface AdminApiTokenRecord {
  readonly tokenId: string;
  readonly adminId: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

/** A console session as stored: keyed by the SHA-256 of the cookie value. */
export interface AdminSessionRecord {
  readonly sessionHash: string;
  readonly adminId: string;
  readonly csrfToken: string;
  readonly createdAt: string;
  /** The sliding idle expiry; the absolute one is `absoluteExpiresAt`. */
  readonly expiresAt: string;
  readonly absoluteExpiresAt: string;
  readonly sourceAddress: string;
}

/**
 * Admin accounts, API tokens and sessions. Usernames are unique case-insensitively (CONFLICT). Deleting an admin
 * deletes its tokens and sessions.
 */
export interface AdminStore {
  /** CONFLICT when the username (any case) is taken. */
  createAdmin(admin: AdminRecord): Promise<void>;
  getAdmin(adminId: string): Promise<AdminRecord | undefined>;
  /** Case-insensitive. */
  getAdminByUsername(username: string): Promise<AdminRecord | undefined>;
  listAdmins(): Promise<AdminRecord[]>;
  /**
   * Applies `changes` unless `guard` (run in the same transaction, on the current record and every admin) throws; the
   * updated record, or undefined when the admin does not exist. The guard is how "never demote the last Administrator"
   * holds against concurrent changes.
   */
  updateAdmin(adminId: string, changes: AdminChanges, at: string, guard?: (current: AdminRecord, all: AdminRecord[]) => void): Promise<AdminRecord | undefined>;
  /**
   * Reserves one password attempt before the password is checked, atomically (concurrent attempts each get their own
   * count): unless the account is locked at `at` or already has `threshold` attempts counted, adds one to failedLogins
   * and answers the count after it (the caller resets it on success and locks the account when a failure reaches the
   * threshold). Undefined when the attempt is refused or the admin is unknown.
   */
  reserveLoginAttempt(adminId: string, at: string, threshold: number): Promise<number | undefined>;
  /** As updateAdmin's guard; false when the admin does not exist. */
  deleteAdmin(adminId: string, guard?: (current: AdminRecord, all: AdminRecord[]) => void): Promise<boolean>;

  createAdminApiToken(token: AdminApiTokenRecord): Promise<void>;
  getAdminApiTokenByHash(tokenHash: string): Promise<AdminApiTokenRecord | undefined>;
  /** Every token, or one admin's, newest first. */
  listAdminApiTokens(adminId?: string): Promise<AdminApiTokenRecord[]>;
  /** False when unknown or already revoked. */
  revokeAdminApiToken(tokenId: string, revokedAt: string): Promise<boolean>;
  /** Sets lastUsedAt = `at` unless it was set after `notAfter` (at most one write a minute per token). */
  touchAdminApiToken(tokenId: string, at: string, notAfter: string): Promise<void>;

  createAdminSession(session: AdminSessionRecord): Promise<void>;
  getAdminSession(sessionHash: string): Promise<AdminSessionRecord | undefined>;
  /** Moves the idle expiry to `expiresAt` (never past the absolute one). */
  extendAdminSession(sessionHash: string, expiresAt: string): Promise<void>;
  deleteAdminSession(sessionHash: string): Promise<void>;
  /** Ends every session of the admin (password change, disable, role change); returns how many. */
  deleteAdminSessions(adminId: string): Promise<number>;
  /** Removes sessions past their idle or absolute expiry at `now`; returns how many. */
  sweepAdminSessions(now: string): Promise<number>;
}
