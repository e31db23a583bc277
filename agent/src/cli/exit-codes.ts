// The agent's process exit codes (docs/install.md lists them): what monitoring and service managers branch on.
import type { ErrorCode } from '../../../common/errors.js';

export const EXIT = {
  ok: 0,
  /** Any other failure; stderr names the error code. */
  error: 1,
  /** `sync` ran, but the sync or at least one setting ended in error. */
  syncErrors: 2,
  /** Unknown command or option, or a bad option value (sysexits EX_USAGE). */
  usage: 64,
  /** Not configured: invalid config file or ATTACHE_* variable, not enrolled, or a corrupt state file such as the
   * identity or device key (sysexits EX_CONFIG). Restarting cannot fix it, so service definitions do not restart on it
   * (systemd RestartPreventExitStatus=78). */
  notConfigured: 78,
  /** Another daemon holds the state dir (sysexits EX_TEMPFAIL): a service manager may retry, it takes over once the holder exits. */
  alreadyRunning: 75,
} as const;

/** Exit code for an error that ended a command. */
export function exitCodeFor(code: ErrorCode): number {
  if (code === 'CONFIG_INVALID' || code === 'NOT_ENROLLED' || code === 'STATE_CORRUPT') return EXIT.notConfigured;
  return code === 'DAEMON_ALREADY_RUNNING' ? EXIT.alreadyRunning : EXIT.error;
}
