// Tests of the audit's secret removal: secret keys at any depth, our token formats and PEM private keys anywhere.
import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './audit-redaction.js';

describe('redactSecrets', () => {
  it('replaces values under secret keys at any depth, keeping the keys', () => {
    const value = {
      username: 'alice',
      password: 'hunter2',
      nested: [{ Token: 'x', tokenHash: 'ab'.repeat(32), csrfToken: 'c', description: 'kept' }],
      credentials: { privateKeyPem: 'pem', newPassword: 'p2', passwordHash: 'scrypt$…' },
      revokedAt: null,
    };
    expect(redactSecrets(value)).toEqual({
      username: 'alice',
      password: REDACTED,
      nested: [{ Token: REDACTED, tokenHash: REDACTED, csrfToken: REDACTED, description: 'kept' }],
      credentials: { privateKeyPem: REDACTED, newPassword: REDACTED, passwordHash: REDACTED },
      revokedAt: null,
    });
  });

  it('replaces strings that are one of our tokens or a private key wherever they are', () => {
    const enrollment = `att_enr_${'A'.repeat(43)}`;
    const personal = `atp_${'b'.repeat(40)}`;
    const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI…\n-----END PRIVATE KEY-----';
    expect(redactSecrets({ note: enrollment, list: [personal, 'att_adm_short'], key: pem })).toEqual({
      note: REDACTED,
      list: [REDACTED, 'att_adm_short'],
      key: REDACTED,
    });
  });

  it('leaves other values as they are', () => {
    expect(redactSecrets(['policy', 3, true, null, { kind: 'antivirus' }])).toEqual(['policy', 3, true, null, { kind: 'antivirus' }]);
  });
});
