// The first Administrator and offline recovery: `serve` creates the account `admin` once (random password, written by
// the caller to a 0600 file), and `attache-management admin reset` gives an Administrator a new password, unlocked.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../../common/clock.js';
import type { Logger } from '../../logging.js';
import { dataPath, writePrivateFile } from '../../pki/files.js';
import type { AdminRecord } from '../../store/admin-store.js';
import type { ManagementStore } from '../../store/store.js';
import { revokeAllApiTokens } from './api-tokens.js';
import { hashPassword, randomPassword } from './passwords.js';

/** Username of the account `serve` creates. */
export const BOOTSTRAP_USERNAME = 'admin';

interface Deps {
  readonly store: ManagementStore;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
}

async function newAdministrator(deps: Deps, username: string, password: string): Promise<AdminRecord> {
  const at = new Date(deps.clock.now()).toISOString();
  const record: AdminRecord = {
    adminId: randomUUID(),
    username,
    displayName: username === BOOTSTRAP_USERNAME ? 'Administrator' : username,
    role: 'administrator',
    scopeGroupIds: null,
    passwordHash: await hashPassword(password),
    createdAt: at,
    updatedAt: at,
    disabled: false,
    failedLogins: 0,
    lockedUntil: null,
  };
  await deps.store.createAdmin(record);
  return record;
}

/** Writes an Administrator's new password 0600 to `<dataDir>/admin-password`; returns the path. */
export async function writeAdminPasswordFile(dataDir: string, password: string): Promise<string> {
  const file = dataPath(dataDir, 'adminPassword');
  await writePrivateFile(file, `${password}\n`);
  return file;
}

/**
 * Creates the bootstrap Administrator when none was ever made and links admin.token to it (meta bootstrapAdminId).
 * Only the process that created the account writes its password, to `<dataDir>/admin-password`.
 */
export async function ensureBootstrapAdmin(deps: Deps, dataDir: string): Promise<void> {
  if ((await deps.store.getMeta('bootstrapAdminId')) !== undefined) return;
  let admin = await deps.store.getAdminByUsername(BOOTSTRAP_USERNAME);
  if (!admin) {
    const password = randomPassword();
    let createdHere = true;
    try {
      admin = await newAdministrator(deps, BOOTSTRAP_USERNAME, password);
    } catch (err) {
      // Another replica created it first: that replica writes the password; admin.token maps to its account.
      admin = await deps.store.getAdminByUsername(BOOTSTRAP_USERNAME);
      if (!admin) throw err;
      createdHere = false;
    }
    if (createdHere) {
      const file = await writeAdminPasswordFile(dataDir, password);
      deps.logger.info('first Administrator created: its password is in the file (read it once, then log in and change it)', {
        component: 'identity',
        username: BOOTSTRAP_USERNAME,
        file,
      });
    }
  }
  await deps.store.initMeta('bootstrapAdminId', admin.adminId);
}

/** What `admin reset` did. */
export interface ResetOutcome {
  readonly username: string;
  readonly password: string;
  readonly created: boolean;
}

/**
 * Gives an Administrator a new random password: `username`, else the bootstrap account, else `admin` — made an enabled,
 * unlocked Administrator with its sessions ended and its API tokens revoked; created when it does not exist.
 */
export async function resetAdministrator(deps: Deps, username?: string): Promise<ResetOutcome> {
  const password = randomPassword();
  const bootstrapId = await deps.store.getMeta('bootstrapAdminId');
  const target =
    username !== undefined
      ? await deps.store.getAdminByUsername(username)
      : ((bootstrapId === undefined ? undefined : await deps.store.getAdmin(bootstrapId)) ?? (await deps.store.getAdminByUsername(BOOTSTRAP_USERNAME)));
  if (!target) {
    const created = await newAdministrator(deps, username ?? BOOTSTRAP_USERNAME, password);
    if (bootstrapId === undefined || !(await deps.store.getAdmin(bootstrapId))) await deps.store.setMeta('bootstrapAdminId', created.adminId);
    return { username: created.username, password, created: true };
  }
  const at = new Date(deps.clock.now()).toISOString();
  await deps.store.updateAdmin(
    target.adminId,
    { passwordHash: await hashPassword(password), role: 'administrator', disabled: false, failedLogins: 0, lockedUntil: null },
    at,
  );
  await deps.store.deleteAdminSessions(target.adminId);
  await revokeAllApiTokens(deps.store, target.adminId, at);
  return { username: target.username, password, created: false };
}
