// Which database failures are retryable conflicts (run the transaction again) and which mean the database is away.
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, isRetryableConflict } from './transactions.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('database failures', () => {
  it('re-runs a transaction only for serialization failures and deadlocks', () => {
    expect([withCode('40001'), withCode('40P01')].map(isRetryableConflict)).toEqual([true, true]);
    expect([withCode('23505'), withCode('08006'), new Error('x'), null].map(isRetryableConflict)).toEqual([false, false, false, false]);
  });

  it('calls the database unavailable for lost or refused connections and a server shutting down, following causes', () => {
    const away = [
      withCode('ECONNREFUSED'),
      withCode('08006'),
      withCode('57P01'),
      withCode('57P03'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('query failed', { cause: withCode('ECONNRESET') }),
    ];
    expect(away.map(isDatabaseUnavailable)).toEqual(away.map(() => true));
    const other = [withCode('23505', 'duplicate key'), withCode('42P01', 'relation does not exist'), withCode('SQLITE_BUSY'), new Error('bad'), 'text'];
    expect(other.map(isDatabaseUnavailable)).toEqual(other.map(() => false));
  });
});
