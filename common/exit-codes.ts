// The process exit-code contract of every executable (agent, attache-admin, attache-management, simulator): sysexits
// codes derived from an error's code, so scripts and service managers branch the same way on all four (docs/errors.md).
import { ERROR_CODES, type ErrorCode } from './errors.js';

/** The exit codes (sysexits.h names where one fits). */
export const EXIT = {
  ok: 0,
  /** Refused by current state: not found, conflict, already enrolled; or any failure without a better code. */
  error: 1,
  /** Agent `sync` / simulator run: it ran, but the sync, a setting or an expectation ended in error. */
  syncErrors: 2,
  /** EX_USAGE: unknown command or option, missing argument, bad option value. */
  usage: 64,
  /** EX_DATAERR: the input (a file, a document, a request) is invalid; the message names what is wrong. */
  dataErr: 65,
  /** EX_NOINPUT: an input file does not exist or cannot be read. */
  noInput: 66,
  /** EX_UNAVAILABLE: the endpoint, its database or the daemon cannot be reached (or answered unexpectedly); retry later. */
  unavailable: 69,
  /** EX_SOFTWARE: an internal error (a bug, a corrupt stored row). */
  software: 70,
  /** EX_CANTCREAT: a state file could not be written (disk full, read-only, permissions). */
  cantCreate: 73,
  /** EX_TEMPFAIL: try again later (another process holds the directory, rate limited, clock skew). */
  tempFail: 75,
  /** EX_NOPERM: not authenticated or not permitted (HTTP 401/403: admin token, enrollment token, revoked device). */
  noPerm: 77,
  /** EX_CONFIG: invalid configuration, not enrolled, corrupt local state; a restart cannot fix it. */
  config: 78,
} as const;

/** Codes whose exit code is not the one their HTTP status suggests. */
const OVERRIDES: Partial<Record<ErrorCode, number>> = {
  CONFIG_INVALID: EXIT.config,
  NOT_ENROLLED: EXIT.config,
  STATE_CORRUPT: EXIT.config,
  KEY_ENCRYPTION_KEY_WRONG: EXIT.config,
  DAEMON_ALREADY_RUNNING: EXIT.tempFail,
  USAGE_INVALID: EXIT.usage,
  INPUT_UNREADABLE: EXIT.noInput,
};

/** By HTTP status: a code added to the catalogue later gets an exit code without touching this file. */
function byStatus(status: number, retryable: boolean): number {
  if (status === 401 || status === 403) return retryable ? EXIT.tempFail : EXIT.noPerm;
  if (status === 404 || status === 409) return EXIT.error;
  if (status === 408 || status === 429) return EXIT.tempFail;
  if (status === 507) return EXIT.cantCreate;
  if (status === 502 || status === 503) return EXIT.unavailable;
  if (status >= 500) return EXIT.software;
  if (status >= 400) return EXIT.dataErr;
  return EXIT.error;
}

/** The exit code of a command that ended with an error of `code` (one mapping for every executable). */
export function exitCodeFor(code: ErrorCode): number {
  const info = ERROR_CODES[code];
  return OVERRIDES[code] ?? byStatus(info.status, info.retryable);
}

const MEANINGS: Readonly<Record<number, string>> = {
  [EXIT.ok]: 'success',
  [EXIT.error]: 'refused by current state (NOT_FOUND, CONFLICT, ...) or another failure',
  [EXIT.usage]: 'usage: unknown command or option, bad option value',
  [EXIT.dataErr]: 'invalid input (file, document, request)',
  [EXIT.noInput]: 'an input file does not exist or cannot be read',
  [EXIT.unavailable]: 'endpoint, database or daemon unavailable',
  [EXIT.software]: 'internal error',
  [EXIT.cantCreate]: 'cannot write state',
  [EXIT.tempFail]: 'temporary failure: retry later',
  [EXIT.noPerm]: 'not authenticated or not permitted',
  [EXIT.config]: 'configuration error, not enrolled, corrupt state',
};

/** What each exit code means, one line each: the --help epilogue of every executable (`own` adds or rewords codes). */
export function exitCodesHelp(own: Readonly<Record<number, string>> = {}): string {
  const lines = Object.entries({ ...MEANINGS, ...own })
    .map(([code, meaning]) => [Number(code), meaning] as const)
    .sort(([a], [b]) => a - b)
    .map(([code, meaning]) => `  ${String(code).padEnd(4)}${meaning}`);
  return ['', 'Exit codes (docs/errors.md):', ...lines].join('\n');
}
