// The one error type of the project and the catalogue of its stable codes (docs/errors.md lists them too).

/** Everything we know about one error code: HTTP status when it crosses the wire, and whether a retry can help. */
export interface ErrorCodeInfo {
  readonly status: number;
  readonly retryable: boolean;
  readonly description: string;
}

/** The catalogue. Codes are part of the protocol: never rename one, only add. */
export const ERROR_CODES = {
  // Input and schema
  SCHEMA_INVALID: { status: 400, retryable: false, description: 'A document or message does not match its JSON Schema.' },
  POLICY_INVALID: { status: 400, retryable: false, description: 'A policy names an unknown setting or a value outside its allowed values.' },
  BODY_TOO_LARGE: { status: 413, retryable: false, description: 'The request body exceeds the endpoint limit.' },
  BODY_MALFORMED: { status: 400, retryable: false, description: 'The request body is not valid JSON (or nests deeper than 64 levels).' },
  REQUEST_MALFORMED: {
    status: 400,
    retryable: false,
    description: 'The request line, the URL or the headers cannot be parsed, or an HTTP/1.1 request has no Host header.',
  },
  URI_TOO_LONG: { status: 414, retryable: false, description: 'A segment of the request path is longer than any identifier the endpoint accepts.' },
  HEADERS_TOO_LARGE: { status: 431, retryable: false, description: 'The request line and headers exceed the endpoint limit (16 KiB).' },
  REQUEST_TIMEOUT: { status: 408, retryable: true, description: 'The request did not arrive completely within the endpoint time limit.' },
  MESSAGE_INVALID: { status: 400, retryable: false, description: 'A WebSocket or control-channel message is malformed or of an unknown type.' },
  QUERY_INVALID: {
    status: 400,
    retryable: false,
    description: 'A query parameter is unknown, repeated or has a value outside its allowed values (the message names it).',
  },
  NOT_FOUND: { status: 404, retryable: false, description: 'The addressed object does not exist.' },
  CONFLICT: { status: 409, retryable: false, description: 'The object already exists or the change conflicts with current state.' },
  // Authentication and identity
  ADMIN_UNAUTHORIZED: {
    status: 401,
    retryable: false,
    description: 'Missing, unknown, expired or revoked admin credentials (token or console session); the message says which.',
  },
  ENROLLMENT_TOKEN_INVALID: { status: 401, retryable: false, description: 'The enrollment token is unknown or was revoked.' },
  ENROLLMENT_TOKEN_EXPIRED: { status: 401, retryable: false, description: 'The enrollment token is past its expiry time.' },
  ENROLLMENT_TOKEN_EXHAUSTED: { status: 401, retryable: false, description: 'The enrollment token has already been used as many times as allowed.' },
  ENROLLMENT_PROOF_INVALID: { status: 400, retryable: false, description: 'The enrollment request is not signed by the key it registers.' },
  DEVICE_UNKNOWN: { status: 401, retryable: false, description: 'The request names a device the endpoint does not know.' },
  DEVICE_REVOKED: { status: 403, retryable: false, description: 'The device was revoked by an admin; it must enroll again.' },
  REQUEST_SIGNATURE_INVALID: { status: 401, retryable: false, description: 'The request signature does not verify with the device key.' },
  DEVICE_KEY_PROOF_INVALID: {
    status: 400,
    retryable: false,
    description: 'A device-key rotation is not signed by the new key it registers, or its time is outside the allowed clock skew.',
  },
  REQUEST_EXPIRED: { status: 401, retryable: true, description: 'The request timestamp is outside the allowed clock skew.' },
  REQUEST_REPLAYED: { status: 401, retryable: true, description: 'The request nonce was already used.' },
  // Policy trust
  POLICY_SIGNATURE_INVALID: { status: 422, retryable: false, description: 'A policy signature does not verify with the pinned policy-signing key.' },
  POLICY_DOWNGRADE: {
    status: 422,
    retryable: false,
    description: 'A validly signed policy version is older than one this device already applied (replay or rollback).',
  },
  POLICY_TENANT_MISMATCH: { status: 422, retryable: false, description: 'A policy was issued for another tenant.' },
  POLICY_SET_INVALID: {
    status: 422,
    retryable: false,
    description:
      "A fetched policy set does not match its signed manifest (a policy withheld, added or of another version), the manifest's signature does not verify, or it names another device or tenant.",
  },
  POLICY_SET_DOWNGRADE: {
    status: 422,
    retryable: false,
    description: 'A validly signed policy-set manifest is older than the set this device already applied (a replayed list).',
  },
  // Transport and local state
  TLS_PIN_MISMATCH: { status: 502, retryable: false, description: 'The endpoint certificate does not chain to the pinned CA.' },
  ENDPOINT_UNREACHABLE: { status: 503, retryable: true, description: 'The management endpoint could not be reached.' },
  ENDPOINT_BUSY: { status: 503, retryable: true, description: 'The endpoint is at capacity; retry after the Retry-After header.' },
  KEY_ENCRYPTION_KEY_WRONG: {
    status: 500,
    retryable: false,
    description: 'The key-encryption key given to the endpoint does not decrypt the keys stored in its database; nothing was changed.',
  },
  DATABASE_UNAVAILABLE: {
    status: 503,
    retryable: true,
    description: "The endpoint's database cannot be reached; nothing was stored. Retry after the Retry-After header.",
  },
  ENDPOINT_ERROR: { status: 502, retryable: true, description: 'The management endpoint answered with an unexpected error.' },
  STATE_WRITE_FAILED: {
    status: 507,
    retryable: true,
    description:
      'The agent could not write its state directory (disk full, read-only file system, permissions); the last good policy stays in force and the sync is retried.',
  },
  STATE_CORRUPT: { status: 500, retryable: false, description: 'A local state file is unreadable or fails validation.' },
  NOT_ENROLLED: { status: 409, retryable: false, description: 'The agent has no device identity yet; run enroll first.' },
  ALREADY_ENROLLED: { status: 409, retryable: false, description: 'The agent already has a device identity; pass --force to replace it.' },
  DAEMON_UNREACHABLE: { status: 503, retryable: true, description: 'The agent daemon is not running or its control socket is not answering.' },
  DAEMON_ALREADY_RUNNING: {
    status: 409,
    retryable: true,
    description:
      'Another agent daemon holds the state directory, or another `attache-management serve` the data directory (its pid is named); only one may run per directory.',
  },
  STORE_CORRUPT: {
    status: 500,
    retryable: false,
    description:
      'A row in the endpoint database does not parse or has the wrong shape; the error names the table and id. Repair it by writing a new version, or delete it.',
  },
  RATE_LIMITED: {
    status: 429,
    retryable: true,
    description:
      'Too many requests (from this address, for this username, or in total), or an audit export or verification of this admin still running; retry after the Retry-After header.',
  },
  CONFIG_INVALID: { status: 400, retryable: false, description: 'The agent or endpoint configuration file is invalid.' },
  QUARANTINE_FAILED: {
    status: 500,
    retryable: true,
    description:
      'A file could not be quarantined: not a regular file, unreadable, its hash no longer the one asked for, or the move failed; the file stays where it was.',
  },
  QUARANTINE_NOT_FOUND: { status: 404, retryable: false, description: 'No quarantined file has this quarantine id (or its metadata is unreadable).' },
  QUARANTINE_RESTORE_FAILED: {
    status: 409,
    retryable: false,
    description:
      'A quarantined file could not be restored: its original path is taken, its folder is gone, or its content no longer matches the recorded SHA-256.',
  },
  INDICATOR_LIMIT_EXCEEDED: {
    status: 409,
    retryable: false,
    description: "The change would make more than 15,000 active (unexpired) custom indicators across the tenant's indicator policies; nothing is stored.",
  },
  // Per-setting apply outcomes (carried in reports, not thrown)
  SETTING_APPLY_FAILED: { status: 500, retryable: true, description: 'The provider failed to change a setting.' },
  SETTING_NOT_ENFORCED: { status: 500, retryable: true, description: 'The setting was applied but reading it back shows another value.' },
  SETTING_NOT_APPLICABLE: { status: 422, retryable: false, description: 'The setting does not exist on this platform or this host has no mechanism for it.' },
  SETTING_CONFLICT: { status: 409, retryable: false, description: 'Two assigned policies set the same setting to different values.' },
  SETTING_OVERRIDDEN: {
    status: 409,
    retryable: true,
    description: 'Another manager on the device (Group Policy, another MDM) imposes a different value for the setting, and its value wins.',
  },
  INTUNE_EXPORT_INVALID: {
    status: 400,
    retryable: false,
    description: 'An Intune policy export is not valid JSON or not a Graph policy object the importer can read.',
  },
  IMPORT_INCOMPLETE: {
    status: 422,
    retryable: false,
    description: 'An import run with --strict would drop at least one setting (unmapped, with its reason); nothing was created.',
  },
  IMPORT_CONFLICT: {
    status: 409,
    retryable: false,
    description:
      'A re-import would overwrite a policy edited since the import, or one whose Intune source differs from the export (a different Intune policy claiming the same id); nothing was written. --force overwrites.',
  },
  INPUT_UNREADABLE: {
    status: 400,
    retryable: false,
    description: 'An input file named on the command line does not exist or cannot be read (the message names it and the reason).',
  },
  ACCESS_UNAUTHORIZED: {
    status: 401,
    retryable: false,
    description: 'Missing, wrong or revoked access-service token (or admin token) on the access decision API.',
  },
  // Admin identity (docs/admin.md)
  ADMIN_FORBIDDEN: { status: 403, retryable: false, description: "The admin's role lacks the permission the request needs (the message names it)." },
  CSRF_FAILED: {
    status: 403,
    retryable: false,
    description: 'A console-session request that changes something lacks the x-csrf-token header matching its session.',
  },
  LOGIN_FAILED: { status: 401, retryable: false, description: 'Wrong username or password (the same answer for both).' },
  LOGIN_LOCKED: {
    status: 429,
    retryable: true,
    description: 'The account is locked after repeated failed logins; retry after the Retry-After header (or an Administrator unlocks it).',
  },
  LAST_ADMINISTRATOR: { status: 409, retryable: false, description: 'The change would leave no enabled Administrator account.' },
  AUDIT_WRITE_FAILED: {
    status: 500,
    retryable: true,
    description:
      'An admin request was handled but its audit entry could not be written (the endpoint logged the entry); check the database. Admin writes are refused with AUDIT_UNAVAILABLE until the audit log can be written.',
  },
  AUDIT_UNAVAILABLE: {
    status: 503,
    retryable: true,
    description:
      'The audit log could not be written a moment ago, so admin changes are refused (fail closed); nothing was changed. Retry after the Retry-After header.',
  },
  AUDIT_CHAIN_BROKEN: {
    status: 500,
    retryable: false,
    description: "The audit log's hash chain does not verify: an entry was changed or removed outside the endpoint (the message names the first broken entry).",
  },
  // Response actions (docs/actions.md)
  ACTION_INVALID: { status: 400, retryable: false, description: 'A response action has an unknown type or a bad parameter (the message names the field).' },
  ACTION_UNSUPPORTED: {
    status: 422,
    retryable: false,
    description: 'The device cannot carry out this response action or mode on its OS (the message says why), e.g. selective isolation.',
  },
  ISOLATION_ENDPOINT_UNRESOLVED: {
    status: 422,
    retryable: true,
    description: "A management endpoint's host name could not be resolved to an address when isolating; nothing was changed and the device stays reachable.",
  },
  ISOLATION_FAILED: {
    status: 500,
    retryable: true,
    description: 'The OS refused the isolation rules or their removal (the message quotes the tool); an isolation that failed was rolled back.',
  },
  ACTION_NOT_FOUND: { status: 404, retryable: false, description: "No response action has this id (or it is outside the admin's scope)." },
  ACTION_IN_PROGRESS: {
    status: 409,
    retryable: true,
    description: 'The device already has an unfinished action of this kind (isolate and release count as one kind); the message names it. Nothing was queued.',
  },
  ACTION_NOT_CANCELLABLE: {
    status: 409,
    retryable: false,
    description: 'The action is finished, or has started and cannot stop half-way (only a running scan or package collection can); the message says which.',
  },
  DEVICE_OFFBOARDED: {
    status: 403,
    retryable: false,
    description: 'The device was offboarded: its identity is gone and the endpoint refuses its requests and any new action for it.',
  },
  ACTION_SIGNATURE_INVALID: {
    status: 400,
    retryable: false,
    description: 'A response action is not signed by a pinned policy-signing key, or not for this tenant; the agent did not run it.',
  },
  ACTION_DEVICE_MISMATCH: { status: 400, retryable: false, description: 'A response action names another device; the agent did not run it.' },
  ACTION_EXPIRED: { status: 400, retryable: false, description: 'A response action reached the agent after its expiresAt; the agent did not run it.' },
  ACTION_REPLAYED: {
    status: 409,
    retryable: false,
    description: 'A response action the agent already ran was delivered again; it did not run twice (the update carries the stored outcome).',
  },
  ACTION_INTERRUPTED: {
    status: 500,
    retryable: true,
    description: 'The agent stopped (killed, rebooted) while running the action and could not finish it after restarting; the admin may ask again.',
  },
  SCAN_UNAVAILABLE: {
    status: 422,
    retryable: false,
    description: 'No antivirus engine the agent can drive is installed (mdatp on Linux and macOS, Defender on Windows); nothing was scanned.',
  },
  SCAN_FAILED: {
    status: 500,
    retryable: true,
    description: 'The antivirus scan started but failed or its output could not be read (the message quotes the tool).',
  },
  SOFTWARE_INVENTORY_FAILED: {
    status: 500,
    retryable: true,
    description:
      'The installed software could not be listed: no package tool answered, or one failed or printed what it cannot read (the message quotes the tool).',
  },
  FILE_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: 'No file with the SHA-256 asked for was found at the path given (or, without a path, as the executable of a running process).',
  },
  PACKAGE_TOO_LARGE: { status: 413, retryable: false, description: 'An investigation package (or a chunk of it) exceeds the endpoint limit.' },
  PACKAGE_OFFSET_MISMATCH: {
    status: 409,
    retryable: false,
    description: 'A package chunk does not start where the stored part ends; the answer says how many bytes are stored, so the agent resumes from there.',
  },
  PACKAGE_HASH_MISMATCH: {
    status: 422,
    retryable: false,
    description: 'The uploaded investigation package does not have the SHA-256 (or size) the agent stated; it is discarded and the action fails.',
  },
  PACKAGE_NOT_AVAILABLE: { status: 404, retryable: false, description: 'The action has no complete investigation package to download (yet).' },
  OFFBOARD_FAILED: {
    status: 500,
    retryable: true,
    description:
      'Offboarding could not restore every pre-management value or remove the identity; the agent stays enrolled and enforcing (the message names what failed).',
  },
  // Vulnerability management (docs/vulnerabilities.md)
  VERSION_UNPARSABLE: {
    status: 422,
    retryable: false,
    description:
      'A version is not valid under its scheme (dpkg, rpm, apk, semver, dotted) or is longer than 256 characters; the message names the scheme, the version and what is wrong. It is never compared by guess.',
  },
  CPE_INVALID: {
    status: 422,
    retryable: false,
    description:
      'A CPE name is not a valid CPE 2.3 formatted string (NISTIR 7695 §6.2: prefix, 11 attributes, quoting, wildcard placement); the message names the attribute and what is wrong.',
  },
  ADVISORY_INVALID: {
    status: 422,
    retryable: false,
    description:
      'An advisory file (OSV records, a JSON array or zip of them, or an NVD CVE API 2.0 page) is malformed, too large or nests too deep; the message names the record (index and id) and the JSON path of the bad field. Nothing of the file is imported.',
  },
  RECOMMENDATION_NOT_FOUND: {
    status: 404,
    retryable: false,
    description: 'No security recommendation has this id (it has no exposed device now, or the id is not one the endpoint made).',
  },
  ADVISORY_NOT_FOUND: { status: 404, retryable: false, description: 'No imported advisory has this id (never imported, or withdrawn by a later import).' },
  SOFTWARE_UPDATE_FAILED: {
    status: 500,
    retryable: false,
    description:
      "An updateSoftware action's package manager (apt-get, dnf, zypper, winget) failed: the message quotes its exit code and the tail of its output; the result shows each package's version before and after.",
  },
  TASK_NOT_FOUND: { status: 404, retryable: false, description: 'No security task has this id.' },
  TASK_TRANSITION_INVALID: {
    status: 409,
    retryable: false,
    description:
      'A security task cannot move from its current status to the one asked (pending → active | rejected; active → completed | rejected; rejected → pending), or a reject has no note; the message names both statuses.',
  },
  TASK_INVALID: {
    status: 400,
    retryable: false,
    description:
      'A security task request is malformed: a device not exposed to the recommendation, a due date in the past, a recommendation without exposed devices; the message names the field.',
  },
  INTERNAL: { status: 500, retryable: true, description: 'An unexpected internal error.' },
  USAGE_INVALID: {
    status: 400,
    retryable: false,
    description: 'A command line names an unknown command or option, misses an argument or gives a bad option value (exit code 64).',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One detail line of an error: where (a JSON pointer or a name) and what is wrong there. */
export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

/** What an AttacheError may carry besides its code and message. */
export interface AttacheErrorOptions {
  readonly cause?: unknown;
  readonly details?: readonly ErrorDetail[];
  readonly retryable?: boolean;
  /** The wait the other side asked for before a retry (a 429/503 Retry-After header), in ms. */
  readonly retryAfterMs?: number;
}

/** The project's base error: a stable code, a retryable flag, optional details and the standard cause. */
export class AttacheError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: readonly ErrorDetail[];
  /** Set when the endpoint said how long to wait (Retry-After): a retry waits at least this long. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: AttacheErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AttacheError';
    this.code = code;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    this.details = options.details ?? [];
    this.retryAfterMs = options.retryAfterMs;
  }

  /** HTTP status used when this error is returned by the endpoint. */
  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

/** True when `value` is one of the catalogued codes (used when decoding errors from the wire). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** Wraps anything thrown into an AttacheError, keeping the original as cause. */
export function toAttacheError(err: unknown, fallback: ErrorCode = 'INTERNAL'): AttacheError {
  if (err instanceof AttacheError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AttacheError(fallback, message, { cause: err });
}

/**
 * The operating-system error (an errno code such as ENOSPC, and the error carrying it) behind `err`, following `cause`
 * a few levels; undefined when the failure is not a failed system call (bad content, a refused request…).
 */
export function systemError(err: unknown): { readonly errno: string; readonly error: Error } | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const errno = (e as NodeJS.ErrnoException).code;
    if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) return { errno, error: e };
  }
  return undefined;
}
