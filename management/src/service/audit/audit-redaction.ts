// Removes secrets from what the audit log stores: values under secret-bearing keys and strings that look like one of
// our tokens, anywhere in a before/after value. The log is read by Read Only Operators and exported: it must never
// hold a credential (docs/audit.md, "Never recorded").

/** What a removed secret is replaced with. */
export const REDACTED = '[redacted]';

// Compared lowercased. Hashes of tokens and passwords are secrets too (an offline guess can be checked against them).
const SECRET_KEYS = new Set([
  'token',
  'enrollmenttoken',
  'accesstoken',
  'admintoken',
  'apitoken',
  'secret',
  'clientsecret',
  'password',
  'currentpassword',
  'newpassword',
  'passwordhash',
  'tokenhash',
  'csrftoken',
  'privatekey',
  'privatekeypem',
  'serverkeypem',
  'keyencryptionkey',
  'sessionid',
  'cookie',
  'authorization',
]);

// Our token formats (pki/tokens.ts: att_adm_, att_enr_, att_acc_; personal API tokens atp_) and PEM private keys.
const SECRET_VALUE_RE = /^(att_[a-z]{3}_|atp_)[A-Za-z0-9_-]{16,}|-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** A copy of the JSON value `value` with every secret replaced by REDACTED (keys kept, so the shape stays readable). */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === 'string') return SECRET_VALUE_RE.test(value) ? REDACTED : value;
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = SECRET_KEYS.has(key.toLowerCase()) && item != null ? REDACTED : redactSecrets(item);
    return out;
  }
  return value;
}
