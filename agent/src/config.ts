// Agent configuration: the config file (validated) merged with command-line overrides and OS defaults.
import { readFile } from 'node:fs/promises';
import { AttacheError } from '../../common/errors.js';
import { validate } from '../../common/validation.js';
import { AgentConfig, type AgentConfig as AgentConfigT, type HostConfig, type Platform } from '../../policy-schemas/src/index.js';
import { defaultPaths } from './platform/index.js';

/** Configuration with every default filled in. */
export interface ResolvedConfig {
  readonly configFile: string;
  readonly stateDir: string;
  readonly logDir: string | undefined;
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
  readonly checkinIntervalMinutes: number;
  readonly checkinJitterPercent: number;
  /** Period of the local drift check (driftCheckSeconds, else driftCheckMinutes, default 15 min). */
  readonly driftCheckMs: number;
  /** Check for drift when the host reports a change to a managed store (hosts that can watch), not only on the timer. */
  readonly driftWatch: boolean;
  readonly host: HostConfig;
}

export interface ConfigOverrides {
  readonly configFile?: string;
  readonly stateDir?: string;
  readonly simulated?: Platform;
  readonly logLevel?: ResolvedConfig['logLevel'];
}

/** MDE devices check in every 90 minutes (mde-domain.md §1.6); ±10 % jitter spreads a fleet. */
export const DEFAULT_CHECKIN_MINUTES = 90;
export const DEFAULT_JITTER_PERCENT = 10;
/** Managed settings are re-read locally this often to find drift (tamper events). */
export const DEFAULT_DRIFT_CHECK_MINUTES = 15;

export async function loadConfig(overrides: ConfigOverrides): Promise<ResolvedConfig> {
  const defaults = defaultPaths();
  const configFile = overrides.configFile ?? defaults.configFile;
  let file: AgentConfigT = {};
  let text: string | undefined;
  try {
    text = await readFile(configFile, 'utf8');
  } catch (err) {
    // A missing default config file is normal; a missing file the user named is an error.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || overrides.configFile) {
      throw new AttacheError('CONFIG_INVALID', `cannot read config file ${configFile}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (text !== undefined) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new AttacheError('CONFIG_INVALID', `config file ${configFile} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    file = validate(AgentConfig, data, `config file ${configFile}`, 'CONFIG_INVALID');
  }
  return {
    configFile,
    stateDir: overrides.stateDir ?? file.stateDir ?? defaults.stateDir,
    logDir: file.logDir,
    logLevel: overrides.logLevel ?? file.logLevel ?? 'info',
    checkinIntervalMinutes: file.checkinIntervalMinutes ?? DEFAULT_CHECKIN_MINUTES,
    checkinJitterPercent: file.checkinJitterPercent ?? DEFAULT_JITTER_PERCENT,
    driftCheckMs: file.driftCheckSeconds !== undefined ? file.driftCheckSeconds * 1000 : (file.driftCheckMinutes ?? DEFAULT_DRIFT_CHECK_MINUTES) * 60_000,
    driftWatch: file.driftWatch ?? true,
    host: simulatedOverride(file.host, overrides.simulated) ?? file.host ?? { kind: 'native' },
  };
}

/** `--simulated <platform>` wins over the file; a simulated host from the file keeps its name and state file. */
function simulatedOverride(fromFile: HostConfig | undefined, platform: Platform | undefined): HostConfig | undefined {
  if (!platform) return undefined;
  if (fromFile?.kind === 'simulated') return { ...fromFile, platform };
  return { kind: 'simulated', platform };
}
