// How every executable prints the error that ended a command, once: `error CODE: message` and one indented line per
// detail (untrusted text escaped for the terminal), or under --json the endpoint's ErrorResponse envelope on one line.
import type { AttacheError } from './errors.js';
import { terminalCell } from './terminal-text.js';

/** The text to write on stderr for `e`. */
export function errorOutput(e: AttacheError, json: boolean): string {
  if (json) {
    const details = e.details.map((d) => ({ path: d.path, message: d.message }));
    return `${JSON.stringify({ error: { code: e.code, message: e.message, details } })}\n`;
  }
  return [`error ${e.code}: ${terminalCell(e.message)}\n`, ...e.details.map((d) => `  ${terminalCell(d.path)}: ${terminalCell(d.message)}\n`)].join('');
}

/** True when a command line asks for JSON output (before any `--` that ends the options). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}
