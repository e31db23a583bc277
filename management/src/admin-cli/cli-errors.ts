// How the admin CLI reports the error that ended a command: once, on stderr, as `error CODE: message` (+ details) or,
// under --json, as the endpoint's ErrorResponse envelope; and the exit code of the shared contract (common/exit-codes.ts).
import { CommanderError } from 'commander';
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import { EXIT, exitCodeFor } from '../../../common/exit-codes.js';
import { terminalCell } from '../../../common/terminal-text.js';

/** Commander's own message for a usage error, kept to be printed as JSON under --json. */
export interface UsageCapture {
  message?: string;
}

/** True when the command line asks for JSON output (before any `--` that ends the options). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
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
    if (json) writeJson(new AttacheError('USAGE_INVALID', usageMessage(usage.message ?? err.message)), stderr);
    return EXIT.usage;
  }
  const e = toAttacheError(err);
  if (json) writeJson(e, stderr);
  else {
    stderr(`error ${e.code}: ${terminalCell(e.message)}\n`);
    for (const d of e.details) stderr(`  ${terminalCell(d.path)}: ${terminalCell(d.message)}\n`);
  }
  return exitCodeFor(e.code);
}

// One line; JSON.stringify escapes control characters, so device-supplied strings cannot reach the terminal raw.
function writeJson(e: AttacheError, stderr: (text: string) => void): void {
  stderr(`${JSON.stringify({ error: { code: e.code, message: e.message, details: e.details.map((d) => ({ path: d.path, message: d.message })) } })}\n`);
}
