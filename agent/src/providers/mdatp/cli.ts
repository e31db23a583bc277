// The `mdatp` command-line tool as a reader: is Defender for Endpoint installed, and what does `mdatp health` say.
// Fixed argv only; no policy value is ever passed to mdatp (settings go through the managed configuration file).
import type { CommandRunner, CommandSpec } from '../../system/command-runner.js';
import { describeFailure } from '../../system/command-runner.js';
import { type MdatpHealth, parseMdatpHealth } from './health.js';

/** Where the installers put the `mdatp` command (absolute: a service's PATH may not include /usr/local/bin). */
export const MDATP_PATHS = { linux: '/usr/bin/mdatp', macos: '/usr/local/bin/mdatp' } as const;

/** The reason every mdatp setting is notApplicable on a host without the product. */
export const MDATP_NOT_INSTALLED = 'Microsoft Defender for Endpoint (mdatp) is not installed';

/** One reading of mdatp health: the product is missing, present but not answering, or its health. */
export type MdatpHealthReading =
  | { readonly status: 'notInstalled'; readonly reason: string }
  | { readonly status: 'unavailable'; readonly message: string }
  | { readonly status: 'ok'; readonly health: MdatpHealth };

export interface MdatpHealthOptions {
  /** Absolute path of the mdatp command (MDATP_PATHS per platform). */
  readonly mdatpPath: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** The exact command the agent runs to read health. */
export function healthCommand(options: MdatpHealthOptions): CommandSpec {
  return {
    file: options.mdatpPath,
    args: ['health', '--output', 'json'],
    timeoutMs: options.timeoutMs ?? 30_000,
    maxOutputBytes: 1024 * 1024,
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/**
 * Runs `mdatp health --output json` once. Never throws for the tool's own failures: a missing executable is
 * `notInstalled`, a failing or unparsable run is `unavailable` (daemon stopped, starting, not licensed…).
 * This is the snapshot the device health report uses.
 */
export async function readMdatpHealth(runner: CommandRunner, options: MdatpHealthOptions): Promise<MdatpHealthReading> {
  const spec = healthCommand(options);
  const result = await runner.run(spec);
  if (result.spawnError?.startsWith('ENOENT')) return { status: 'notInstalled', reason: MDATP_NOT_INSTALLED };
  if (result.code !== 0 || result.timedOut || result.truncated) return { status: 'unavailable', message: describeFailure(spec, result) };
  try {
    return { status: 'ok', health: parseMdatpHealth(result.stdout) };
  } catch (err) {
    return { status: 'unavailable', message: `${spec.file} health: ${err instanceof Error ? err.message : String(err)}` };
  }
}
