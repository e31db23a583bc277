// Parsers for what `socketfilterfw --get…` prints. The wording changed between macOS releases ("Block all DISABLED!"
// became "Firewall has block all state set to disabled."), so each parser knows every variant collected in
// testdata/ (sources in testdata/README.md) and refuses anything else: a state we cannot read is an error, never a
// guess. Whitespace, letter case and a final period are tolerated; other words are not.

/** The logging levels of `--setloggingopt`. */
export const LOGGING_OPTIONS = ['throttled', 'brief', 'detail'] as const;
export type LoggingOption = (typeof LOGGING_OPTIONS)[number];

/** socketfilterfw printed something this code does not know. */
export class SocketFilterOutputError extends Error {}

/** What socketfilterfw prints when a configuration profile (MDM) manages the firewall: it changes nothing then. */
export const MANAGED_REFUSAL = /cannot be modified from command line on managed Mac computers/i;

function quoted(text: string): string {
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text);
}

/** The one meaningful line of a get command's output. */
function oneLine(flag: string, output: string): string {
  if (MANAGED_REFUSAL.test(output)) throw new SocketFilterOutputError(`socketfilterfw ${flag}: the firewall is managed by a configuration profile`);
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (lines.length !== 1) throw new SocketFilterOutputError(`socketfilterfw ${flag}: unexpected output ${quoted(output)}`);
  return lines[0] as string;
}

function unknown(flag: string, line: string): never {
  throw new SocketFilterOutputError(`socketfilterfw ${flag}: unknown output ${quoted(line)}`);
}

/** The application firewall's global state; `state` is com.apple.alf globalstate (0 off, 1 on, 2 essential services only). */
export interface GlobalState {
  readonly enabled: boolean;
  readonly state?: 0 | 1 | 2;
}

/**
 * `--getglobalstate`: "Firewall is enabled. (State = 1)", "Firewall is disabled. (State = 0)", "… (State = 2)" when
 * only essential services may receive connections; older releases without the "(State = N)" part. The number must
 * agree with the words.
 */
export function parseGlobalState(output: string): GlobalState {
  const line = oneLine('--getglobalstate', output);
  const m = /^Firewall is (enabled|disabled|blocking all non-essential (?:incoming )?connections)\.?(?:\s*\(State\s*=\s*([0-9]+)\))?\.?$/i.exec(line);
  if (!m) return unknown('--getglobalstate', line);
  const words = (m[1] as string).toLowerCase();
  const enabled = words !== 'disabled';
  if (m[2] === undefined) {
    if (words.startsWith('blocking')) return unknown('--getglobalstate', line);
    return { enabled };
  }
  const state = Number(m[2]);
  if (state > 2 || (state === 0) === enabled) return unknown('--getglobalstate', line);
  return { enabled, state: state as 0 | 1 | 2 };
}

/**
 * `--getblockall`: "Block all DISABLED!" / "Block all ENABLED!" (older releases), "Firewall has block all state set
 * to disabled." / "… enabled." (current), "Firewall is set to block all non-essential incoming connections" or
 * "Firewall is blocking all non-essential incoming connections." (enabled, some releases).
 */
export function parseBlockAll(output: string): boolean {
  const line = oneLine('--getblockall', output);
  let m = /^Block all (ENABLED|DISABLED)\s*!?$/i.exec(line) ?? /^Firewall has block all state set to (enabled|disabled)\.?$/i.exec(line);
  if (m) return (m[1] as string).toLowerCase() === 'enabled';
  m = /^Firewall (?:is set to block|is blocking) all non-essential incoming connections\.?$/i.exec(line);
  if (m) return true;
  return unknown('--getblockall', line);
}

/** `--getstealthmode`: "Stealth mode enabled" / "… disabled" (older), "Firewall stealth mode is on" / "… off" (current). */
export function parseStealthMode(output: string): boolean {
  const line = oneLine('--getstealthmode', output);
  const m = /^Stealth mode (enabled|disabled)\.?$/i.exec(line) ?? /^Firewall stealth mode is (on|off)\.?$/i.exec(line);
  if (!m) return unknown('--getstealthmode', line);
  const word = (m[1] as string).toLowerCase();
  return word === 'enabled' || word === 'on';
}

/** `--getloggingmode`: "Log mode is on" / "Log mode is off". */
export function parseLoggingMode(output: string): boolean {
  const line = oneLine('--getloggingmode', output);
  const m = /^Log mode is (on|off)\.?$/i.exec(line);
  if (!m) return unknown('--getloggingmode', line);
  return (m[1] as string).toLowerCase() === 'on';
}

/** `--getloggingopt`: "Log Option is throttled" (or brief, detail). */
export function parseLoggingOption(output: string): LoggingOption {
  const line = oneLine('--getloggingopt', output);
  const m = /^Log Option is (throttled|brief|detail)\.?$/i.exec(line);
  if (!m) return unknown('--getloggingopt', line);
  return (m[1] as string).toLowerCase() as LoggingOption;
}

/** The two "automatically allow signed software" switches (MDM payload keys AllowSigned and AllowSignedApp). */
export interface AllowSigned {
  /** Built-in (Apple-signed) software may receive incoming connections. */
  readonly builtIn: boolean;
  /** Downloaded software with a valid signature may receive incoming connections. */
  readonly downloaded: boolean;
}

/**
 * `--getallowsigned`: two lines, "Automatically allow built-in signed software ENABLED." and "Automatically allow
 * downloaded signed software DISABLED." (current); older releases "… signed built-in software ENABLED" without the
 * period. Both lines must be there, once each.
 */
export function parseAllowSigned(output: string): AllowSigned {
  if (MANAGED_REFUSAL.test(output)) throw new SocketFilterOutputError('socketfilterfw --getallowsigned: the firewall is managed by a configuration profile');
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const found: { builtIn?: boolean; downloaded?: boolean } = {};
  for (const line of lines) {
    const m = /^Automatically allow (built-in signed|signed built-in|downloaded signed) software (ENABLED|DISABLED)\.?$/i.exec(line);
    const which = m ? ((m[1] as string).toLowerCase().startsWith('downloaded') ? 'downloaded' : 'builtIn') : undefined;
    if (!m || which === undefined || found[which] !== undefined) return unknown('--getallowsigned', line);
    found[which] = (m[2] as string).toLowerCase() === 'enabled';
  }
  if (found.builtIn === undefined || found.downloaded === undefined)
    throw new SocketFilterOutputError(`socketfilterfw --getallowsigned: unexpected output ${quoted(output)}`);
  return { builtIn: found.builtIn, downloaded: found.downloaded };
}
