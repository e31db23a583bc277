// Bearer secrets (admin token, enrollment tokens, access-service tokens): how they are made and the only form in which they are stored.
import { createHash, randomBytes } from 'node:crypto';

/** Prefix of admin tokens. */
export const ADMIN_TOKEN_PREFIX = 'att_adm_';
/** Prefix of enrollment tokens. */
export const ENROLLMENT_TOKEN_PREFIX = 'att_enr_';
/** Prefix of access-service tokens (conditional-access gateways: access decisions only). */
export const ACCESS_TOKEN_PREFIX = 'att_acc_';

/** A new secret: the prefix and 32 random bytes, base64url (43 characters). */
export function newSecretToken(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** SHA-256 hex of a token: what the database stores instead of the token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
