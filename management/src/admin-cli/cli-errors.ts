// How the admin CLI reports the error that ended a command: once, on stderr, as `error CODE: message` (+ details) or,
// under --json, as the endpoint's ErrorResponse envelope; and the exit code of the shared contract (common/exit-codes.ts).
import { CommanderError } from 'commander';
import { errorOutput } from '../../../common/error-output.js';
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import { EXIT, exitCodeFor } from '../../../common/exit-codes.js';

/** Commander's own message for a usage error, kept to be printed as JSON under --json. */
export interface UsageCapture {
  message?: string;
}

/** A command line the command refuses before any request (exit code 64). */
export function usage(message: string): AttacheError {
  return new AttacheError('USAGE_INVALID', message);
}

/** Commander's error text ("error: unknown option '--x'\n…") as one message without the prefix. */
function usageMessage(text: string): string {
  return text.replace(/^error: /, '').trim();
}

/**
 * Prints the error once and returns the exit code. A commander error was already printed by commander in human mode
 * (help and --version exit 0); under --json its captured text is printed as a USAGE_INVALID envelope instead.
 */
export function reportError(err: unknown, json: boolean, usage: UsageCapture, stderr: (text: string) => void): number {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return EXIT.ok;
    if (json) stderr(errorOutput(new AttacheError('USAGE_INVALID', usageMessage(usage.message ?? err.message)), true));
    return EXIT.usage;
  }
  const e = toAttacheError(err);
  stderr(errorOutput(e, json));
  return exitCodeFor(e.code);
}
