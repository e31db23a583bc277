// One password check of a named admin account with the lockout (console login, changing one's own password): the
// attempt is reserved in the store before the password is checked, so parallel guesses cannot pass the threshold.
import { AttacheError } from '../../../../common/errors.js';
import type { AdminRecord } from '../../store/admin-store.js';
import type { ServiceContext } from '../context.js';
import { storedRole } from './authenticate.js';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';
import { recordSecurityEvent } from './security-events.js';

/** Failed password attempts in a row that lock an account, and for how long. */
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MS = 15 * 60_000;

type Ctx = Pick<ServiceContext, 'store' | 'clock' | 'logger' | 'audit'>;

/** LOGIN_LOCKED with Retry-After until `lockedUntil`. */
export function lockedError(lockedUntil: string, now: number): AttacheError {
  const retryAfterMs = Math.max(1000, Date.parse(lockedUntil) - now);
  return new AttacheError('LOGIN_LOCKED', `account locked after ${LOCKOUT_THRESHOLD} failed password attempts until ${lockedUntil}`, { retryAfterMs });
}

/**
 * Whether `password` is the admin's (a disabled account never matches). Throws LOGIN_LOCKED when the account is locked
 * or already has LOCKOUT_THRESHOLD attempts in flight, and when this wrong password is the one that locks it. A right
 * password resets the count; every wrong one is recorded as `session.loginFailed`.
 */
export async function checkPasswordAttempt(ctx: Ctx, admin: AdminRecord, password: string, sourceAddress: string): Promise<boolean> {
  const now = ctx.clock.now();
  const at = new Date(now).toISOString();
  const actor = { adminId: admin.adminId, username: admin.username, role: storedRole(admin) };
  const attempt = await ctx.store.reserveLoginAttempt(admin.adminId, at, LOCKOUT_THRESHOLD);
  if (attempt === undefined) {
    await recordSecurityEvent(ctx, { action: 'session.loginFailed', actor, sourceAddress, at, outcome: 'failure', errorCode: 'LOGIN_LOCKED' });
    const current = await ctx.store.getAdmin(admin.adminId);
    const until = current?.lockedUntil && Date.parse(current.lockedUntil) > now ? current.lockedUntil : new Date(now + LOCKOUT_MS).toISOString();
    throw lockedError(until, now);
  }
  if ((await verifyPassword(password, admin.passwordHash)) && !admin.disabled) {
    // A hash of an older, cheaper cost is replaced while the password is at hand.
    const rehash = needsRehash(admin.passwordHash) ? { passwordHash: await hashPassword(password) } : {};
    await ctx.store.updateAdmin(admin.adminId, { failedLogins: 0, lockedUntil: null, ...rehash }, at);
    return true;
  }
  await recordSecurityEvent(ctx, { action: 'session.loginFailed', actor, sourceAddress, at, outcome: 'failure', errorCode: 'LOGIN_FAILED' });
  if (attempt < LOCKOUT_THRESHOLD) return false;
  const lockedUntil = new Date(now + LOCKOUT_MS).toISOString();
  await ctx.store.updateAdmin(admin.adminId, { failedLogins: 0, lockedUntil }, at);
  await recordSecurityEvent(ctx, { action: 'session.lockout', actor, sourceAddress, at, outcome: 'failure', errorCode: 'LOGIN_LOCKED' });
  throw lockedError(lockedUntil, now);
}

/**
 * The lockout of usernames that have no account, so that only real accounts answering LOGIN_LOCKED does not tell which
 * usernames exist: failures per (lower-cased) name, locked for LOCKOUT_MS at LOCKOUT_THRESHOLD like an account. Kept in
 * memory per replica, at most `maxNames` names (the oldest forgotten first).
 */
export class UnknownUsernameLockout {
  private readonly names = new Map<string, { failures: number; lockedUntil: number | null }>();

  constructor(
    private readonly clock: { now(): number },
    private readonly maxNames = 10_000,
  ) {}

  /** LOGIN_LOCKED (as for an account) while `username` is locked. */
  assertNotLocked(username: string): void {
    const entry = this.names.get(keyOf(username));
    const now = this.clock.now();
    if (entry?.lockedUntil != null && entry.lockedUntil > now) throw lockedError(new Date(entry.lockedUntil).toISOString(), now);
  }

  /** Counts a failed login for `username`; the LOCKOUT_THRESHOLD-th locks it and throws LOGIN_LOCKED. */
  countFailure(username: string): void {
    const key = keyOf(username);
    const now = this.clock.now();
    const current = this.names.get(key);
    const failures = (current?.lockedUntil != null && current.lockedUntil <= now ? 0 : (current?.failures ?? 0)) + 1;
    this.names.delete(key);
    if (failures < LOCKOUT_THRESHOLD) {
      this.names.set(key, { failures, lockedUntil: null });
    } else {
      this.names.set(key, { failures: 0, lockedUntil: now + LOCKOUT_MS });
    }
    if (this.names.size > this.maxNames) this.names.delete(this.names.keys().next().value as string);
    if (failures >= LOCKOUT_THRESHOLD) throw lockedError(new Date(now + LOCKOUT_MS).toISOString(), now);
  }
}

function keyOf(username: string): string {
  return username.normalize('NFC').toLowerCase();
}
