// The shared exit-code contract: each error class gets its sysexits code, every catalogued code has one, and the help
// epilogue lists each code once.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from './errors.js';
import { EXIT, exitCodeFor, exitCodesHelp } from './exit-codes.js';

describe('exitCodeFor', () => {
  it('maps each error class to its sysexits code', () => {
    const cases: [ErrorCode, number][] = [
      ['USAGE_INVALID', 64],
      ['SCHEMA_INVALID', 65],
      ['POLICY_INVALID', 65],
      ['ENDPOINT_UNREACHABLE', 69],
      ['DATABASE_UNAVAILABLE', 69],
      ['ENDPOINT_BUSY', 69],
      ['INTERNAL', 70],
      ['STORE_CORRUPT', 70],
      ['STATE_WRITE_FAILED', 73],
      ['DAEMON_ALREADY_RUNNING', 75],
      ['RATE_LIMITED', 75],
      ['ADMIN_UNAUTHORIZED', 77],
      ['DEVICE_REVOKED', 77],
      ['CONFIG_INVALID', 78],
      ['KEY_ENCRYPTION_KEY_WRONG', 78],
      ['NOT_FOUND', 1],
      ['CONFLICT', 1],
    ];
    expect(cases.map(([code]) => [code, exitCodeFor(code)])).toEqual(cases);
  });

  it('gives every catalogued code a documented exit code', () => {
    const documented = new Set(Object.values(EXIT));
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) expect(documented.has(exitCodeFor(code) as never), code).toBe(true);
  });

  it('lists every exit code once in the help epilogue', () => {
    const help = exitCodesHelp({ 2: 'the run ended with errors' });
    for (const n of Object.values(EXIT)) expect(help.match(new RegExp(`^  ${n} `, 'gm'))?.length, String(n)).toBe(1);
  });
});
