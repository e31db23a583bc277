// Windows PowerShell as a data-driven tool: the script text is a constant of this code base (the `ps` tag refuses any
// interpolation), passed with -EncodedCommand; policy values travel only as JSON on stdin and are read by the script
// with ConvertFrom-Json. No policy string is ever parsed as PowerShell.
import type { CommandRunner, CommandSpec } from '../../system/command-runner.js';
import { describeFailure } from '../../system/command-runner.js';

/** A PowerShell script whose text is fixed at build time. */
export interface PowerShellScript {
  readonly name: string;
  readonly text: string;
}

/**
 * Defines a script from a template literal with no substitutions: `ps('name')\`...\``. A `${}` inside would splice
 * runtime data into code, so it throws.
 */
export function ps(name: string) {
  return (strings: TemplateStringsArray, ...values: unknown[]): PowerShellScript => {
    if (values.length > 0) throw new Error(`PowerShell script ${name} must not interpolate values; pass data as input`);
    return { name, text: strings.raw.join('') };
  };
}

/** One script from constant pieces in order (e.g. an allow-list shared by two scripts); still no runtime data. */
export function psJoin(name: string, ...parts: readonly PowerShellScript[]): PowerShellScript {
  return { name, text: parts.map((p) => p.text).join('\n') };
}

/** Windows PowerShell 5.1 ships the Defender and NetSecurity modules on every supported Windows. */
export const POWERSHELL = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';

// Reads the input, runs the body with $in bound, writes {ok,result} or {ok:false,error} as one JSON line. stdin is
// decoded as UTF-8 explicitly: [Console]::In would use the OEM code page and mangle non-ASCII policy strings.
const PRELUDE = `$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$raw = [System.IO.StreamReader]::new([Console]::OpenStandardInput(), [System.Text.UTF8Encoding]::new($false)).ReadToEnd()
$in = if ($raw.Trim().Length -gt 0) { $raw | ConvertFrom-Json } else { $null }
try {
  $result = & {
`;
const EPILOGUE = `
  }
  [Console]::Out.Write((@{ ok = $true; result = $result } | ConvertTo-Json -Depth 10 -Compress))
} catch {
  [Console]::Out.Write((@{ ok = $false; error = $_.Exception.Message } | ConvertTo-Json -Compress))
  exit 1
}
`;

/** The full script text sent to PowerShell (exported for boundary tests). */
export function fullScript(script: PowerShellScript): string {
  return `${PRELUDE}${script.text}${EPILOGUE}`;
}

/** The exact process PowerShell is started as for a script and its input. */
export function powerShellCommand(script: PowerShellScript, input: unknown, timeoutMs = 120_000): CommandSpec {
  return {
    file: POWERSHELL,
    args: [
      '-NoLogo',
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-EncodedCommand',
      Buffer.from(fullScript(script), 'utf16le').toString('base64'),
    ],
    stdin: JSON.stringify(input ?? null),
    timeoutMs,
  };
}

export class PowerShellError extends Error {}

/**
 * Runs a script with JSON input and returns its parsed result; throws PowerShellError with the script's message.
 * `signal` kills PowerShell (a cancelled response action).
 */
export async function runPowerShell(
  runner: CommandRunner,
  script: PowerShellScript,
  input: unknown,
  timeoutMs?: number,
  signal?: AbortSignal,
): Promise<unknown> {
  const spec = { ...powerShellCommand(script, input, timeoutMs), ...(signal ? { signal } : {}) };
  const res = await runner.run(spec);
  let parsed: { ok?: boolean; result?: unknown; error?: string } | undefined;
  try {
    parsed = JSON.parse(res.stdout.trim().replace(/^\uFEFF/, '')) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (parsed?.ok === true && res.code === 0) return parsed.result;
  if (parsed?.ok === false) throw new PowerShellError(`${script.name}: ${parsed.error ?? 'failed'}`);
  throw new PowerShellError(`${script.name}: ${describeFailure({ file: 'powershell.exe', args: [] }, res)}`);
}
